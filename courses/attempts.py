"""Quiz attempt services: start, save answers, submit, close at the time
limit, grade, and send grading jobs to the workers.

Views, tasks and tests call these. Every refusal is a `QuizRefusal` with a
Thai message and an HTTP status, raised before anything is written, so a
refused request leaves the attempt exactly as it was.

An attempt stores a *snapshot* of its questions and choices when it starts
(see courses.models.attempts); nothing here reads the question pool again
after that.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from celery import current_app
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses import conf, grading
from courses.models import (
    AttemptStatus,
    GradingJob,
    GradingJobStatus,
    ModuleCompletion,
    ModulePage,
    QuizAttempt,
)
from courses.models.pages import ModuleProgress
from courses.progress import enrol, lessons_left_before_quiz, record_module_pass
from courses.signals import attempt_graded
from courses.thai_dates import thai_datetime

logger = logging.getLogger(__name__)

# The name courses.tasks gives grade_attempt.
GRADE_ATTEMPT_TASK = "courses.tasks.grade_attempt"


class QuizRefusal(Exception):
    """A quiz request refused, with the reason in the volunteer's language."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class LessonsToRead(QuizRefusal):
    """A quiz refused until its module's lessons are read (the course requires it)."""

    def __init__(self, lessons: list):
        # The same words as the module page's quiz panel, which lists the lessons too.
        left = ngettext(
            "ยังเหลืออีก %(count)s บทเรียน", "ยังเหลืออีก %(count)s บทเรียน", len(lessons)
        ) % {"count": len(lessons)}
        super().__init__(f"{_('อ่านบทเรียนให้ครบก่อนจึงจะเริ่มทำแบบทดสอบได้')} {left}", 403)
        self.lessons = lessons


class AttemptClosedByTime(QuizRefusal):
    """Answers refused because the time limit (and its grace) has passed; the
    attempt has been closed with the answers saved before."""


def grace_period() -> timedelta:
    return timedelta(seconds=conf.quiz_grace_seconds())


# --------------------------------------------------------------------------
# Starting
# --------------------------------------------------------------------------


def build_snapshot(module: ModulePage, rng: random.Random | None = None) -> list[dict]:
    """The questions and choices an attempt gets, in the order shown: drawn
    and shuffled as the trainer set, copied whole (correct answers included,
    for grading) so later edits to the pool do not touch the attempt."""
    rng = rng or random.SystemRandom()
    pool = list(module.questions.prefetch_related("choices").order_by("sort_order", "pk"))
    count = module.questions_per_attempt
    if count and count < len(pool):
        drawn = {q.pk for q in rng.sample(pool, count)}
        pool = [q for q in pool if q.pk in drawn]
    if module.shuffle_questions:
        rng.shuffle(pool)
    snapshot = []
    for question in pool:
        choices = sorted(question.choices.all(), key=lambda c: (c.sort_order or 0, c.pk))
        if module.shuffle_choices:
            rng.shuffle(choices)
        snapshot.append(
            {
                "id": question.pk,
                "kind": question.kind,
                "text": question.text,
                "points": question.points,
                "multiple_scoring": question.multiple_scoring,
                "explanation": question.explanation,
                "choices": [
                    {"id": c.pk, "text": c.text, "is_correct": c.is_correct} for c in choices
                ],
            }
        )
    return snapshot


def refusal_message(refusal: grading.StartRefusal, max_attempts: int) -> str:
    if refusal.reason == "no_attempts_left":
        return ngettext(
            "คุณทำแบบทดสอบนี้ครบ %(count)d ครั้งแล้ว",
            "คุณทำแบบทดสอบนี้ครบ %(count)d ครั้งแล้ว",
            max_attempts,
        ) % {"count": max_attempts}
    return _("ต้องรอก่อนทำแบบทดสอบครั้งต่อไป ทำใหม่ได้ตั้งแต่ %(time)s") % {
        "time": thai_datetime(refusal.retry_at)
    }


