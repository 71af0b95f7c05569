"""Attempt services: snapshots, saving, submitting, time limits, attempt
limits, grading once, and the sweep. Called directly, without HTTP."""

import logging
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from courses import attempts as quiz
from courses.models import (
    AttemptStatus,
    Enrolment,
    GradingJob,
    GradingJobStatus,
    ModuleCompletion,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from courses.signals import course_completed
from courses.tasks import sweep_pending_work
from tests.factories import QuizChoiceFactory, QuizQuestionFactory, UserFactory
from tests.quiz_helpers import answers, quiz_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """Grading jobs handed to the broker (recorded instead of published)."""
    jobs = []

    def send(job_id):
        jobs.append(job_id)
        return True

    monkeypatch.setattr(quiz, "send_grading_job", send)
    return jobs


def submit_and_grade(user, module, right=None):
    attempt = quiz.start_attempt(user, module)
    quiz.submit_attempt(user, attempt.pk, answers(attempt, right))
    assert quiz.grade_job(attempt.grading_job.pk)
    attempt.refresh_from_db()
    return attempt


# Starting and snapshots ----------------------------------------------------


def test_attempt_keeps_the_questions_and_choices_it_was_given():
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    assert [q["kind"] for q in attempt.questions] == ["single", "multiple", "true_false"]
    assert attempt.questions[0]["text"] == "ไฟ PON สีแดงกะพริบหมายถึงอะไร"
    assert attempt.pass_mark == module.pass_mark


def test_editing_the_quiz_mid_attempt_does_not_change_the_attempt(sent):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    right = answers(attempt)
    quiz.save_answers(user, attempt.pk, right)
    # The trainer rewrites question 1, makes another choice the right one,
    # deletes question 3 and adds a new one.
    first = QuizQuestion.objects.get(pk=attempt.questions[0]["id"])
    first.text = "คำถามใหม่"
    first.save()
    QuizChoice.objects.filter(question=first).update(is_correct=False)
    QuizChoice.objects.filter(question=first, text="ไฟฟ้าดับ").update(is_correct=True)
    QuizQuestion.objects.filter(pk=attempt.questions[2]["id"]).delete()
    extra = QuizQuestionFactory(module=module, sort_order=9)
    QuizChoiceFactory(question=extra, is_correct=True)

    quiz.submit_attempt(user, attempt.pk)
    quiz.grade_job(attempt.grading_job.pk)
    attempt.refresh_from_db()
    assert attempt.questions[0]["text"] == "ไฟ PON สีแดงกะพริบหมายถึงอะไร"
    assert len(attempt.questions) == 3
    assert attempt.score_percent == Decimal("100.00")


def test_drawing_questions_gives_each_attempt_n_from_the_pool():
    module = quiz_module(questions_per_attempt=2, shuffle_questions=True, shuffle_choices=True)
    user = UserFactory()
    drawn = set()
    for seed in range(8):
        snapshot = quiz.build_snapshot(module, random.Random(seed))
        assert len(snapshot) == 2
        drawn.add(tuple(q["id"] for q in snapshot))
    assert len(drawn) > 1, "every attempt drew the same questions in the same order"
    attempt = quiz.start_attempt(user, module, rng=random.Random(1))
    assert len(attempt.questions) == 2


def test_without_shuffling_questions_keep_the_trainers_order():
    module = quiz_module(questions_per_attempt=2)
    for seed in range(5):
        snapshot = quiz.build_snapshot(module, random.Random(seed))
        positions = [q["text"] for q in snapshot]
        pool = [q.text for q in module.questions.order_by("sort_order")]
        assert positions == [text for text in pool if text in positions]


def test_starting_again_returns_the_open_attempt():
    module = quiz_module()
    user = UserFactory()
    first = quiz.start_attempt(user, module)
    assert quiz.start_attempt(user, module).pk == first.pk
    assert QuizAttempt.objects.count() == 1


def test_starting_enrols_the_volunteer():
    module = quiz_module()
    user = UserFactory()
    quiz.start_attempt(user, module)
    assert Enrolment.objects.filter(user=user, course=module.get_parent()).exists()


def test_attempts_past_the_allowed_count_are_refused_with_the_reason(sent):
    module = quiz_module(max_attempts=2)
    user = UserFactory()
    for _ in range(2):
        attempt = quiz.start_attempt(user, module)
        quiz.submit_attempt(user, attempt.pk)
    with pytest.raises(quiz.QuizRefusal) as refused:
        quiz.start_attempt(user, module)
    assert refused.value.status == 403
    assert "ครบ 2 ครั้งแล้ว" in refused.value.message
    assert QuizAttempt.objects.filter(user=user).count() == 2


def test_waiting_time_between_attempts_is_refused_with_the_time(sent):
    module = quiz_module(retry_delay_minutes=30)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    submitted = timezone.now()
    quiz.submit_attempt(user, attempt.pk, now=submitted)
    with pytest.raises(quiz.QuizRefusal) as refused:
        quiz.start_attempt(user, module, now=submitted + timedelta(minutes=10))
    assert "ทำใหม่ได้ตั้งแต่" in refused.value.message
    assert "น." in refused.value.message
    later = quiz.start_attempt(user, module, now=submitted + timedelta(minutes=31))
    assert later.number == 2


# Saving and validation -----------------------------------------------------


def test_answers_are_saved_as_given_and_merge_question_by_question():
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    q1, q2, _q3 = (str(q["id"]) for q in attempt.questions)
    first_choice = attempt.questions[0]["choices"][0]["id"]
    quiz.save_answers(user, attempt.pk, {q1: [str(first_choice)]})
    quiz.save_answers(user, attempt.pk, {q2: []})
    attempt.refresh_from_db()
    assert attempt.answers == {q1: [first_choice], q2: []}


def assert_refused_and_unchanged(user, attempt, raw, status=400, **kwargs):
    before = QuizAttempt.objects.get(pk=attempt.pk)
    with pytest.raises(quiz.QuizRefusal) as refused:
        quiz.save_answers(user, attempt.pk, raw, **kwargs)
    assert refused.value.status == status
    after = QuizAttempt.objects.get(pk=attempt.pk)
    assert (after.answers, after.status) == (before.answers, before.status)
    return refused.value.message


def test_answers_to_another_attempts_question_are_refused():
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    quiz.save_answers(user, attempt.pk, answers(attempt, right=1))
    other_module = quiz_module()
    other = quiz.start_attempt(user, other_module)
    foreign = other.questions[0]
    message = assert_refused_and_unchanged(
        user, attempt, {str(foreign["id"]): [foreign["choices"][0]["id"]]}
    )
    assert message == "คำตอบนี้ไม่ใช่ของคำถามในแบบทดสอบครั้งนี้"


def test_unknown_or_foreign_choices_are_refused():
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    q1, q2 = attempt.questions[0], attempt.questions[1]
    assert_refused_and_unchanged(user, attempt, {str(q1["id"]): ["999999"]})
    assert_refused_and_unchanged(user, attempt, {str(q1["id"]): [q2["choices"][0]["id"]]})
    message = assert_refused_and_unchanged(user, attempt, {str(q1["id"]): ["abc"]})
    assert message == "ตัวเลือกที่ส่งมาไม่ถูกต้อง"


def test_two_answers_to_a_one_answer_question_are_refused():
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    q1 = attempt.questions[0]
    message = assert_refused_and_unchanged(
        user, attempt, {str(q1["id"]): [c["id"] for c in q1["choices"][:2]]}
    )
    assert message == "ข้อนี้เลือกได้เพียงคำตอบเดียว"


def test_another_volunteers_attempt_is_forbidden(sent):
    module = quiz_module()
    owner, intruder = UserFactory(), UserFactory()
    attempt = quiz.start_attempt(owner, module)
    assert_refused_and_unchanged(intruder, attempt, answers(attempt), status=403)
    with pytest.raises(quiz.QuizRefusal) as refused:
        quiz.submit_attempt(intruder, attempt.pk, answers(attempt))
    assert refused.value.status == 403
    assert QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.OPEN
    assert not GradingJob.objects.exists()


def test_a_submitted_attempt_takes_no_more_answers(sent):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    quiz.submit_attempt(user, attempt.pk, answers(attempt, right=0))
    message = assert_refused_and_unchanged(user, attempt, answers(attempt))
    assert message == "ส่งแบบทดสอบนี้แล้ว แก้ไขคำตอบไม่ได้"


# Submitting ------------------------------------------------------------------


def test_submission_and_its_job_are_written_together_and_sent_after_commit(
    django_capture_on_commit_callbacks, sent
):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        quiz.submit_attempt(user, attempt.pk, answers(attempt))
    job = GradingJob.objects.get(attempt=attempt)
    assert job.status == GradingJobStatus.PENDING
    assert sent == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert sent == [job.pk]


def test_double_submit_makes_one_submission(sent, django_capture_on_commit_callbacks):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    with django_capture_on_commit_callbacks(execute=True):
        quiz.submit_attempt(user, attempt.pk, answers(attempt))
    first = QuizAttempt.objects.get(pk=attempt.pk)
    with django_capture_on_commit_callbacks(execute=True):
        again = quiz.submit_attempt(user, attempt.pk, answers(attempt, right=0))
    assert again.answers == first.answers
    assert again.submitted_at == first.submitted_at
    assert GradingJob.objects.count() == 1
    assert len(sent) == 1


def test_submission_is_accepted_when_the_broker_is_down(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from courses.tasks import grade_attempt

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(grade_attempt, "apply_async", broker_down)
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    with (
        caplog.at_level(logging.WARNING, logger="courses.attempts"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        quiz.submit_attempt(user, attempt.pk, answers(attempt))
    job = GradingJob.objects.get(attempt=attempt)
    assert (job.status, job.send_count) == (GradingJobStatus.PENDING, 0)
    assert QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.SUBMITTED
    assert "the sweep will send it" in caplog.text


# Time limit ------------------------------------------------------------------


def test_answers_within_the_grace_period_count(sent, settings):
    settings.COURSES_QUIZ_GRACE_SECONDS = 30
    module = quiz_module(time_limit_minutes=10)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    late_but_in_grace = attempt.deadline + timedelta(seconds=25)
    quiz.submit_attempt(user, attempt.pk, answers(attempt), now=late_but_in_grace)
    attempt.refresh_from_db()
    assert attempt.answers == answers(attempt)
    assert not attempt.closed_by_time_limit


def test_at_the_time_limit_the_attempt_closes_with_the_answers_saved_before(sent, settings):
    settings.COURSES_QUIZ_GRACE_SECONDS = 30
    module = quiz_module(time_limit_minutes=10)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    saved = answers(attempt, right=2)
    quiz.save_answers(user, attempt.pk, saved, now=attempt.started_at + timedelta(minutes=9))
    too_late = attempt.deadline + timedelta(seconds=31)
    with pytest.raises(quiz.AttemptClosedByTime) as refused:
        quiz.save_answers(user, attempt.pk, answers(attempt), now=too_late)
    assert "หมดเวลา" in refused.value.message
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.closed_by_time_limit
    assert attempt.answers == saved
    quiz.grade_job(attempt.grading_job.pk)
    attempt.refresh_from_db()
    assert attempt.score_percent == Decimal("75.00")  # 1 + 2 of 4: nothing saved was lost


def test_a_late_submission_is_graded_on_the_saved_answers(sent, settings):
    settings.COURSES_QUIZ_GRACE_SECONDS = 30
    module = quiz_module(time_limit_minutes=5)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    quiz.save_answers(user, attempt.pk, answers(attempt, right=1))
    quiz.submit_attempt(
        user, attempt.pk, answers(attempt), now=attempt.deadline + timedelta(minutes=2)
    )
    attempt.refresh_from_db()
    assert attempt.answers == answers(attempt, right=1)
    assert attempt.closed_by_time_limit


def test_sweep_closes_attempts_left_open_past_their_time(
    sent, settings, django_capture_on_commit_callbacks
):
    settings.COURSES_QUIZ_GRACE_SECONDS = 30
    module = quiz_module(time_limit_minutes=5)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    quiz.save_answers(user, attempt.pk, answers(attempt))
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=31)
    )
    fresh = quiz.start_attempt(UserFactory(), module)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_pending_work()["close expired quiz attempts"] == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.closed_by_time_limit
    assert QuizAttempt.objects.get(pk=fresh.pk).status == AttemptStatus.OPEN
    assert sent == [attempt.grading_job.pk]


# Grading ---------------------------------------------------------------------


def test_grading_writes_the_score_and_records_the_pass(sent):
    module = quiz_module(pass_mark=70)
    user = UserFactory()
    attempt = submit_and_grade(user, module)
    assert attempt.status == AttemptStatus.GRADED
    assert (attempt.score_points, attempt.max_points) == (Decimal("4.00"), Decimal("4.00"))
    assert attempt.passed
    completion = ModuleCompletion.objects.get(user=user, module=module)
    assert completion.score_percent == Decimal("100.00")
    assert Enrolment.objects.get(user=user).completed_at is not None


def test_grading_a_graded_job_does_nothing(sent):
    module = quiz_module()
    user = UserFactory()
    attempt = submit_and_grade(user, module)
    assert quiz.grade_job(attempt.grading_job.pk) is False
    again = QuizAttempt.objects.get(pk=attempt.pk)
    assert again.graded_at == attempt.graded_at


def test_grading_a_missing_job_does_nothing():
    assert quiz.grade_job(987654) is False


def test_a_later_lower_attempt_never_revokes_a_pass(sent):
    module = quiz_module(pass_mark=70, grading_method="last")
    user = UserFactory()
    completions = []
    course_completed.connect(lambda **kw: completions.append(kw), weak=False, dispatch_uid="t1")
    try:
        submit_and_grade(user, module)
        failed = submit_and_grade(user, module, right=0)
    finally:
        course_completed.disconnect(dispatch_uid="t1")
    assert not failed.passed
    completion = ModuleCompletion.objects.get(user=user, module=module)
    assert completion.score_percent == Decimal("0.00")  # "last": the displayed score follows
    assert Enrolment.objects.get(user=user).completed_at is not None
    overview = quiz.quiz_overview(user, module)
    assert overview.passed and overview.score == Decimal("0.00")


def test_average_grading_method_sets_the_module_score(sent):
    module = quiz_module(pass_mark=50, grading_method="average")
    user = UserFactory()
    submit_and_grade(user, module)  # 100
    submit_and_grade(user, module, right=1)  # 25
    assert quiz.quiz_overview(user, module).score == Decimal("62.50")
    assert ModuleCompletion.objects.get(user=user).score_percent == Decimal("62.50")


def test_a_failed_attempt_records_no_pass(sent):
    module = quiz_module(pass_mark=70)
    user = UserFactory()
    attempt = submit_and_grade(user, module, right=1)
    assert attempt.score_percent == Decimal("25.00") and not attempt.passed
    assert not ModuleCompletion.objects.exists()


# The sweep -------------------------------------------------------------------


def test_sweep_resends_only_jobs_pending_longer_than_the_setting(sent, settings, caplog):
    settings.COURSES_GRADING_RESEND_AFTER_SECONDS = 120
    module = quiz_module()
    stale, busy, done = (quiz.start_attempt(UserFactory(), module) for _ in range(3))
    for attempt in (stale, busy, done):
        quiz.submit_attempt(attempt.user, attempt.pk)
    sent.clear()
    quiz.grade_job(done.grading_job.pk)
    now = timezone.now()
    GradingJob.objects.filter(attempt__in=[stale, done]).update(
        queued_at=now - timedelta(seconds=121)
    )
    GradingJob.objects.filter(attempt=busy).update(queued_at=now - timedelta(seconds=100))

    with caplog.at_level(logging.INFO, logger="courses.tasks"):
        counts = sweep_pending_work()
    assert sent == [stale.grading_job.pk]
    assert "re-send pending grading jobs: 1" in caplog.text
    assert counts["re-send pending grading jobs"] == 1
    # Claimed: the next sweep does not send it again straight away.
    sweep_pending_work()
    assert sent == [stale.grading_job.pk]


def test_a_failing_sweep_step_does_not_stop_the_others(monkeypatch, sent, caplog):
    from courses import tasks

    calls = []

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setitem(tasks.SWEEP_STEPS, "broken", broken)
    monkeypatch.setitem(tasks.SWEEP_STEPS, "counting", lambda: calls.append(1) or 1)
    counts = sweep_pending_work()
    assert calls == [1] and counts["counting"] == 1
    assert "Sweep step 'broken' failed" in caplog.text


# The grading task's delivery rules ---------------------------------------------


def test_grading_task_is_acknowledged_late_and_requeued_if_its_worker_dies():
    from courses.tasks import grade_attempt

    assert grade_attempt.acks_late and grade_attempt.reject_on_worker_lost


@pytest.mark.parametrize(
    ("error", "runs"),
    [
        ("operational", 1 + 8),  # database locked, connection lost, deadlock: retried
        ("integrity", 1),  # a bug: retrying would not help
        ("value", 1),
    ],
)
def test_grading_task_retries_only_on_transient_database_errors(monkeypatch, error, runs):
    from django.db import IntegrityError, OperationalError

    from courses.tasks import grade_attempt

    errors = {
        "operational": OperationalError("database is locked"),
        "integrity": IntegrityError("duplicate key"),
        "value": ValueError("bad snapshot"),
    }
    calls = []

    def failing(job_id):
        calls.append(job_id)
        raise errors[error]

    monkeypatch.setattr(quiz, "grade_job", failing)
    # Run in this process: a retry runs again at once instead of after its back-off. The
    # failure is kept in the result, each retry's too: eager tasks do not propagate, as
    # under the site's test settings, also in a host whose eager tasks do (the minimal host).
    monkeypatch.setitem(grade_attempt.app.conf, "task_eager_propagates", False)
    result = grade_attempt.apply((1,))
    assert result.state == "FAILURE"
    assert len(calls) == runs
    assert grade_attempt.retry_backoff and grade_attempt.max_retries == 8


def test_a_pass_that_completes_the_course_is_graded_in_few_queries(
    sent, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Every pass of a training room goes through the grading worker: whether
    it completes the course is one query, not the course's whole progress
    (which read the course, its modules, lessons, lessons read, passes and
    enrolment again). Savepoints and the completion's update included."""
    user = UserFactory()
    module = quiz_module()
    attempt = quiz.start_attempt(user, module)
    quiz.submit_attempt(user, attempt.pk, answers(attempt))
    completed = []

    def on_completed(sender, user_id, course_id, **kwargs):
        completed.append((user_id, course_id))

    course_completed.connect(on_completed)
    try:
        with (
            django_capture_on_commit_callbacks(execute=True),
            django_assert_max_num_queries(16),
        ):
            assert quiz.grade_job(attempt.grading_job.pk)
    finally:
        course_completed.disconnect(on_completed)
    course = module.get_parent()
    assert completed == [(user.pk, course.pk)]
    assert Enrolment.objects.get(user=user, course_id=course.pk).completed_at is not None
    assert ModuleCompletion.objects.get(user=user, module=module).score_percent == Decimal(100)
