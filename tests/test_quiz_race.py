"""Two workers racing for one grading job, on PostgreSQL (SQLite has no row
locks: `select_for_update` does nothing there, and its IMMEDIATE
transactions already let only one writer in).

The two "workers" are two threads, each with its own database connection,
running the grading task's code. Threads rather than worker processes
because the barrier must sit *inside* grading, between reading the job and
writing the grade, which no outside signal can reach: each racer waits there
until the other has also read the job (no guard: both grade) or is seen
blocked on the job's row lock (the guard works: one grade). The test fails
if the row lock in `courses.attempts.grade_job` is removed.
"""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections
from django.dispatch import Signal

from courses import attempts as quiz
from courses import grading
from courses.models import AttemptStatus, GradingJob, ModuleCompletion, QuizAttempt
from courses.tasks import grade_attempt
from tests.factories import UserFactory
from tests.quiz_helpers import answers, quiz_module

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (run with DATABASE_URL=postgres://...)")


def other_backend_waits_on_a_lock(monitor, racer_pids: set[int], own_pid: int) -> bool:
    others = list(racer_pids - {own_pid})
    if not others:
        return False
    row = monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s) AND wait_event_type = 'Lock'",
        (others,),
    ).fetchone()
    return row[0] > 0


def test_two_workers_racing_for_one_job_grade_it_once(monkeypatch):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    monkeypatch.setattr(quiz, "send_grading_job", lambda job_id: True)
    # The race is about grading: passing must not also publish a certificate
    # task, which a worker left from an earlier test would run while this
    # test's database is flushed (a deadlock on PostgreSQL).
    monkeypatch.setattr("courses.progress.course_completed", Signal())
    quiz.submit_attempt(user, attempt.pk, answers(attempt))
    job_id = GradingJob.objects.get(attempt=attempt).pk

    settings = connection.settings_dict
    monitor = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    racer_pids: set[int] = set()
    read_the_job: list[str] = []
    real_grade_answers = grading.grade_answers

    def barrier(*args, **kwargs):
        # Reached after the job was read as pending, before the grade is written.
        read_the_job.append(threading.current_thread().name)
        own = connection.connection.info.backend_pid
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if len(read_the_job) == 2 or other_backend_waits_on_a_lock(monitor, racer_pids, own):
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the other racer neither read the job nor waited on its lock")
        return real_grade_answers(*args, **kwargs)

    monkeypatch.setattr(grading, "grade_answers", barrier)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def worker(name):
        try:
            connection.ensure_connection()
            racer_pids.add(connection.connection.info.backend_pid)
            start.wait(timeout=30)
            outcomes[name] = grade_attempt(job_id)
        except Exception as error:  # reported by the assertion below
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,), name=n) for n in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monitor.close()

    assert sorted(outcomes.values(), key=str) == [False, True], outcomes
    assert len(read_the_job) == 1, "both workers read the job as still to be graded"
    assert QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.GRADED
    assert ModuleCompletion.objects.filter(user=user, module=module).count() == 1