def _start_refusal(module: ModulePage, attempts: list[QuizAttempt], now: datetime):
    finished = [a.submitted_at for a in attempts if a.submitted_at]
    return grading.start_refusal(
        max_attempts=module.max_attempts,
        attempts_used=len(attempts),
        retry_delay=timedelta(minutes=module.retry_delay_minutes),
        last_finished_at=max(finished) if finished else None,
        now=now,
    )


def start_attempt(
    user, module: ModulePage, *, now: datetime | None = None, rng: random.Random | None = None
) -> QuizAttempt:
    """Start an attempt, or return the one already open. Refused (QuizRefusal)
    while lessons the course requires first are unread (LessonsToRead), past the
    allowed number of attempts or during the waiting time."""
    now = now or timezone.now()
    if not module.has_quiz:
        raise QuizRefusal(_("บทเรียนนี้ไม่มีแบบทดสอบ"), 404)
    current = QuizAttempt.objects.filter(
        user=user, module=module, status=AttemptStatus.OPEN
    ).first()
    if current is not None:
        if grading.accepts_answers(now, current.deadline, grace_period()):
            return current
        close_expired_attempt(current.pk, now=now)
    lessons_left = lessons_left_before_quiz(user, module)
    if lessons_left:
        raise LessonsToRead(lessons_left)
    attempts = list(QuizAttempt.objects.filter(user=user, module=module))
    refusal = _start_refusal(module, attempts, now)
    if refusal is not None:
        raise QuizRefusal(refusal_message(refusal, module.max_attempts), 403)
    number = max((a.number for a in attempts), default=0) + 1
    deadline = (
        now + timedelta(minutes=module.time_limit_minutes) if module.time_limit_minutes else None
    )
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user,
                module=module,
                number=number,
                pass_mark=module.pass_mark,
                questions=build_snapshot(module, rng),
                started_at=now,
                deadline=deadline,
            )
    except IntegrityError:
        # Another request (a double click) started it first.
        current = QuizAttempt.objects.filter(
            user=user, module=module, status=AttemptStatus.OPEN
        ).first()
        if current is None:
            raise QuizRefusal(_("เริ่มแบบทดสอบไม่สำเร็จ กรุณาลองอีกครั้ง"), 400) from None
        return current
    enrol(user, module.get_parent().specific)
    return attempt


# --------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------


def validate_answers(attempt: QuizAttempt, raw: Mapping[str, Iterable]) -> dict[str, list[int]]:
    """Check answers against the attempt's own questions and choices.

    `raw` maps a question id to the choice ids ticked (strings from a form
    or numbers from JSON). Returns them normalised; anything that is not a
    question of this attempt, a choice of that question, or one answer to a
    one-answer question is refused as a whole.
    """
    questions = {str(q["id"]): q for q in attempt.questions}
    clean: dict[str, list[int]] = {}
    for raw_question, raw_choices in raw.items():
        question = questions.get(str(raw_question).strip())
        if question is None:
            raise QuizRefusal(_("คำตอบนี้ไม่ใช่ของคำถามในแบบทดสอบครั้งนี้"))
        allowed = {c["id"] for c in question["choices"]}
        chosen: list[int] = []
        for value in raw_choices:
            try:
                choice_id = int(str(value).strip())
            except ValueError:
                raise QuizRefusal(_("ตัวเลือกที่ส่งมาไม่ถูกต้อง")) from None
            if choice_id not in allowed:
                raise QuizRefusal(_("ตัวเลือกนี้ไม่ได้อยู่ในคำถามข้อนี้"))
            if choice_id not in chosen:
                chosen.append(choice_id)
        if question["kind"] != grading.MULTIPLE and len(chosen) > 1:
            raise QuizRefusal(_("ข้อนี้เลือกได้เพียงคำตอบเดียว"))
        clean[str(question["id"])] = sorted(chosen)
    return clean


