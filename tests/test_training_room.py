"""The training-room case: 311 volunteers send the last module's quiz at once,
and real worker processes grade every attempt and issue every certificate.

Two worker processes of two pool processes each take the grading and the
certificates queues, as two machines' workers would share one broker. The
submissions go through `courses.attempts.submit_attempt`, the function the
quiz view calls, from a pool of threads released together, each with its own
database connection. Not through HTTP: what can deadlock, lose or repeat a
grade, or repeat a number is the database work of submitting, grading and
issuing, and the workers racing for rows; the view adds a form parse and a
redirect (tests/test_quiz_views.py, benchmarks/quiz_room.py cover those), and
311 logins and page loads would only lengthen the test.
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, connections

from certificates.models import Certificate, CertificateNumberCounter, CertificateVersion
from courses import attempts as quiz
from courses.models import (
    AttemptStatus,
    Enrolment,
    GradingJob,
    ModuleCompletion,
    ModulePage,
    QuizAttempt,
)
from tests.certificates_support import new_course
from tests.factories import VolunteerProfileFactory
from tests.quiz_helpers import answers

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOM = 311
# Submitting threads: far more requests at once than the web workers of a
# deployment can make, and well under PostgreSQL's 100 connections.
SUBMITTERS = 24
GRADE = "courses.tasks.grade_attempt"
ISSUE = "certificates.tasks.issue_certificate"
DEADLOCK_MESSAGES = ("deadlock detected", "could not serialize access", "database is locked")


@pytest.fixture(autouse=True)
def _postgres_only():
    # Not skip_or_fail: the embedded CI pass sets REQUIRE_SERVICES=1 and runs
    # on SQLite by design; its one writer at a time has no row locks to race.
    if connection.vendor != "postgresql":
        pytest.skip("the training room is a PostgreSQL case (DATABASE_URL=postgres://...)")


def deadlocks_so_far() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def wait_for(condition, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"Timed out waiting for {what}")


def a_room_ready_for_the_last_quiz(course) -> list:
    """311 volunteers who passed the first module and opened the last one's quiz."""
    first, last = ModulePage.objects.child_of(course).order_by("path")
    profiles = [VolunteerProfileFactory() for _ in range(ROOM)]
    Enrolment.objects.bulk_create(Enrolment(user=p.user, course=course) for p in profiles)
    ModuleCompletion.objects.bulk_create(
        ModuleCompletion(user=p.user, module=first, score_percent=100) for p in profiles
    )
    return [quiz.start_attempt(p.user, last) for p in profiles]


def test_311_volunteers_sending_the_last_quiz_at_once_are_graded_and_certified_once_each(
    celery_worker, start_celery_worker
):
    workers = [celery_worker, start_celery_worker(concurrency=2)]
    log_offsets = [len(worker.log()) for worker in workers]
    course = new_course(modules=2, questions=2)
    room = a_room_ready_for_the_last_quiz(course)
    pdfs_before = {p.name for p in Path(celery_worker.media_root).rglob("*.pdf")}
    deadlocks_before = deadlocks_so_far()
    # The workers' logs of task results cover the whole session.
    grades_before = len(celery_worker.results(GRADE))
    issues_before = len(celery_worker.results(ISSUE))

    start = threading.Barrier(SUBMITTERS)

    def submit(share):
        try:
            start.wait(timeout=60)
            for attempt in share:
                quiz.submit_attempt(attempt.user, attempt.pk, answers(attempt))
        finally:
            connections.close_all()

    shares = [room[i::SUBMITTERS] for i in range(SUBMITTERS)]
    with ThreadPoolExecutor(SUBMITTERS) as pool:
        for done in [pool.submit(submit, share) for share in shares]:
            done.result()

    attempts = QuizAttempt.objects.filter(pk__in=[a.pk for a in room])
    wait_for(
        lambda: attempts.filter(status=AttemptStatus.GRADED).count() == ROOM,
        timeout=120,
        what="every attempt graded",
    )
    wait_for(
        lambda: CertificateVersion.objects.exclude(pdf="").count() == ROOM,
        timeout=180,
        what="every certificate rendered",
    )
    assert celery_worker.wait_idle(timeout=60)

    # Every attempt graded exactly once: one job each, sent once, and one run
    # of the grading task that wrote its grade (a second would return False).
    jobs = dict(GradingJob.objects.filter(attempt__in=attempts).values_list("pk", "send_count"))
    assert len(jobs) == ROOM and set(jobs.values()) == {1}
    runs = Counter(
        (args[0], result) for args, result in celery_worker.results(GRADE)[grades_before:]
    )
    assert runs == Counter({(job_id, True): 1 for job_id in jobs})
    assert attempts.filter(passed=True, score_percent=100).count() == ROOM
    last = ModulePage.objects.child_of(course).order_by("path").last()
    assert ModuleCompletion.objects.filter(module=last).count() == ROOM
    assert Enrolment.objects.filter(course=course, completed_at__isnull=False).count() == ROOM

    # 311 certificates, one per volunteer, numbered 1 to 311 without a gap or a repeat.
    certificates = Certificate.objects.filter(course=course)
    users = {a.user_id for a in room}
    assert sorted(certificates.values_list("user_id", flat=True)) == sorted(users)
    assert sorted(certificates.values_list("serial", flat=True)) == list(range(1, ROOM + 1))
    numbers = list(certificates.values_list("number", flat=True))
    assert len(set(numbers)) == ROOM
    assert list(CertificateNumberCounter.objects.values_list("last_serial", flat=True)) == [ROOM]
    assert CertificateVersion.objects.filter(certificate__course=course).count() == ROOM
    issued = Counter(
        (args, certificate_id is not None)
        for args, certificate_id in celery_worker.results(ISSUE)[issues_before:]
    )
    assert issued == Counter({((user_id, course.pk), True): 1 for user_id in users})
    new_pdfs = {p.name for p in Path(celery_worker.media_root).rglob("*.pdf")} - pdfs_before
    assert len(new_pdfs) == ROOM

    # No deadlock, even one that a retry would have hidden.
    assert deadlocks_so_far() == deadlocks_before
    for worker, offset in zip(workers, log_offsets, strict=True):
        log = worker.log()[offset:]
        assert not [m for m in DEADLOCK_MESSAGES if m in log], log[-3000:]
        assert " retry: " not in log and "raised unexpected" not in log, log[-3000:]
