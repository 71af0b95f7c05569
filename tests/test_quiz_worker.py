"""Grading by a real `celery worker` process (tests/celery_worker.py), on the
embedded broker or on Redis when CELERY_BROKER_URL points at one; and the
faults: a job delivered twice, a pool process killed mid-grading, the broker
unreachable at submission."""

import contextlib
import os
import signal
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import attempts as quiz
from courses.models import AttemptStatus, Enrolment, GradingJob, ModuleCompletion, QuizAttempt
from courses.tasks import grade_attempt, sweep_pending_work
from courses.views.quiz import status_token
from npv_site.celery import app
from tests.celery_worker import reset_producer_pools
from tests.factories import UserFactory
from tests.quiz_helpers import answers, form_data, quiz_module, wait_until

# serialized_rollback: the flush after each test would also remove the
# Wagtail site and home page that migrations create.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GRADE = "courses.tasks.grade_attempt"


def runs_of(worker, job_id) -> list:
    """Return values of the grading task's finished runs for one job: True
    for the run that wrote the grade, False for one that found it done."""
    return [result for args, result in worker.results(GRADE) if args == (job_id,)]


def graded(attempt) -> bool:
    return QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.GRADED


@contextlib.contextmanager
def broker_unreachable(tmp_path):
    """The web process's broker goes away: Redis on a port nobody listens on,
    or an embedded broker folder that cannot be written."""
    saved_write_url = app.conf.get("broker_write_url")
    saved_options = dict(app.conf.broker_transport_options)
    if app.conf.broker_url.startswith("filesystem://"):
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("")
        app.conf.broker_transport_options = {**saved_options, "data_folder_out": str(blocker / "q")}
    else:
        # The write URL: CELERY_BROKER_URL in the environment overrides broker_url.
        app.conf.broker_write_url = "redis://127.0.0.1:9/0"
    reset_producer_pools(app)
    try:
        yield
    finally:
        app.conf.broker_write_url = saved_write_url
        app.conf.broker_transport_options = saved_options
        reset_producer_pools(app)


def test_worker_grades_a_submission_and_the_page_shows_it(celery_worker, client):
    module = quiz_module(pass_mark=70)
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("courses:quiz_start", args=[module.pk]))
    attempt = QuizAttempt.objects.get(user=user)
    response = client.post(
        reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt))
    )
    assert response.status_code == 302

    status_url = reverse("courses:quiz_attempt_status", args=[status_token(attempt)])
    wait_until(lambda: client.get(status_url).json()["state"] == "graded", what="the grade")
    html = client.get(reverse("courses:quiz_attempt", args=[attempt.pk])).content.decode()
    assert "ร้อยละ 100" in html and "ผ่าน" in html
    # The only module passed: the course is complete (the certificates hook).
    assert Enrolment.objects.get(user=user).completed_at is not None
    assert wait_until(lambda: runs_of(celery_worker, attempt.grading_job.pk)) == [True]


def test_same_job_delivered_twice_is_graded_once(celery_worker):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    quiz.submit_attempt(user, attempt.pk, answers(attempt))
    job_id = attempt.grading_job.pk
    wait_until(lambda: graded(attempt), what="the first grade")
    first_grade = QuizAttempt.objects.get(pk=attempt.pk).graded_at

    grade_attempt.delay(job_id)
    wait_until(lambda: len(runs_of(celery_worker, job_id)) == 2, what="the second run")
    assert runs_of(celery_worker, job_id) == [True, False]
    assert QuizAttempt.objects.get(pk=attempt.pk).graded_at == first_grade
    assert ModuleCompletion.objects.filter(user=user).count() == 1


def test_pool_process_killed_while_grading_is_redelivered_and_graded_once(
    celery_worker, monkeypatch
):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    # Keep the job unsent until the hold is in place.
    monkeypatch.setattr(quiz, "send_grading_job", lambda job_id: False)
    quiz.submit_attempt(user, attempt.pk, answers(attempt, right=2))
    monkeypatch.undo()
    job_id = attempt.grading_job.pk

    with celery_worker.hold(GRADE, job_id) as held:
        assert quiz.send_grading_job(job_id)
        pid = held.wait_until_reached()
        assert pid in celery_worker.pool_pids()
        os.kill(pid, signal.SIGKILL)

    runs = wait_until(lambda: runs_of(celery_worker, job_id), what="the grade after the redelivery")
    assert runs == [True]
    assert celery_worker.deliveries(GRADE).count((job_id,)) == 2
    assert QuizAttempt.objects.get(pk=attempt.pk).score_percent == Decimal("75.00")


def test_broker_unreachable_at_submission_then_the_sweep_grades_it(celery_worker, client, tmp_path):
    module = quiz_module()
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("courses:quiz_start", args=[module.pk]))
    attempt = QuizAttempt.objects.get(user=user)

    with broker_unreachable(tmp_path):
        response = client.post(
            reverse("courses:quiz_submit", args=[attempt.pk]),
            form_data(answers(attempt)),
            follow=True,
        )
    assert response.status_code == 200
    assert "ระบบกำลังตรวจ" in response.content.decode()
    job = GradingJob.objects.get(attempt=attempt)
    assert (job.status, job.send_count) == ("pending", 0)

    # The broker is back. Beat's sweep runs in the worker and re-sends jobs
    # pending longer than GRADING_RESEND_AFTER_SECONDS: make this one old enough.
    GradingJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    sweep_pending_work.delay()
    assert wait_until(lambda: runs_of(celery_worker, job.pk), what="the sweep's re-send") == [True]
    assert graded(attempt)
    assert celery_worker.deliveries(GRADE).count((job.pk,)) == 1
    assert GradingJob.objects.get(pk=job.pk).send_count == 1
