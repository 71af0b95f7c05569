"""The LINE channel: messages pushed to volunteers through LINE's Messaging API.

Optional: it needs the ``line`` extra (``pip install wagtail-npv-elearning[line]``, which brings
``line-bot-sdk``) and a channel access token in ``NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN``;
without a token the channel reaches nobody and sends nothing.

Exactly once. Every push carries ``X-Line-Retry-Key`` = the delivery's key, which stays the
same across retries. LINE executes a request with a given retry key once: a retry after a
timeout or a 5xx whose first try was in fact accepted is answered 409, which this channel takes
as sent. So the channel is ``idempotent``: the outbox may resend a delivery whose outcome it
never learned (a worker killed mid-send) without a second message reaching the volunteer.

Multicast (``send_many``) sends one request for up to 500 deliveries. Its retry key cannot be
any one delivery's key, so it is made from the request's deliveries: a UUID5 of their sorted
keys (``multicast_batches`` shows the chunks of 500 and their keys). Resending the same set
therefore reuses the same key and LINE answers 409 for a request it already accepted. A
transient failure says which key and which deliveries it was (``error.retry_key``,
``error.batch``); the outbox retries those deliveries, or the ones of them still wanted, with
that key (``send_many(them, retry_key=...)``): a 409 then means the first request reached
them all, and a request LINE never accepted runs once. Never retry them one by one by push:
their own keys differ from the request's, so LINE could not tell.

LINE does not promise to remember a retry key for ever, so the outbox's bounded retries should
end within hours, not days.

Blocked accounts. LINE accepts a push to a user who blocked the official account (200) and
silently drops it, so before a push the channel asks for the user's profile, which is 404 for a
user who is not (or no longer) a friend: that delivery fails at once with a Thai reason instead
of being counted as delivered. ``NOTIFICATIONS_LINE_CHECK_FRIENDSHIP = False`` skips the look-up.

The LINE user id comes from the function named by ``NOTIFICATIONS_LINE_USER_ID``; by default
the uid of the user's allauth LINE account, which is the Messaging API's user id when the LINE
Login channel and the Messaging API channel belong to the same LINE provider.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications import conf
from notifications.channels.base import Channel, PermanentError, TransientError
from notifications.messages import absolute

logger = logging.getLogger(__name__)


def setting(name: str):
    """A LINE setting with its default (notifications.conf.LINE_DEFAULTS), read at call time."""
    return conf.line_setting(name)


# LINE's limits (Messaging API reference: message objects, send push / multicast message).
MULTICAST_MAX_RECIPIENTS = 500
TEXT_MAX_CHARS = 5000
ALT_TEXT_MAX_CHARS = 1500
BUTTON_LABEL_MAX_CHARS = 40
# A UUID5 namespace for multicast retry keys (fixed: a chunk's key must not change between runs).
MULTICAST_KEY_NAMESPACE = uuid.UUID("6f1f6e2c-3c1a-5b0e-9a57-6c1d2b8f0e41")


def allauth_line_user_id(user) -> str | None:
    """The user's LINE user id from their allauth LINE account, or None."""
    return allauth_line_user_ids([user]).get(user.pk)


def allauth_line_user_ids(users) -> dict:
    """{user pk: LINE user id} of those of `users` who linked LINE (allauth's
    SocialAccount(provider="line").uid), in one query."""
    if not apps.is_installed("allauth.socialaccount"):
        return {}
    from allauth.socialaccount.models import SocialAccount

    pks = [user.pk for user in users if getattr(user, "pk", None)]
    if not pks:
        return {}
    return dict(
        SocialAccount.objects.filter(user_id__in=pks, provider="line")
        .exclude(uid="")
        .values_list("user_id", "uid")
    )


@lru_cache(maxsize=8)
def _user_id_function(path: str):
    return import_string(path)