def _locked_attempt(user, attempt_id: int) -> QuizAttempt:
    try:
        attempt = QuizAttempt.objects.select_for_update().get(pk=attempt_id)
    except QuizAttempt.DoesNotExist:
        raise QuizRefusal(_("ไม่พบแบบทดสอบนี้"), 404) from None
    if attempt.user_id != user.pk:
        raise QuizRefusal(_("แบบทดสอบนี้เป็นของผู้เรียนคนอื่น คุณไม่มีสิทธิ์ส่งคำตอบ"), 403)
    return attempt


def save_answers(
    user,
    attempt_id: int,
    raw: Mapping[str, Iterable],
    *,
    replace: bool = False,
    now: datetime | None = None,
) -> QuizAttempt:
    """Save answers as they are given. `replace` treats `raw` as the whole
    form (questions missing from it are unanswered); otherwise only the
    questions given change. Past the time limit and its grace period the
    attempt is closed with what was saved before, and the new answers refused."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(user, attempt_id)
        if not attempt.is_open:
            raise QuizRefusal(_("ส่งแบบทดสอบนี้แล้ว แก้ไขคำตอบไม่ได้"))
        expired = not grading.accepts_answers(now, attempt.deadline, grace_period())
        if not expired:
            clean = validate_answers(attempt, raw)
            attempt.answers = clean if replace else {**attempt.answers, **clean}
            attempt.save(update_fields=["answers"])
            return attempt
        _submit_locked(attempt, now, by_time_limit=True)
    raise AttemptClosedByTime(_("หมดเวลาทำแบบทดสอบแล้ว ระบบส่งคำตอบที่บันทึกไว้ก่อนหมดเวลาไปตรวจแล้ว"))


def submit_attempt(
    user,
    attempt_id: int,
    raw: Mapping[str, Iterable] | None = None,
    *,
    now: datetime | None = None,
    send_to_worker: bool = True,
) -> QuizAttempt:
    """Submit an attempt with the whole form's answers (or only what was
    saved, when `raw` is None). The submission and its grading job are
    written in one transaction; the job is sent to a worker after commit
    (`send_to_worker=False`: not sent, for a caller that grades it itself
    with grade_job, such as a demo that plays out a whole cohort).

    Submitting an attempt already submitted changes nothing and returns it
    (a double click makes one submission). Answers arriving after the time
    limit and its grace period are not taken; the saved ones are graded.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked_attempt(user, attempt_id)
        if not attempt.is_open:
            return attempt
        in_time = grading.accepts_answers(now, attempt.deadline, grace_period())
        if raw is not None and in_time:
            attempt.answers = validate_answers(attempt, raw)
        _submit_locked(attempt, now, by_time_limit=not in_time, send=send_to_worker)
    return attempt


def _submit_locked(
    attempt: QuizAttempt, now: datetime, *, by_time_limit: bool, send: bool = True
) -> None:
    """Close a locked, open attempt and create its grading job."""
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submitted_at = now
    attempt.closed_by_time_limit = by_time_limit
    attempt.save(update_fields=["answers", "status", "submitted_at", "closed_by_time_limit"])
    job = GradingJob.objects.create(attempt=attempt, created_at=now, queued_at=now)
    if send:
        transaction.on_commit(partial(send_grading_job, job.pk), robust=True)


