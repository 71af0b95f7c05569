"""The plugins' own kinds of event and their messages (notifications.messages)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from notifications.messages import Message, absolute, register_kind

GRADE_READY = "courses.grade_ready"
CERTIFICATE_ISSUED = "certificates.issued"
CERTIFICATE_REISSUED = "certificates.reissued"
CERTIFICATE_REVOKED = "certificates.revoked"


def _url(name: str, *args, fallback: str = "/") -> str:
    try:
        return absolute(reverse(name, args=args))
    except NoReverseMatch:
        return absolute(fallback)


def grade_ready(event, user) -> Message:
    payload = event.payload
    title = payload.get("module_title", "")
    if payload.get("passed"):
        subject = _("คุณสอบผ่าน %(module)s แล้ว") % {"module": title}
        text = _("ผลแบบทดสอบ %(module)s ออกแล้ว คุณได้ %(percent)s%% ผ่านแล้ว") % {
            "module": title,
            "percent": payload.get("percent", ""),
        }
    else:
        subject = _("ผลแบบทดสอบ %(module)s ออกแล้ว") % {"module": title}
        text = _("คุณได้ %(percent)s%% ยังไม่ผ่าน ทบทวนบทเรียนแล้วลองใหม่ได้") % {
            "percent": payload.get("percent", "")
        }
    return Message(
        subject=subject,
        text=text,
        url=_url("courses:quiz_attempt", payload["attempt_id"]),
        button_label=_("ดูผลสอบ"),
        kind=event.kind,
    )


def certificate_issued(event, user) -> Message:
    payload = event.payload
    reissued = event.kind == CERTIFICATE_REISSUED
    subject = (
        _("เกียรติบัตร %(course)s ฉบับใหม่พร้อมแล้ว") if reissued else _("เกียรติบัตร %(course)s พร้อมแล้ว")
    ) % {"course": payload.get("course_title", "")}
    text = (
        _("เกียรติบัตรเลขที่ %(number)s ออกฉบับใหม่แล้ว ดาวน์โหลดฉบับล่าสุดได้เลย")
        if reissued
        else _("ยินดีด้วย เกียรติบัตรเลขที่ %(number)s ของคุณพร้อมให้ดาวน์โหลดแล้ว")
    ) % {"number": payload.get("number", "")}
    return Message(
        subject=subject,
        text=text,
        url=_url("certificates:download", payload.get("code", "-")),
        button_label=_("ดาวน์โหลดเกียรติบัตร"),
        kind=event.kind,
    )


def certificate_revoked(event, user) -> Message:
    payload = event.payload
    return Message(
        subject=_("เกียรติบัตร %(course)s ถูกเพิกถอน") % {"course": payload.get("course_title", "")},
        text=_("เกียรติบัตรเลขที่ %(number)s ถูกเพิกถอนแล้ว ติดต่อวิทยากรหากมีข้อสงสัย")
        % {"number": payload.get("number", "")},
        url=_url("certificates:verify", payload.get("code", "-")),
        button_label=_("ดูสถานะเกียรติบัตร"),
        kind=event.kind,
    )


def register_plugin_kinds() -> None:
    register_kind(GRADE_READY, grade_ready)
    register_kind(CERTIFICATE_ISSUED, certificate_issued)
    register_kind(CERTIFICATE_REISSUED, certificate_issued)
    register_kind(CERTIFICATE_REVOKED, certificate_revoked)
