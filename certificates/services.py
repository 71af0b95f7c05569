"""Certificate rules: issuing, rendering once, revoking, re-issuing, withdrawal.

Plain functions that tasks, views, admin screens and tests call directly.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certificates import conf
from certificates.codes import new_code
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateSettings,
    CertificateVersion,
    certificate_storage,
)
from certificates.numbering import allocate_serial, format_number
from certificates.rendering import (
    DEFAULT_LOGO,
    CertificateContent,
    Signatory,
    file_url,
    place_line,
    render_pdf,
    static_url,
    thai_long_date,
)
from npv_site.cohorts.permissions import trains_volunteer_on_course
from courses.models import Enrolment
from courses.thai_dates import buddhist_year

logger = logging.getLogger(__name__)

ASSET_FOLDER = "certificates/assets"
# About 200 dpi at the printed sizes: sharp on paper, a few KB in the PDF.
SIGNATURE_BOX = (360, 120)
LOGO_BOX = (240, 240)


def sweep_after() -> timedelta:
    """How long the normal path (the task sent on completion) gets before the
    sweep steps in. It is also the age at which a render claim counts as left
    by a dead worker: more than the hard time limit of a task, so a claim
    this old cannot belong to a render still running."""
    return timedelta(seconds=conf.sweep_after_seconds())


class NotEligible(Exception):
    """The volunteer has not completed the course."""


# -- What a certificate prints ------------------------------------------------


def _store_image_copy(image, box: tuple[int, int], single_ink: bool) -> str:
    """A small PNG copy of a Wagtail image in the certificates storage, named
    by its content: the certificate keeps it even if the image is later
    replaced or deleted, and a thousand certificates share one file."""
    from PIL import Image as PILImage
    from PIL import ImageStat

    with image.open_file() as handle:
        picture = PILImage.open(handle)
        picture.load()
    picture = picture.convert("RGBA")
    picture.thumbnail(box)
    if single_ink:
        # A signature is one ink on a transparent ground: give every pixel
        # the ink's colour and keep the shape in the alpha channel. The PDF
        # then holds a near-empty colour image and a small mask (a few KB).
        alpha = picture.getchannel("A")
        opaque = alpha.point(lambda value: 255 if value > 128 else 0)
        if opaque.getbbox():
            ink = tuple(round(v) for v in ImageStat.Stat(picture.convert("RGB"), mask=opaque).mean)
            picture = PILImage.new("RGBA", picture.size, (*ink, 0))
            picture.putalpha(alpha)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    name = f"{ASSET_FOLDER}/{hashlib.sha256(data).hexdigest()[:32]}.png"
    storage = certificate_storage()
    if not storage.exists(name):
        storage.save(name, ContentFile(data))
    return name


_image_copies: dict[tuple, str] = {}


def _image_copy(image, box: tuple[int, int], single_ink: bool = False) -> str:
    key = (image.pk, image.file.name, box, single_ink)
    if key not in _image_copies or not certificate_storage().exists(_image_copies[key]):
        _image_copies[key] = _store_image_copy(image, box, single_ink)
    return _image_copies[key]


def design_snapshot(design: CertificateSettings) -> dict:
    """Issuer, wording and signatories as they stand now, with copies of the
    images, to be stored with a certificate version."""
    signatories = []
    for block in design.signatories:
        if block.block_type != "signatory":
            continue
        value = block.value
        signature = value.get("signature")
        signatories.append(
            {
                "name": value.get("name", ""),
                "position": value.get("position", ""),
                "signature": _image_copy(signature, SIGNATURE_BOX, single_ink=True)
                if signature
                else "",
            }
        )
    return {
        "issuer_name": design.issuer_name,
        "issuer_detail": design.issuer_detail,
        "logo": _image_copy(design.logo, LOGO_BOX) if design.logo_id else "",
        "title": design.title,
        "statement": design.statement,
        "completion_text": design.completion_text,
        "closing_text": design.closing_text,
        "date_prefix": design.date_prefix,
        "number_prefix": design.number_prefix,
        "signatories": signatories,
    }


def holder_snapshot(user) -> dict:
    """The volunteer's name and village as a certificate prints them."""
    from npv_site.accounts.models import VolunteerProfile

    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return {"holder_name": user.get_full_name() or user.get_username()}
    return {
        "holder_name": profile.full_name,
        "holder_name_en": profile.name_en,
        "village_no": profile.village_no,
        "village_name": profile.village_name,
        "subdistrict": profile.subdistrict,
        "district": profile.district,
        "province": profile.province,
    }


