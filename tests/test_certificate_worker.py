"""Certificates issued by a real Celery worker process (tests/celery_worker.py)."""

import time
from pathlib import Path

import pytest

from certificates import tasks
from certificates.models import Certificate, CertificateVersion
from courses.progress import record_module_pass
from tests.certificates_support import completed_enrolment, new_course
from tests.factories import VolunteerProfileFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ISSUE_TASK = "certificates.tasks.issue_certificate"


def wait_for(condition, timeout=120, what="the worker"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out waiting for {what}")


def test_passing_the_last_module_issues_and_renders_the_certificate(
    celery_worker, client, settings
):
    course = new_course()
    profile = VolunteerProfileFactory(first_name="น้ำทิพย์", last_name="ฤๅษีญี่ปุ่น")
    module = course.modules().first()

    # Outside any transaction, as in a grading task: course_completed is sent
    # at once, and the certificates app sends its task to the broker.
    assert record_module_pass(profile.user, module, score_percent=None)

    wait_for(
        lambda: (
            CertificateVersion.objects.filter(
                certificate__user=profile.user, certificate__course=course
            )
            .exclude(pdf="")
            .exists()
        ),
        what="the certificate PDF",
    )
    certificate = Certificate.objects.get(user=profile.user)
    stored = Path(celery_worker.media_root) / certificate.current_version.pdf.name
    assert stored.read_bytes().startswith(b"%PDF")
    assert celery_worker.deliveries(ISSUE_TASK)[-1:] == [(profile.user.pk, course.pk)]

    # The web process streams what the worker stored.
    settings.MEDIA_ROOT = celery_worker.media_root
    client.force_login(profile.user)
    response = client.get(f"/certificates/download/{certificate.display_code}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored.read_bytes()


def test_tasks_delivered_twice_to_two_workers_make_one_certificate_each(
    celery_worker, start_celery_worker
):
    start_celery_worker(queues=("certificates",), concurrency=2)
    course = new_course()
    users = [completed_enrolment(course=course)[0] for _ in range(6)]
    before = len(celery_worker.deliveries(ISSUE_TASK))
    for user in users:
        tasks.issue_certificate.delay(user.pk, course.pk)
        tasks.issue_certificate.delay(user.pk, course.pk)

    wait_for(lambda: len(celery_worker.deliveries(ISSUE_TASK)) - before >= 12, what="12 deliveries")
    wait_for(
        lambda: (
            CertificateVersion.objects.filter(certificate__course=course).exclude(pdf="").count()
            == 6
        ),
        what="six rendered certificates",
    )
    # Let any slower duplicate finish before counting.
    time.sleep(1)
    certificates = Certificate.objects.filter(course=course)
    assert certificates.count() == 6
    assert sorted(certificates.values_list("serial", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert CertificateVersion.objects.filter(certificate__course=course).count() == 6
    pdfs = list((Path(celery_worker.media_root) / "certificates" / "pdf").rglob("*.pdf"))
    names = set(CertificateVersion.objects.values_list("pdf", flat=True))
    # Rendered once: no second copy of any certificate was left behind.
    assert {str(p.relative_to(celery_worker.media_root)) for p in pdfs} >= {
        name for name in names if name and name.startswith("certificates/pdf/")
    }
    course_pdfs = [p for p in pdfs if any(p.name.startswith(c.number) for c in certificates)]
    assert len(course_pdfs) == 6
