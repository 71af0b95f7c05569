"""The LINE official account's message quota: how many messages are left this month, how
many a send will use, and refusing a send that would go over.

LINE counts a message per person reached, per request: a push to one person is 1, a multicast
to 300 is 300, however many message objects (1 to 5) the request carries; a user who blocked
the account is not counted (Messaging API FAQ). The figures come from
``GET /v2/bot/message/quota`` (the month's limit, or none) and
``GET /v2/bot/message/quota/consumption`` (used so far), cached for
``NOTIFICATIONS_LINE_QUOTA_CACHE_SECONDS``; what this site sends meanwhile is added to the
cached use (``note_sent``), so two sends in a row cannot both spend the same remainder.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The channel counts what it sends (note_sent) under SENT_KEY; read here.
from notifications.channels.line import (  # noqa: F401  (note_sent: part of this module's API)
    SENT_KEY,
    messaging_api,
    note_sent,
    setting,
    translate_error,
)

CACHE_KEY = "notifications:line-quota"


@dataclass(frozen=True)
class Quota:
    limit: int | None  # None: the plan sets no monthly limit
    used: int

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


class LineQuotaError(ValidationError):
    """A LINE send the quota cannot carry (code "exceeded") or that cannot be checked now
    (code "unavailable"); a ValidationError, so a form can show it as it is."""


def _fetch() -> Quota:
    api = messaging_api()
    timeout = setting("NOTIFICATIONS_LINE_TIMEOUT")
    try:
        quota = api.get_message_quota(_request_timeout=timeout)
        consumption = api.get_message_quota_consumption(_request_timeout=timeout)
    except Exception as error:
        raise translate_error(error, sending=False) from error
    limit = quota.value if str(getattr(quota.type, "value", quota.type)) == "limited" else None
    return Quota(limit=limit, used=consumption.total_usage)


def current_quota(*, fresh: bool = False) -> Quota:
    """This month's quota, from the cache when it was fetched within the last minute.
    Raises the channel's TransientError / PermanentError when LINE cannot be asked."""
    fetched = None if fresh else cache.get(CACHE_KEY)
    if fetched is None:
        fetched = _fetch()
        timeout = setting("NOTIFICATIONS_LINE_QUOTA_CACHE_SECONDS")
        cache.set(CACHE_KEY, fetched, timeout)
        cache.set(SENT_KEY, 0, timeout)
    sent = cache.get(SENT_KEY) or 0
    return Quota(limit=fetched.limit, used=fetched.used + sent)


def forget_quota() -> None:
    cache.delete_many([CACHE_KEY, SENT_KEY])


def messages_needed(n_recipients: int, n_messages_each: int = 1) -> int:
    """Messages a send uses: one per recipient for each separate send to them
    (``n_messages_each`` requests each; the message objects inside one request count once)."""
    return max(0, int(n_recipients)) * max(0, int(n_messages_each))


def check_quota(needed: int) -> Quota:
    """The quota, when it can carry ``needed`` more messages; else LineQuotaError in Thai."""
    from notifications.channels.base import PermanentError, TransientError

    try:
        quota = current_quota()
    except (TransientError, PermanentError) as error:
        raise LineQuotaError(
            _("ตรวจโควตาข้อความ LINE ไม่ได้ในขณะนี้ จึงยังไม่ส่งทาง LINE: %(error)s") % {"error": error},
            code="unavailable",
        ) from error
    if quota.left is not None and needed > quota.left:
        error = LineQuotaError(
            _(
                "โควตาข้อความ LINE เดือนนี้เหลือ %(left)s ข้อความ แต่การส่งครั้งนี้ต้องใช้ "
                "%(needed)s ข้อความ จึงไม่ส่งทาง LINE (ช่องทางอื่นยังส่งตามปกติ)"
            )
            % {"left": f"{quota.left:,}", "needed": f"{needed:,}"},
            code="exceeded",
        )
        error.left, error.needed = quota.left, needed
        raise error
    return quota