def content_for(version: CertificateVersion) -> CertificateContent:
    """The text of a stored version, ready to render."""
    certificate = version.certificate
    design = version.design
    with translation.override("th"):
        return CertificateContent(
            title=design.get("title", ""),
            statement=design.get("statement", ""),
            holder_name=version.holder_name,
            holder_name_en=version.holder_name_en,
            place=place_line(
                village_no=version.village_no,
                village_name=version.village_name,
                subdistrict=version.subdistrict,
                district=version.district,
                province=version.province,
            ),
            completion_text=design.get("completion_text", ""),
            course_title=version.course_title,
            closing_text=design.get("closing_text", ""),
            date_line=" ".join(
                part
                for part in (design.get("date_prefix", ""), thai_long_date(certificate.issued_on))
                if part
            ),
            issuer_name=design.get("issuer_name", ""),
            issuer_detail=design.get("issuer_detail", ""),
            logo_url=file_url(design["logo"]) if design.get("logo") else static_url(DEFAULT_LOGO),
            number=certificate.number,
            code=certificate.display_code,
            verification_url=certificate.get_verification_url(),
            signatories=[
                Signatory(
                    name=s["name"],
                    position=s["position"],
                    signature_url=file_url(s["signature"]) if s.get("signature") else "",
                )
                for s in design.get("signatories", [])
            ],
        )


# -- Issuing ------------------------------------------------------------------


def issue_certificate(user_id: int, course_id: int) -> Certificate:
    """The volunteer's certificate for a completed course, issued the first
    time and returned as it is every later time (a task delivered twice, two
    workers at once, a re-pass). Raises NotEligible before completion."""
    existing = Certificate.objects.filter(user_id=user_id, course_id=course_id).first()
    if existing is not None:
        return existing
    enrolment = (
        Enrolment.objects.select_related("user", "course")
        .filter(user_id=user_id, course_id=course_id, completed_at__isnull=False)
        .first()
    )
    if enrolment is None:
        raise NotEligible(f"user {user_id} has not completed course {course_id}")
    # Images are copied outside the transaction: slow, and harmless to repeat.
    design = design_snapshot(CertificateSettings.load())
    holder = holder_snapshot(enrolment.user)
    issued_on = timezone.localdate(enrolment.completed_at)
    year_be = buddhist_year(issued_on)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                serial = allocate_serial(year_be)
                certificate = Certificate.objects.create(
                    user_id=user_id,
                    course_id=course_id,
                    code=new_code(),
                    number=format_number(design["number_prefix"], year_be, serial),
                    year_be=year_be,
                    serial=serial,
                    issued_on=issued_on,
                )
                version = CertificateVersion.objects.create(
                    certificate=certificate,
                    version=1,
                    course_title=enrolment.course.title,
                    design=design,
                    **holder,
                )
                certificate.current_version = version
                certificate.save(update_fields=["current_version"])
                CertificateEvent.objects.create(
                    certificate=certificate, kind=CertificateEvent.Kind.ISSUED, version=version
                )
            logger.info("Issued certificate %s to user %s", certificate.number, user_id)
            return certificate
        except IntegrityError:
            # Another worker issued it first (or, once in 2^80, the code was taken).
            existing = Certificate.objects.filter(user_id=user_id, course_id=course_id).first()
            if existing is not None:
                return existing
    raise RuntimeError(f"Could not issue a certificate to user {user_id} for course {course_id}")


