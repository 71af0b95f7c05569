"""Certificates issued by a real Celery worker process (tests/celery_worker.py),
and the faults: a task delivered twice, a pool process killed mid-render, the
whole worker killed mid-render."""

import datetime
import os
import signal
import time
from pathlib import Path

import pytest
from django.utils import timezone

from certificates import lifecycle, tasks
from certificates.models import Certificate, CertificateVersion
from courses.progress import record_module_pass
from courses.tasks import sweep_pending_work
from tests.certificates_support import completed_enrolment, new_course
from tests.factories import VolunteerProfileFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ISSUE_TASK = "certificates.tasks.issue_certificate"
RENDER_TASK = "certificates.tasks.render_certificate_pdf"


def stored_pdfs(worker) -> set[str]:
    """Every certificate PDF in the workers' media storage (shared by the
    session's workers, so a test compares before and after)."""
    root = Path(worker.media_root)
    return {str(path.relative_to(root)) for path in (root / "certificates" / "pdf").rglob("*.pdf")}


def rendered(version_id) -> bool:
    return CertificateVersion.objects.filter(pk=version_id).exclude(pdf="").exists()


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
    # A duplicate that rendered too finds the claim taken and deletes its copy: on a
    # busy machine that can come after the six are counted, so its copy is waited out
    # (a copy left behind for good still fails here).
    numbers = [c.number for c in certificates]

    def course_pdfs():
        found = (Path(celery_worker.media_root) / "certificates" / "pdf").rglob("*.pdf")
        return [p for p in found if any(p.name.startswith(number) for number in numbers)]

    wait_for(lambda: len(course_pdfs()) == 6, timeout=30, what="one PDF per certificate")
    assert len(course_pdfs()) == 6


def test_pool_process_killed_mid_render_is_redelivered_and_leaves_one_pdf(celery_worker):
    user, course = completed_enrolment()
    pdfs_before = stored_pdfs(celery_worker)

    with celery_worker.hold(ISSUE_TASK, user.pk, course.pk, point="render") as held:
        tasks.issue_certificate.delay(user.pk, course.pk)
        pid = held.wait_until_reached()
        assert pid in celery_worker.pool_pids()
        # Mid-render: issued and claimed by this run, nothing stored yet.
        version = CertificateVersion.objects.get(certificate__user=user)
        assert version.pdf == "" and version.render_claimed_at is not None
        os.kill(pid, signal.SIGKILL)

    wait_for(lambda: rendered(version.pk), what="the PDF after the redelivery")
    certificate = Certificate.objects.get(user=user)
    wait_for(
        lambda: celery_worker.results(ISSUE_TASK).count(((user.pk, course.pk), certificate.pk)),
        what="the redelivered task to finish",
    )
    # Two deliveries (the killed one and the redelivery), one finished run;
    # the redelivery took over its own claim instead of waiting for the sweep.
    assert celery_worker.deliveries(ISSUE_TASK).count((user.pk, course.pk)) == 2
    assert celery_worker.results(ISSUE_TASK).count(((user.pk, course.pk), certificate.pk)) == 1
    assert Certificate.objects.filter(user=user, course=course).count() == 1
    assert CertificateVersion.objects.filter(certificate=certificate).count() == 1
    assert certificate.serial == 1
    version.refresh_from_db()
    assert stored_pdfs(celery_worker) - pdfs_before == {version.pdf.name}
    stored = Path(celery_worker.media_root) / version.pdf.name
    assert stored.read_bytes().startswith(b"%PDF") and stored.stat().st_size == version.pdf_size


def test_whole_worker_killed_mid_render_is_rendered_by_the_sweep_on_a_fresh_worker(
    start_celery_worker,
):
    user, course = completed_enrolment()
    # The doomed worker alone consumes a queue of its own, so that no other
    # worker of the session can take the task first.
    doomed = start_celery_worker(queues=("certificates-doomed",), concurrency=1)
    pdfs_before = stored_pdfs(doomed)

    with doomed.hold(ISSUE_TASK, user.pk, course.pk, point="render") as held:
        sent = tasks.issue_certificate.apply_async(
            (user.pk, course.pk), queue="certificates-doomed"
        )
        pid = held.wait_until_reached()
        assert doomed.pool_pids() == [pid]
        # The main process only: billiard gives its pool processes a parent
        # death signal, so the render in progress dies with it.
        os.kill(doomed.process.pid, signal.SIGKILL)
        doomed.process.wait(timeout=10)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=10, what="the pool to die")
    doomed.abandon(sent.id)

    version = CertificateVersion.objects.get(certificate__user=user)
    assert version.pdf == "" and version.render_claimed_at is not None
    # Neither the embedded broker (the message died with the worker's memory)
    # nor Redis (within its visibility timeout of an hour) gives it back, and
    # the sweep leaves a claim alone while a render could still be running.
    assert not lifecycle.versions_missing_pdf().filter(pk=version.pk).exists()

    fresh = start_celery_worker()
    # Beat's sweep once the claim is older than CERTIFICATE_SWEEP_AFTER_SECONDS.
    CertificateVersion.objects.filter(pk=version.pk).update(
        render_claimed_at=timezone.now() - datetime.timedelta(hours=1),
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )
    sweep_pending_work.delay()

    wait_for(lambda: rendered(version.pk), what="the sweep's render")
    wait_for(
        lambda: fresh.results(RENDER_TASK).count(((version.pk,), True)),
        what="the render task to finish",
    )
    assert fresh.deliveries(RENDER_TASK).count((version.pk,)) == 1
    assert fresh.deliveries(ISSUE_TASK).count((user.pk, course.pk)) == 1
    certificate = Certificate.objects.get(user=user, course=course)
    assert CertificateVersion.objects.filter(certificate=certificate).count() == 1
    assert certificate.serial == 1
    version.refresh_from_db()
    assert stored_pdfs(fresh) - pdfs_before == {version.pdf.name}
