"""The text of each kind of event, in Thai, short, with a link back.

A kind is registered once with a function `(event, user) -> Message`; the
plugins register theirs (notifications.kinds) and a site registers its own
(a cohort invitation, a trainer's message) the same way, in its AppConfig.ready():

    from notifications.messages import register_kind
    register_kind("cohorts.invited", build_invitation_message)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from notifications import conf


@dataclass
class Message:
    subject: str
    text: str
    url: str  # absolute
    button_label: str
    kind: str


MessageBuilder = Callable[..., Message]
_kinds: dict[str, MessageBuilder] = {}


def register_kind(kind: str, build: MessageBuilder) -> None:
    """Name a kind of event and how its message reads. Registering the same
    kind again replaces the earlier builder."""
    _kinds[kind] = build


def registered_kinds() -> set[str]:
    return set(_kinds)


def absolute(path: str) -> str:
    """A path of this site as the link a message carries."""
    if path.startswith(("http://", "https://")):
        return path
    return conf.base_url() + path


def build_message(event, user) -> Message:
    build = _kinds.get(event.kind)
    if build is None:
        # A kind whose site stopped registering it still reads as something.
        return Message(
            subject=_("มีข่าวจากบทเรียน"),
            text=event.payload.get("text", _("มีข่าวใหม่ในการเรียนของคุณ")),
            url=absolute(event.payload.get("url", "/")),
            button_label=_("เปิดดู"),
            kind=event.kind,
        )
    return build(event, user)