def reissue_certificate(
    certificate: Certificate, *, actor=None, reason: str = ""
) -> CertificateVersion:
    """A new version with the holder's current name and village and the
    current settings; same number and verification code. A revoked
    certificate becomes valid again. The new PDF is rendered by the worker."""
    if certificate.status == Certificate.Status.WITHDRAWN or certificate.user_id is None:
        raise ValueError("A certificate withdrawn by its holder cannot be re-issued")
    design = design_snapshot(CertificateSettings.load())
    # The number keeps the prefix it was issued with.
    design["number_prefix"] = certificate.number.rsplit("-", 2)[0]
    holder = holder_snapshot(certificate.user)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        last = certificate.versions.order_by("-version").first()
        course_title = certificate.course.title if certificate.course else last.course_title
        version = CertificateVersion.objects.create(
            certificate=certificate,
            version=last.version + 1,
            reason=reason,
            course_title=course_title,
            design=design,
            **holder,
        )
        certificate.current_version = version
        if certificate.status != Certificate.Status.VALID:
            certificate.status = Certificate.Status.VALID
            certificate.status_changed_at = timezone.now()
        certificate.save(update_fields=["current_version", "status", "status_changed_at"])
        CertificateEvent.objects.create(
            certificate=certificate,
            kind=CertificateEvent.Kind.REISSUED,
            actor=actor,
            version=version,
            reason=reason,
        )
        queue_render(version.pk)
    return version


def revoke_certificate(certificate: Certificate, *, actor=None, reason: str) -> Certificate:
    if not reason.strip():
        raise ValueError("A revocation needs a reason")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status != Certificate.Status.VALID:
            return certificate
        certificate.status = Certificate.Status.REVOKED
        certificate.status_changed_at = timezone.now()
        certificate.save(update_fields=["status", "status_changed_at"])
        CertificateEvent.objects.create(
            certificate=certificate,
            kind=CertificateEvent.Kind.REVOKED,
            actor=actor,
            version=certificate.current_version,
            reason=reason.strip(),
        )
    return certificate


def withdraw_certificates(user) -> int:
    """The holder deleted their account: their certificates verify as
    withdrawn and keep nothing personal (name, village, PDFs, reasons)."""
    certificates = list(Certificate.objects.filter(user=user))
    if not certificates:
        return 0
    now = timezone.now()
    versions = CertificateVersion.objects.filter(certificate__in=certificates)
    files = list(versions.exclude(pdf="").values_list("pdf", flat=True))
    versions.update(
        holder_name="",
        holder_name_en="",
        village_no=None,
        village_name="",
        subdistrict="",
        district="",
        province="",
        reason="",
        pdf="",
        pdf_size=None,
    )
    CertificateEvent.objects.filter(certificate__in=certificates).update(reason="")
    Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(
        status=Certificate.Status.WITHDRAWN, status_changed_at=now
    )
    CertificateEvent.objects.bulk_create(
        CertificateEvent(certificate=c, kind=CertificateEvent.Kind.WITHDRAWN, created_at=now)
        for c in certificates
    )

    def delete_files():
        storage = certificate_storage()
        for name in files:
            try:
                storage.delete(name)
            except Exception:
                logger.exception("Could not delete withdrawn certificate file %s", name)

    # Files go only once the deletion is committed.
    transaction.on_commit(delete_files, robust=True)
    return len(certificates)


# -- Rendering ----------------------------------------------------------------


