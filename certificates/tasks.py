"""Celery tasks of the certificates queue. They take primary keys; the
database rows, not the messages, are the record of the work."""

import logging

from celery import shared_task
from django.db import OperationalError

from certificates import lifecycle
from courses.tasks import register_sweep_step

logger = logging.getLogger(__name__)
# Per sweep run: enough for a room of volunteers, bounded for a backlog.
SWEEP_BATCH = 500


# Tasks are named explicitly: queued messages and the beat schedule name them, and the
# names must outlive a move of this module.
@shared_task(
    name="certificates.tasks.issue_certificate",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def issue_certificate(self, user_id: int, course_id: int) -> int | None:
    """Issue (once) and render the certificate of a completed course."""
    try:
        certificate = lifecycle.issue_certificate(user_id, course_id)
    except lifecycle.ProfileIncomplete:
        logger.info("Certificate of user %s for course %s waits for their profile", user_id, course_id)
        return None
    except lifecycle.NotEligible:
        logger.warning("No certificate: user %s has not completed course %s", user_id, course_id)
        return None
    if certificate.current_version_id:
        # The task id is the render claim's owner: a redelivery of this task
        # after its worker died takes the claim over at once.
        lifecycle.render_version(certificate.current_version_id, claimant=self.request.id or "")
    return certificate.pk


@shared_task(
    name="certificates.tasks.render_certificate_pdf",
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def render_certificate_pdf(self, version_id: int) -> bool:
    return lifecycle.render_version(version_id, claimant=self.request.id or "")


def sweep() -> dict:
    """Queue the certificates that completed courses should have produced and
    the PDFs that are missing: a lost task never leaves a volunteer without one."""
    issued = 0
    for user_id, course_id in lifecycle.completions_without_certificate().values_list(
        "user_id", "course_id"
    )[:SWEEP_BATCH]:
        try:
            issue_certificate.delay(user_id, course_id)
            issued += 1
        except Exception:
            logger.exception("Sweep could not queue a certificate; next sweep will")
            break
    rendered = 0
    for version_id in lifecycle.versions_missing_pdf().values_list("pk", flat=True)[:SWEEP_BATCH]:
        try:
            render_certificate_pdf.delay(version_id)
            rendered += 1
        except Exception:
            logger.exception("Sweep could not queue a render; next sweep will")
            break
    return {"issue": issued, "render": rendered}


@shared_task(name="certificates.tasks.sweep_certificates")
def sweep_certificates() -> dict:
    return sweep()


# The periodic sweep of courses.tasks runs this with its other steps.
@register_sweep_step("queue missing certificates and PDFs")
def _sweep_step() -> int:
    counts = sweep()
    return counts["issue"] + counts["render"]
