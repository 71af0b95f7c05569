"""Who may download a certificate, under what name, and whose certificates a page lists."""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext as _

from certificates.models import Certificate
from courses.trainers import trains_learner


def can_download(user, certificate: Certificate) -> bool:
    """Site administrators any certificate; while it is valid, its holder and
    whoever the host says trains the holder on the course."""
    if not user.is_authenticated:
        return False
    if user.has_perm("certificates.download_any_certificate"):
        return True
    if certificate.status != Certificate.Status.VALID or certificate.user_id is None:
        return False
    if certificate.user_id == user.pk:
        return True
    # The host says who trains whom (setting COURSES_TRAINS_LEARNER).
    return certificate.course_id is not None and trains_learner(
        user, certificate.user_id, certificate.course_id
    )


_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def download_filename(certificate: Certificate) -> str:
    """เกียรติบัตร-<course title>-NPV-2569-000311.pdf"""
    course_title = certificate.current_version.course_title if certificate.current_version else ""
    course_title = _UNSAFE_FILENAME.sub(" ", course_title).strip()
    course_title = re.sub(r"\s+", "-", course_title)[:80].rstrip("-.")
    with translation.override("th"):
        word = _("เกียรติบัตร")
    parts = [word, course_title, certificate.number]
    return "-".join(part for part in parts if part) + ".pdf"


def certificates_of(user) -> list[Certificate]:
    if not user.is_authenticated:
        return []
    return list(
        Certificate.objects.filter(user=user)
        .select_related("current_version")
        .order_by("-issued_at")
    )
