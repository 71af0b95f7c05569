"""The plugins' signals, turned into events (notifications.kinds)."""

from __future__ import annotations

from notifications import kinds
from notifications.outbox import notify


def grade_ready(sender, user_id: int, attempt_id: int, passed: bool, **kwargs) -> None:
    percent = kwargs.get("score_percent")
    notify(
        kinds.GRADE_READY,
        [user_id],
        key=f"grade:{attempt_id}",
        context={
            "attempt_id": attempt_id,
            "passed": bool(passed),
            "percent": "" if percent is None else f"{float(percent):g}",
            "module_title": kwargs.get("module_title", ""),
        },
    )


def certificate_ready(sender, certificate, version, reissued: bool, **kwargs) -> None:
    if certificate.user_id is None:
        return
    kind = kinds.CERTIFICATE_REISSUED if reissued else kinds.CERTIFICATE_ISSUED
    notify(
        kind,
        [certificate.user_id],
        key=f"certificate-ready:{version.pk}",
        context=_certificate_context(certificate, version),
    )


def certificate_revoked(sender, certificate, event_id: int, **kwargs) -> None:
    if certificate.user_id is None:
        return
    notify(
        kinds.CERTIFICATE_REVOKED,
        [certificate.user_id],
        key=f"certificate-revoked:{event_id}",
        context=_certificate_context(certificate, certificate.current_version),
    )


def _certificate_context(certificate, version) -> dict:
    return {
        "certificate_id": certificate.pk,
        "code": certificate.display_code,
        "number": certificate.number,
        "course_title": version.course_title if version else "",
    }