def line_user_id(user) -> str | None:
    """The LINE user id the Messaging API knows this user by, or None."""
    if user is None or not getattr(user, "pk", None):
        return None
    return _user_id_function(setting("NOTIFICATIONS_LINE_USER_ID"))(user) or None


def line_user_ids(users) -> dict:
    """{user pk: LINE user id} for many users: one query with the default look-up
    (allauth), one call per user with a host's own NOTIFICATIONS_LINE_USER_ID."""
    if setting("NOTIFICATIONS_LINE_USER_ID") == conf.DEFAULT_LINE_USER_ID:
        return allauth_line_user_ids(users)
    found = {}
    for user in users:
        line_id = line_user_id(user)
        if line_id:
            found[user.pk] = line_id
    return found


def _utf16_len(text: str) -> int:
    # LINE counts characters as UTF-16 code units (an emoji outside the BMP counts 2).
    return len(text.encode("utf-16-le")) // 2


def _shorten(text: str, limit: int) -> str:
    if _utf16_len(text) <= limit:
        return text
    while _utf16_len(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def build_messages(message, stop_url: str = "") -> list:
    """The LINE message objects for a notifications Message: a Flex Message with a button to
    its page when it has one to offer (the certificate, the next module), else plain text.
    `stop_url`: where the volunteer stops LINE messages, from the message itself (a small
    link under the button, or the text's last line)."""
    from linebot.v3.messaging import (
        FlexBox,
        FlexBubble,
        FlexButton,
        FlexMessage,
        FlexText,
        TextMessage,
        URIAction,
    )

    subject = (message.subject or "").strip()
    text = (message.text or "").strip()
    url = message.url or ""
    label = (getattr(message, "button_label", "") or "").strip()
    if url and label:
        body = [FlexText(text=subject or text, weight="bold", size="md", wrap=True)]
        if subject and text:
            body.append(FlexText(text=_shorten(text, 2000), size="sm", wrap=True, margin="md"))
        bubble = FlexBubble(
            body=FlexBox(layout="vertical", contents=body),
            footer=FlexBox(
                layout="vertical",
                contents=[
                    FlexButton(
                        style="primary",
                        action=URIAction(label=_shorten(label, BUTTON_LABEL_MAX_CHARS), uri=url),
                    ),
                    *(
                        [
                            FlexButton(
                                style="link",
                                height="sm",
                                action=URIAction(label=str(STOP_LABEL), uri=stop_url),
                            )
                        ]
                        if stop_url
                        else []
                    ),
                ],
            ),
        )
        alt = _shorten("\n".join(part for part in (subject, text) if part), ALT_TEXT_MAX_CHARS)
        return [FlexMessage(alt_text=alt, contents=bubble)]
    parts = [part for part in (subject, text) if part]
    tail = f"\n{url}" if url else ""
    if stop_url:
        tail += "\n" + str(STOP_TEXT) % {"url": stop_url}
    body = _shorten("\n".join(parts), TEXT_MAX_CHARS - _utf16_len(tail)) + tail
    return [TextMessage(text=body)]


# Under every LINE message: the way to stop them, from the message itself.
STOP_LABEL = gettext_lazy("หยุดรับข้อความทาง LINE")
STOP_TEXT = gettext_lazy("หยุดรับข้อความทาง LINE: %(url)s")


def _line_messages(message, stop_url: str = "") -> list:
    try:
        return build_messages(message, stop_url)
    except (ValueError, TypeError) as error:  # the SDK's models refuse it (pydantic)
        raise PermanentError(
            _("สร้างข้อความ LINE จากข้อความนี้ไม่ได้: %(error)s") % {"error": error}
        ) from error


def multicast_retry_key(keys: Iterable) -> str:
    """The retry key of a multicast request: the same set of delivery keys gives the same key."""
    return str(uuid.uuid5(MULTICAST_KEY_NAMESPACE, ",".join(sorted(str(key) for key in keys))))


def multicast_batches(deliveries: Sequence) -> list[tuple[str, list]]:
    """The multicast requests ``send_many`` makes: (retry key, deliveries) per chunk of at most
    500, chunked over the deliveries sorted by key so a retry of the same set chunks alike
    (the key is the chunk's when all of it is multicast, none dropped as not reachable)."""
    ordered = sorted(deliveries, key=lambda delivery: str(delivery.key))
    chunks = [
        ordered[start : start + MULTICAST_MAX_RECIPIENTS]
        for start in range(0, len(ordered), MULTICAST_MAX_RECIPIENTS)
    ]
    return [(multicast_retry_key(d.key for d in chunk), chunk) for chunk in chunks]


@lru_cache(maxsize=4)
def _api_client(host: str, token: str):
    # One client (and so one connection pool) per host and token, made on first use: in a
    # prefork worker that is after the fork, so processes never share sockets.
    from linebot.v3.messaging import ApiClient, Configuration

    return ApiClient(Configuration(host=host, access_token=token))


def sdk_installed() -> bool:
    return importlib.util.find_spec("linebot") is not None


def messaging_api():
    """The SDK's MessagingApi for the configured token and host (PermanentError without one,
    or without the SDK)."""
    token = setting("NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN")
    if not token:
        raise PermanentError(_("ยังไม่ได้ตั้งค่า LINE ของเว็บไซต์ (ไม่มี channel access token)"))
    if not sdk_installed():
        raise PermanentError(
            _("เว็บไซต์ยังไม่ได้ติดตั้ง line-bot-sdk (wagtail-npv-elearning[line]) จึงส่งทาง LINE ไม่ได้")
        )
    from linebot.v3.messaging import MessagingApi

    return MessagingApi(_api_client(setting("NOTIFICATIONS_LINE_API_HOST").rstrip("/"), token))


def _header(error, name: str) -> str | None:
    for key, value in (getattr(error, "headers", None) or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _error_message(error) -> str:
    import json

    try:
        return str(json.loads(error.body or b"{}").get("message", ""))
    except (ValueError, AttributeError):
        return ""


def _retry_after(error) -> float | None:
    value = _header(error, "Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: back off as usual


def translate_error(error: Exception, *, sending: bool = True) -> Exception:
    """The channel error for an SDK or connection failure (``sending``: a push or multicast)."""
    import urllib3
    from linebot.v3.messaging import ApiException

    if isinstance(error, urllib3.exceptions.HTTPError):
        return TransientError(_("ติดต่อ LINE ไม่ได้ชั่วคราว: %(error)s") % {"error": error})
    if not isinstance(error, ApiException):
        return error
    status = error.status or 0
    detail = _error_message(error)
    if status == 0:  # the SDK's own wrapper of a connection or TLS failure
        return TransientError(_("ติดต่อ LINE ไม่ได้ชั่วคราว: %(error)s") % {"error": error.reason})
    if status == 429:
        if "monthly limit" in detail.lower():
            return PermanentError(_("โควตาข้อความ LINE ของเดือนนี้หมดแล้ว ข้อความนี้จึงไม่ได้ส่งทาง LINE"))
        return TransientError(
            _("LINE ขอให้ส่งช้าลง (ส่งถี่เกินกำหนด) จะลองส่งใหม่อีกครั้ง"),
            retry_after=_retry_after(error),
        )
    if status >= 500:
        return TransientError(_("ระบบของ LINE ขัดข้องชั่วคราว (รหัส %(status)s)") % {"status": status})
    if status in (401, 403):
        return PermanentError(
            _(
                "LINE ไม่ยอมรับ channel access token ของเว็บไซต์ (รหัส %(status)s): "
                "ผู้ดูแลระบบต้องตรวจ token ในการตั้งค่า"
            )
            % {"status": status}
        )
    if sending and status == 400 and "failed to send messages" in detail.lower():
        return PermanentError(_("LINE ไม่รู้จักบัญชี LINE ของผู้รับนี้ (อาจเชื่อมกับบัญชีทางการอื่น)"))
    return PermanentError(
        _("LINE ไม่รับข้อความนี้ (รหัส %(status)s): %(detail)s")
        % {"status": status, "detail": detail or error.reason}
    )


@dataclass(frozen=True)
class BotInfo:
    user_id: str
    basic_id: str
    display_name: str


def bot_info() -> BotInfo:
    """The official account the token belongs to; PermanentError when the token is wrong."""
    try:
        info = messaging_api().get_bot_info(_request_timeout=setting("NOTIFICATIONS_LINE_TIMEOUT"))
    except Exception as error:
        raise translate_error(error, sending=False) from error
    return BotInfo(user_id=info.user_id, basic_id=info.basic_id, display_name=info.display_name)


def is_friend(line_id: str) -> bool:
    """Whether this LINE user has the official account as a friend (and has not blocked it)."""
    from linebot.v3.messaging import ApiException

    try:
        messaging_api().get_profile(line_id, _request_timeout=setting("NOTIFICATIONS_LINE_TIMEOUT"))
    except ApiException as error:
        if error.status == 404:
            return False
        raise translate_error(error, sending=False) from error
    except Exception as error:
        raise translate_error(error, sending=False) from error
    return True


NOT_A_FRIEND = gettext_lazy(
    "ผู้รับยังไม่ได้เพิ่มบัญชี LINE ของหลักสูตรเป็นเพื่อน หรือบล็อกบัญชีไว้ ข้อความจึงส่งทาง LINE ไม่ได้"
)


class LineChannel(Channel):
    name = "line"
    label = gettext_lazy("LINE")
    # X-Line-Retry-Key = delivery.key: a resend of an accepted push is a 409, never a message.
    idempotent = True

    @staticmethod
    def enabled() -> bool:
        """On when the site set a channel access token and has the SDK (the ``line`` extra)."""
        return bool(setting("NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN")) and sdk_installed()

    # Many deliveries of one event go by multicast (send_many), at most this many a request.
    batch_size = MULTICAST_MAX_RECIPIENTS

    def reaches(self, user) -> bool:
        return self.enabled() and bool(line_user_id(user))

    def reachable(self, users) -> set:
        # One query for a cohort (the base's default asks once per person).
        if not self.enabled():
            return set()
        return set(line_user_ids(users))

    def on_by_default(self, user, *, consented: bool) -> bool:
        # On, as e-mail is, for a person who consented to messages (the sign-up's privacy
        # notice): linking LINE is the volunteer's own act, and LINE Login's bot_prompt is
        # where LINE offers the course's official account as a friend, which the volunteer
        # accepts or not in LINE itself (a push to a non-friend fails at the profile
        # look-up, it never arrives). The outbox asks only about people this channel
        # reaches (reachable), so the link is not looked up again here, person by person.
        return consented

    def _recipient(self, delivery, line_ids: dict | None = None) -> str:
        if line_ids is not None:
            line_id = line_ids.get(delivery.user.pk)
        else:
            line_id = line_user_id(delivery.user)
        if not line_id:
            raise PermanentError(_("ผู้รับไม่ได้เชื่อมบัญชี LINE ไว้"))
        return line_id

    def send(self, delivery) -> None:
        from linebot.v3.messaging import ApiException, PushMessageRequest

        api = messaging_api()
        line_id = self._recipient(delivery)
        if setting("NOTIFICATIONS_LINE_CHECK_FRIENDSHIP") and not is_friend(line_id):
            raise PermanentError(str(NOT_A_FRIEND))
        from notifications.unsubscribe import unsubscribe_url

        # One person's message: their own signed link (a confirm page, then one tap).
        stop_url = unsubscribe_url(delivery.user, self.name)
        request = PushMessageRequest(
            to=line_id, messages=_line_messages(delivery.message(), stop_url)
        )
        try:
            api.push_message(
                request,
                x_line_retry_key=str(delivery.key),
                _request_timeout=setting("NOTIFICATIONS_LINE_TIMEOUT"),
            )
        except ApiException as error:
            if error.status == 409:
                # The retry key was already accepted: an earlier try got through.
                logger.info(
                    "LINE push %s already accepted (request %s)",
                    delivery.key,
                    _header(error, "x-line-accepted-request-id"),
                )
                return
            raise translate_error(error) from error
        except Exception as error:
            raise translate_error(error) from error
        note_sent(1)

    def send_many(
        self, deliveries: Sequence, retry_key: str | None = None
    ) -> dict[Any, Exception | None]:
        """Send one message to many people by multicast, each delivery its own outcome:
        ``{delivery.key: None}`` when sent, else the TransientError or PermanentError for it.

        The deliveries must carry the same message (a cohort message); the first one's is
        sent. Recipients who are not friends fail at once (when the friendship check is on).

        A TransientError of a multicast carries ``retry_key`` (the request's) and ``batch``
        (its deliveries' keys). Retry those deliveries, or any of them, with
        ``send_many(them, retry_key=error.retry_key)``: LINE then answers 409 if the first
        request was accepted after all (everyone in it got the message: all sent), or runs it
        once if it was not. Without ``retry_key`` the key is made from the deliveries
        multicast, so resending exactly the same set works too.
        """
        from linebot.v3.messaging import ApiException, MulticastRequest

        outcome: dict[Any, Exception | None] = {}
        if not deliveries:
            return outcome
        if retry_key is not None and len(deliveries) > MULTICAST_MAX_RECIPIENTS:
            raise ValueError("a retry key names one multicast request: at most 500 deliveries")
        try:
            api = messaging_api()
            # One message for everyone in the request, so no one's signed link: the
            # notification choices (after logging in) stop LINE messages there.
            stop_url = absolute(reverse("notifications:preferences"))
            messages = _line_messages(deliveries[0].message(), stop_url)
        except PermanentError as error:
            return {delivery.key: error for delivery in deliveries}
        check = setting("NOTIFICATIONS_LINE_CHECK_FRIENDSHIP")
        line_ids = line_user_ids([delivery.user for delivery in deliveries])
        for _chunk_key, chunk in multicast_batches(deliveries):
            recipients: dict[Any, str] = {}
            try:
                for delivery in chunk:
                    try:
                        line_id = self._recipient(delivery, line_ids)
                        if check and not is_friend(line_id):
                            raise PermanentError(str(NOT_A_FRIEND))
                    except PermanentError as error:
                        outcome[delivery.key] = error
                    else:
                        recipients[delivery.key] = line_id
            except TransientError as error:
                for delivery in chunk:
                    outcome[delivery.key] = error
                continue
            if not recipients:
                continue
            key = retry_key or multicast_retry_key(recipients)
            request = MulticastRequest(to=sorted(set(recipients.values())), messages=messages)
            try:
                api.multicast(
                    request,
                    x_line_retry_key=key,
                    _request_timeout=setting("NOTIFICATIONS_LINE_TIMEOUT"),
                )
            except ApiException as error:
                failure = None if error.status == 409 else translate_error(error)
            except Exception as error:
                failure = translate_error(error)
            else:
                failure = None
                note_sent(len(recipients))
            if isinstance(failure, TransientError):
                failure.retry_key, failure.batch = key, sorted(str(k) for k in recipients)
            for delivery_key in recipients:
                outcome[delivery_key] = failure
        return outcome


# What this site sent since the quota figures were fetched (notifications/line_quota.py
# adds it to the cached use, so two sends in a row cannot spend the same remainder).
SENT_KEY = "notifications:line-quota:sent"


def note_sent(count: int) -> None:
    """Count messages this site sent since the quota figures were fetched."""
    if count <= 0:
        return
    from django.core.cache import cache

    # Nothing cached (ValueError): the next read of the quota fetches afresh anyway.
    with contextlib.suppress(ValueError):
        cache.incr(SENT_KEY, count)