def render_version(version_id: int, *, claimant: str = "") -> bool:
    """Render a version's PDF and store it, once: returns False when it is
    already rendered, claimed by another worker, or withdrawn.

    `claimant` names the run (the task id). A task redelivered because its
    worker died mid-render carries the same id and takes over its own claim
    at once, instead of leaving the PDF to the sweep once the claim is stale.
    """
    now = timezone.now()
    claimable = Q(render_claimed_at__isnull=True) | Q(render_claimed_at__lt=now - sweep_after())
    if claimant:
        claimable |= Q(render_claimed_by=claimant)
    claimed = (
        CertificateVersion.objects.filter(pk=version_id, pdf="")
        .exclude(certificate__status=Certificate.Status.WITHDRAWN)
        .filter(claimable)
        .update(render_claimed_at=now, render_claimed_by=claimant)
    )
    if not claimed:
        return False
    version = CertificateVersion.objects.select_related("certificate").get(pk=version_id)
    try:
        pdf = render_pdf(content_for(version))
    except BaseException:
        CertificateVersion.objects.filter(pk=version_id).update(
            render_claimed_at=None, render_claimed_by=""
        )
        raise
    certificate = version.certificate
    filename = f"{certificate.number}-v{version.version}-{secrets.token_urlsafe(12)}.pdf"
    stored = version.pdf.field.generate_filename(version, filename)
    stored = certificate_storage().save(stored, ContentFile(pdf))
    updated = (
        CertificateVersion.objects.filter(pk=version_id, pdf="")
        .exclude(certificate__status=Certificate.Status.WITHDRAWN)
        .update(pdf=stored, pdf_size=len(pdf), rendered_at=timezone.now())
    )
    if not updated:
        # Withdrawn (or rendered by a worker that took over a stale claim)
        # while this one rendered: keep no stray copy.
        certificate_storage().delete(stored)
        return False
    return True


def queue_render(version_id: int) -> None:
    """Send the render task after commit; a broker that is down leaves the
    work to the sweep."""
    from certificates import tasks

    def send():
        try:
            tasks.render_certificate_pdf.delay(version_id)
        except Exception:
            logger.exception("Could not queue rendering of version %s; the sweep will", version_id)

    transaction.on_commit(send, robust=True)


def queue_issue(user_id: int, course_id: int) -> None:
    from certificates import tasks

    def send():
        try:
            tasks.issue_certificate.delay(user_id, course_id)
        except Exception:
            logger.exception(
                "Could not queue the certificate of user %s for course %s; the sweep will",
                user_id,
                course_id,
            )

    transaction.on_commit(send, robust=True)


# -- The sweep ----------------------------------------------------------------


def completions_without_certificate(older_than: timedelta | None = None):
    """Completed enrolments that should have produced a certificate by now."""
    older_than = sweep_after() if older_than is None else older_than
    has_certificate = Certificate.objects.filter(user=OuterRef("user"), course=OuterRef("course"))
    return (
        Enrolment.objects.filter(completed_at__lt=timezone.now() - older_than)
        .filter(~Exists(has_certificate))
        .order_by("completed_at")
    )


def versions_missing_pdf(older_than: timedelta | None = None):
    """Current versions with no stored PDF whose render is not in progress."""
    now = timezone.now()
    older_than = sweep_after() if older_than is None else older_than
    return (
        CertificateVersion.objects.filter(pdf="", created_at__lt=now - older_than)
        .exclude(certificate__status=Certificate.Status.WITHDRAWN)
        .filter(certificate__current_version=F("pk"))
        .filter(Q(render_claimed_at__isnull=True) | Q(render_claimed_at__lt=now - sweep_after()))
        .order_by("created_at")
    )


# -- Who sees what ------------------------------------------------------------


def can_download(user, certificate: Certificate) -> bool:
    """Site administrators any certificate; while it is valid, its holder and
    the trainers of a cohort that has the holder and the course."""
    if not user.is_authenticated:
        return False
    if user.has_perm("certificates.download_any_certificate"):
        return True
    if certificate.status != Certificate.Status.VALID or certificate.user_id is None:
        return False
    if certificate.user_id == user.pk:
        return True
    return certificate.course_id is not None and trains_volunteer_on_course(
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
