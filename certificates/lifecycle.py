"""A certificate's life: issued once on completion, rendered once by a worker,
revoked, re-issued, withdrawn with its holder's account, and swept up when a task
was lost.

Plain functions that tasks, views, admin screens and tests call directly. Tasks are
sent by their registered names (`send_task_after_commit`), so this module does not
import certificates.tasks, which imports it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from wagtail.signal_handlers import disable_reference_index_auto_update

from certificates import conf
from certificates.assets import DEFAULT_LOGO, file_url, static_url
from certificates.codes import new_code
from certificates.design import design_snapshot
from certificates.holders import holder_snapshot
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateSettings,
    CertificateVersion,
    certificate_storage,
)
from certificates.numbering import allocate_serial, format_number
from certificates.rendering import (
    CertificateContent,
    Signatory,
    place_line,
    render_pdf,
    thai_long_date,
)
from certificates.signals import certificate_ready, certificate_revoked
from courses.learners import get_learner_profile, incomplete_learners
from courses.models import Enrolment
from courses.thai_dates import buddhist_year

logger = logging.getLogger(__name__)

# The names certificates.tasks registers its tasks under.
ISSUE_TASK = "certificates.tasks.issue_certificate"
RENDER_TASK = "certificates.tasks.render_certificate_pdf"


def sweep_after() -> timedelta:
    """How long the normal path (the task sent on completion) gets before the
    sweep steps in. It is also the age at which a render claim counts as left
    by a dead worker: more than the hard time limit of a task, so a claim
    this old cannot belong to a render still running."""
    return timedelta(seconds=conf.sweep_after_seconds())


class NotEligible(Exception):
    """The volunteer has not completed the course."""


class ProfileIncomplete(NotEligible):
    """The course is completed but the learner's profile is not complete enough
    for a certificate (`LearnerProfile.is_complete`): it is issued once the host
    sends `courses.signals.learner_profile_changed`."""


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
    workers at once, a re-pass). Raises NotEligible before completion, and
    ProfileIncomplete while the learner's profile lacks what a certificate prints."""
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
    profile = get_learner_profile(enrolment.user)
    if not profile.is_complete:
        raise ProfileIncomplete(f"user {user_id} has to complete their profile first")
    # Images are copied outside the transaction: slow, and harmless to repeat.
    design = design_snapshot(CertificateSettings.load())
    holder = holder_snapshot(enrolment.user, profile)
    issued_on = timezone.localdate(enrolment.completed_at)
    year_be = buddhist_year(issued_on)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                serial = allocate_serial(year_be)
                # Wagtail indexes the certificate's references (its course and
                # holder, for the admin's usage listings) on each save: once,
                # on the save below that completes it, not twice.
                with disable_reference_index_auto_update():
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
        event = CertificateEvent.objects.create(
            certificate=certificate,
            kind=CertificateEvent.Kind.REVOKED,
            actor=actor,
            version=certificate.current_version,
            reason=reason.strip(),
        )
        transaction.on_commit(
            partial(
                certificate_revoked.send,
                sender=Certificate,
                certificate=certificate,
                event_id=event.pk,
            ),
            robust=True,
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
    transaction.on_commit(
        partial(
            certificate_ready.send,
            sender=Certificate,
            certificate=certificate,
            version=version,
            reissued=version.version > 1,
        ),
        robust=True,
    )
    return True


def send_task_after_commit(name: str, *args, failure: str) -> None:
    """Send a task of certificates.tasks, by its registered name, once the
    transaction commits; a broker that is down leaves the work to the sweep and
    logs `failure` (formatted with the arguments)."""

    def send():
        from celery import current_app

        try:
            current_app.tasks[name].delay(*args)
        except Exception:
            logger.exception(failure, *args)

    transaction.on_commit(send, robust=True)


def queue_render(version_id: int) -> None:
    """Send the render task after commit; a broker that is down leaves the
    work to the sweep."""
    send_task_after_commit(
        RENDER_TASK, version_id, failure="Could not queue rendering of version %s; the sweep will"
    )


def queue_issue(user_id: int, course_id: int) -> None:
    send_task_after_commit(
        ISSUE_TASK,
        user_id,
        course_id,
        failure="Could not queue the certificate of user %s for course %s; the sweep will",
    )


# -- The sweep ----------------------------------------------------------------


def completions_without_certificate(
    older_than: timedelta | None = None, *, waiting_for_profile: bool = False
):
    """Completed enrolments that should have produced a certificate by now.
    Those of learners the host names as having an incomplete profile
    (COURSES_INCOMPLETE_LEARNERS) wait for it, so a sweep does not resend them
    each time; `waiting_for_profile` includes them."""
    older_than = sweep_after() if older_than is None else older_than
    has_certificate = Certificate.objects.filter(user=OuterRef("user"), course=OuterRef("course"))
    completions = Enrolment.objects.filter(completed_at__lt=timezone.now() - older_than).filter(
        ~Exists(has_certificate)
    )
    incomplete = None if waiting_for_profile else incomplete_learners()
    if incomplete is not None:
        completions = completions.exclude(user__in=incomplete)
    return completions.order_by("completed_at")


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
