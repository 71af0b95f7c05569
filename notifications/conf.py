"""The settings of the notifications app, each read here with its default.

A host sets them in its Django settings with the ``NOTIFICATIONS_`` prefix
(docs/plugins.md lists them). Read at call time, so override_settings works."""

from __future__ import annotations

from datetime import time

from django.conf import settings

DEFAULT_CHANNELS = (
    "notifications.channels.email.EmailChannel",
    "notifications.channels.site.SiteChannel",
)


def _read(name: str, default):
    return getattr(settings, name, default)


def channel_paths() -> list[str]:
    """Dotted paths of the channel classes (notifications.channels.base.Channel)."""
    return list(_read("NOTIFICATIONS_CHANNELS", DEFAULT_CHANNELS))


def max_tries() -> int:
    """Tries of one delivery before it is given up as failed."""
    return _read("NOTIFICATIONS_MAX_TRIES", 5)


def backoff_seconds(tries: int) -> float:
    """Wait before try `tries + 1` after a transient error: 30 s, 60 s, 120 s…, at most 1 h."""
    base = _read("NOTIFICATIONS_BACKOFF_SECONDS", 30)
    return min(base * 2 ** max(tries - 1, 0), _read("NOTIFICATIONS_BACKOFF_MAX_SECONDS", 3600))


def quiet_hours() -> tuple[time, time] | None:
    """(start, end) local times between which no message goes out, or None."""
    value = _read("NOTIFICATIONS_QUIET_HOURS", ("21:00", "07:00"))
    if not value:
        return None
    start, end = (time.fromisoformat(part) if isinstance(part, str) else part for part in value)
    return start, end


def time_zone() -> str:
    return _read("NOTIFICATIONS_TIME_ZONE", "Asia/Bangkok")


def stale_after_seconds() -> int:
    """A delivery still `sending` this long after its claim was left by a dead
    worker. Keep it above the Celery hard time limit of a task."""
    return _read("NOTIFICATIONS_STALE_AFTER_SECONDS", 300)


def sweep_after_seconds() -> int:
    """A pending delivery due this long without being sent was lost with its message."""
    return _read("NOTIFICATIONS_SWEEP_AFTER_SECONDS", 60)


def notice_version() -> str:
    """The version of the notice a choice consents to (recorded with each choice)."""
    return _read("NOTIFICATIONS_NOTICE_VERSION", "")


def consented_users() -> str | None:
    """Dotted path of `(user_ids) -> set of ids` who consented to messages by e-mail
    without choosing it on the preferences page (a sign-up consent, say). None: all."""
    return _read("NOTIFICATIONS_CONSENTED_USERS", None)


def unsubscribe_mailto() -> str:
    """An address for List-Unsubscribe's mailto: part, or "" for the https link only."""
    return _read("NOTIFICATIONS_UNSUBSCRIBE_MAILTO", "")


def on_site_count() -> int:
    """How many notices the short list on My learning shows."""
    return _read("NOTIFICATIONS_ON_SITE_COUNT", 5)


def base_url() -> str:
    """The public address links in messages start with; defaults to WAGTAILADMIN_BASE_URL."""
    url = _read("NOTIFICATIONS_BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return (url or "").rstrip("/")


# -- The LINE channel (notifications/channels/line.py, notifications/line_quota.py) ----------

LINE_CHANNEL = "notifications.channels.line.LineChannel"
DEFAULT_LINE_USER_ID = "notifications.channels.line.allauth_line_user_id"
LINE_DEFAULTS = {
    # The Messaging API channel's long-lived access token; "" reaches nobody, sends nothing.
    "NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN": "",
    # Tests and the benchmark point it at tests/fake_line_api.py.
    "NOTIFICATIONS_LINE_API_HOST": "https://api.line.me",
    # `(user) -> LINE user id or None`; by default the uid of the user's allauth LINE account.
    "NOTIFICATIONS_LINE_USER_ID": DEFAULT_LINE_USER_ID,
    # Seconds to connect, seconds to wait for the answer: a timeout is a transient error.
    "NOTIFICATIONS_LINE_TIMEOUT": (3.05, 10),
    # Ask LINE for the profile before a push (404: not a friend or blocked: failed at once).
    "NOTIFICATIONS_LINE_CHECK_FRIENDSHIP": True,
    # How long the month's quota figures are kept before LINE is asked again.
    "NOTIFICATIONS_LINE_QUOTA_CACHE_SECONDS": 60,
}


def line_setting(name: str):
    """A LINE setting, read at call time (override_settings, a host's late configuration)."""
    return _read(name, LINE_DEFAULTS[name])