def close_expired_attempt(attempt_id: int, *, now: datetime | None = None) -> bool:
    """Close an open attempt whose time (plus grace) is up, grading the
    answers saved so far. Returns True if this call closed it."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = QuizAttempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None or not attempt.is_open:
            return False
        if grading.accepts_answers(now, attempt.deadline, grace_period()):
            return False
        _submit_locked(attempt, now, by_time_limit=True)
    return True


def close_expired_attempts(*, now: datetime | None = None, limit: int = 500) -> int:
    """Sweep step: close every attempt left open past its time limit."""
    now = now or timezone.now()
    expired = QuizAttempt.objects.filter(
        status=AttemptStatus.OPEN, deadline__lt=now - grace_period()
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for attempt_id in list(expired) if close_expired_attempt(attempt_id, now=now))


# --------------------------------------------------------------------------
# Sending and grading
# --------------------------------------------------------------------------


def send_grading_job(job_id: int) -> bool:
    """Hand "grade job N" to the broker. Never raises: if the broker cannot be
    reached the job stays pending in the database and the sweep sends it later.
    No publish retries here, and the connection is tried once only, so a
    request is never held up by a broker that is down."""
    # By the task's name, not by importing courses.tasks: the tasks call into this
    # module, and the name is what queued messages already rely on. A signature of a
    # registered task still sends through that task (so eager mode applies).
    grade = current_app.signature(GRADE_ATTEMPT_TASK, args=(job_id,))
    try:
        with current_app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=0)
            grade.apply_async(producer=producer, retry=False)
    except Exception:
        logger.warning("Grading job %s not sent; the sweep will send it", job_id, exc_info=True)
        return False
    GradingJob.objects.filter(pk=job_id).update(send_count=F("send_count") + 1)
    return True


def grade_job(job_id: int) -> bool:
    """Grade the attempt of a job, once. Returns True if this call wrote the
    grade; a job already graded (delivered twice, or raced by another worker)
    returns False and changes nothing.

    The job row is locked for the whole grading, so a second worker waits and
    then finds it done. A pass is recorded for good; the module's displayed
    score follows the trainer's grading method but never revokes that pass.
    """
    with transaction.atomic():
        job = GradingJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Grading job %s does not exist", job_id)
            return False
        if job.status == GradingJobStatus.DONE:
            return False
        attempt = QuizAttempt.objects.select_for_update().get(pk=job.attempt_id)
        grade = grading.grade_answers(attempt.questions, attempt.answers, attempt.pass_mark)
        now = timezone.now()
        attempt.status = AttemptStatus.GRADED
        attempt.graded_at = now
        attempt.score_points = grade.points
        attempt.max_points = grade.max_points
        attempt.score_percent = grade.percent
        attempt.passed = grade.passed
        attempt.results = grade.results_json()
        attempt.save(
            update_fields=[
                "status",
                "graded_at",
                "score_points",
                "max_points",
                "score_percent",
                "passed",
                "results",
            ]
        )
        job.status = GradingJobStatus.DONE
        job.graded_at = now
        job.save(update_fields=["status", "graded_at"])

        # Only what grading needs of the page: not its many Wagtail columns.
        module = ModulePage.objects.only(
            "path", "depth", "live", "grading_method", "title"
        ).get(pk=attempt.module_id)
        score = module_score(attempt.user_id, module)
        # The user by pk alone: record_module_pass needs no more of it.
        if not (grade.passed and record_module_pass(_UserRef(attempt.user_id), module, score)):
            # A pass written before (or none): its displayed score follows.
            ModuleCompletion.objects.filter(user_id=attempt.user_id, module=module).update(
                score_percent=score
            )
        # One signal after the commit: what a listener needs travels with it.
        transaction.on_commit(
            partial(
                attempt_graded.send,
                sender=QuizAttempt,
                user_id=attempt.user_id,
                attempt_id=attempt.pk,
                passed=grade.passed,
                module_id=module.pk,
                module_title=module.title,
                score_percent=grade.percent,
            ),
            robust=True,
        )
    return True


@dataclass(frozen=True)
class _UserRef:
    pk: int


def module_score(user_id: int, module: ModulePage) -> Decimal | None:
    percents = list(
        QuizAttempt.objects.filter(user_id=user_id, module=module, status=AttemptStatus.GRADED)
        .order_by("number")
        .values_list("score_percent", flat=True)
    )
    return grading.module_score(module.grading_method, percents)


def resend_stale_grading_jobs(*, now: datetime | None = None, limit: int = 500) -> int:
    """Sweep step: send again every job still pending well after it was last
    queued (its message never arrived, or was lost with a worker). Returns
    how many were handed to the broker."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.grading_resend_after_seconds())
    stale = list(
        GradingJob.objects.filter(status=GradingJobStatus.PENDING, queued_at__lt=cutoff)
        .order_by("queued_at")
        .values_list("pk", "queued_at")[:limit]
    )
    sent = 0
    for job_id, queued_at in stale:
        # Claim the re-send, so that two sweeps running at once send it once.
        claimed = GradingJob.objects.filter(
            pk=job_id, status=GradingJobStatus.PENDING, queued_at=queued_at
        ).update(queued_at=now)
        if claimed and send_grading_job(job_id):
            sent += 1
    return sent


# --------------------------------------------------------------------------
# What the module page shows
# --------------------------------------------------------------------------


@dataclass
class QuizOverview:
    module: ModulePage
    attempts: list[QuizAttempt] = field(default_factory=list)
    passed: bool = False
    score: Decimal | None = None
    refusal: str | None = None
    # Lessons to read before the quiz may start, when the course requires them.
    lessons_left: list = field(default_factory=list)
    # Why another attempt may not start now (grading.StartRefusal), for pages
    # that restate the rules: "no_attempts_left", or "waiting" until retry_at.
    refusal_reason: str | None = None
    retry_at: datetime | None = None

    @property
    def open_attempt(self) -> QuizAttempt | None:
        return next((a for a in self.attempts if a.is_open), None)

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def attempts_left(self) -> int | None:
        if not self.module.max_attempts:
            return None
        return max(0, self.module.max_attempts - self.attempts_used)

    @property
    def can_start(self) -> bool:
        return self.open_attempt is None and self.refusal is None and not self.lessons_left

    @property
    def first_pass(self) -> QuizAttempt | None:
        """The attempt that passed the module first, in time order."""
        return min((a for a in self.attempts if a.passed), key=lambda a: a.number, default=None)


def quiz_overview(
    user,
    module: ModulePage,
    *,
    now: datetime | None = None,
    progress: ModuleProgress | None = None,
    with_lessons_left: bool = True,
) -> QuizOverview:
    """The quiz part of a module page: past attempts (newest first), the
    module's score by the grading method, and whether another may start.
    `progress`, the module's progress when the page has it, saves the query
    for the lessons still to read; `with_lessons_left=False` leaves them out (the
    start refuses all the same, and lists them)."""
    overview = QuizOverview(module=module)
    if user is None or not user.is_authenticated:
        return overview
    now = now or timezone.now()
    attempts = list(QuizAttempt.objects.filter(user=user, module=module).order_by("number"))
    expired = [
        a
        for a in attempts
        if a.is_open and not grading.accepts_answers(now, a.deadline, grace_period())
    ]
    if expired:
        # Closed here rather than wait for the sweep, so the page is right now.
        for attempt in expired:
            close_expired_attempt(attempt.pk, now=now)
        attempts = list(QuizAttempt.objects.filter(user=user, module=module).order_by("number"))
    graded = [a.score_percent for a in attempts if a.is_graded]
    overview.attempts = list(reversed(attempts))
    overview.score = grading.module_score(module.grading_method, graded)
    overview.passed = ModuleCompletion.objects.filter(user=user, module=module).exists()
    if overview.open_attempt is None and with_lessons_left:
        overview.lessons_left = (
            progress.lessons_before_quiz_left
            if progress is not None
            else lessons_left_before_quiz(user, module)
        )
    if overview.open_attempt is None:
        refusal = _start_refusal(module, attempts, now)
        if refusal is not None:
            overview.refusal = refusal_message(refusal, module.max_attempts)
            overview.refusal_reason = refusal.reason
            overview.retry_at = refusal.retry_at
    return overview
