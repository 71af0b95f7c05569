"""Quiz views: start an attempt, answer on one page, submit, wait for the
grade, see the result. Business rules are in courses.attempts; these views
turn requests into calls and refusals into 400/403 pages or JSON in Thai.

The page works without JavaScript (a plain form post and a link to the
result); courses/static/courses/js/quiz.js adds saving each answer as it is given and
polling `attempt_status` until the grade is written.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import Page

from courses import attempts as quiz
from courses import conf, grading
from courses.models import Enrolment, ModulePage, QuizAttempt
from courses.models.pages import FeedbackLevel
from courses.next_module import next_module as next_module_after
from courses.ratelimits import PER_USER, rate_limit
from courses.shortcuts import render

STATUS_SALT = "courses.quiz.attempt-status"
# How the waiting page polls for its grade, as [delay in ms, times] pairs; the
# last pair repeats for ever. Quick at first (a grade usually takes well under
# a second), then less often, so a long wait does not load the server.
# benchmarks/quiz_room.py reads it from the page and polls the same way.
POLL_SCHEDULE = [[400, 1], [700, 1], [1000, 28], [2000, 30], [5000, 0]]
# Past COURSES_RATE_LIMITS (per learner): the answers are not taken.
TOO_FAST = gettext_lazy(
    "ส่งคำตอบถี่เกินไป ระบบจึงยังไม่ได้รับคำตอบครั้งนี้ คำตอบที่บันทึกไว้ก่อนหน้านี้ไม่สูญหาย "
    "กรุณารอสักครู่แล้วลองใหม่"
)


def status_token(attempt: QuizAttempt) -> str:
    """Names one attempt in the status URL. Polling with it reads no session
    or user, so hundreds of phones waiting for grades cost one query each."""
    return signing.Signer(salt=STATUS_SALT).sign(str(attempt.pk))


def _refused(request, refusal: quiz.QuizRefusal, back_url: str | None = None):
    return render(
        request,
        "courses/quiz/refused.html",
        {
            "message": refusal.message,
            "back_url": back_url,
            "lessons": getattr(refusal, "lessons", None),
        },
        status=refusal.status,
    )


def _posted_answers(request) -> dict[str, list[str]]:
    """Answers in a post: `question` lists the questions the form covers (so an
    unticked one counts as unanswered), `answer-<question id>` the choices."""
    raw = {question: [] for question in request.POST.getlist("question")}
    for key in request.POST:
        if key.startswith("answer-"):
            raw[key.removeprefix("answer-")] = request.POST.getlist(key)
    return raw


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _own_attempt(request, attempt_id: int) -> QuizAttempt:
    attempt = get_object_or_404(QuizAttempt.objects.select_related("module"), pk=attempt_id)
    if attempt.user_id != request.user.pk:
        raise quiz.QuizRefusal(_("แบบทดสอบนี้เป็นของผู้เรียนคนอื่น คุณไม่มีสิทธิ์เปิดดู"), 403)
    return attempt


@login_required
@require_POST
def start_quiz(request, module_id: int):
    module = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    try:
        attempt = quiz.start_attempt(request.user, module)
    except quiz.QuizRefusal as refusal:
        return _refused(request, refusal, back_url=f"{module.url}#quiz")
    return redirect("courses:quiz_attempt", attempt_id=attempt.pk)


@login_required
@never_cache
@require_GET
def attempt_page(request, attempt_id: int):
    """One address for an attempt in every state: the questions while open,
    "being graded" after submission, the result once graded."""
    try:
        attempt = _own_attempt(request, attempt_id)
    except quiz.QuizRefusal as refusal:
        return _refused(request, refusal)
    expired = not grading.accepts_answers(timezone.now(), attempt.deadline, quiz.grace_period())
    if attempt.is_open and expired and quiz.close_expired_attempt(attempt.pk):
        attempt.refresh_from_db()
    module = attempt.module
    context = {"attempt": attempt, "module": module, "page": module}
    if attempt.is_open:
        return render(
            request,
            "courses/quiz/attempt.html",
            {
                **context,
                "questions": _questions_to_answer(attempt),
                "answered_count": sum(1 for ids in attempt.answers.values() if ids),
                "closes_at": grading.closes_at(attempt.deadline, quiz.grace_period()),
                "seconds_left": _seconds_left(attempt),
            },
        )
    if not attempt.is_graded:
        return render(
            request,
            "courses/quiz/grading.html",
            {
                **context,
                "status_url": reverse("courses:quiz_attempt_status", args=[status_token(attempt)]),
                "poll_schedule": json.dumps(POLL_SCHEDULE),
            },
        )
    # Lessons left are not asked for here, on the page a whole training room opens at
    # once: this attempt began with them read (or before the course asked for them),
    # and should one have been added since, "try again" is refused with the list.
    overview = quiz.quiz_overview(request.user, module, with_lessons_left=False)
    # Whether the course is finished is asked only after a pass, in the query
    # that finds the course; the next module only when it is not finished.
    course = _course_of(module, request.user if overview.passed else None)
    course_finished = overview.passed and course.finished
    next_module = next_module_after(module) if overview.passed and not course_finished else None
    return render(
        request,
        "courses/quiz/result.html",
        {
            **context,
            "overview": overview,
            "pass_note": _pass_note(attempt, overview),
            # Without the request: Wagtail would look the request's site up in
            # the database only to choose between a relative and a full URL
            # (relative anyway on a single site, full and still right on several).
            "module_url": module.get_url(),
            "course_url": course.get_url(),
            "course_finished_url": (
                reverse("courses:course_finished", args=[course.pk]) if course_finished else None
            ),
            "next_module": next_module,
            "feedback": _feedback(attempt, module.feedback_level),
            "show_answers": module.feedback_level != FeedbackLevel.SCORE,
            "show_explanations": module.feedback_level == FeedbackLevel.EXPLANATIONS,
        },
    )


@login_required
@require_POST
@rate_limit(
    "quiz-answers",
    rates=conf.rate_limits,
    key=PER_USER,
    message=TOO_FAST,
    as_json=lambda request: True,
)
def save_answers(request, attempt_id: int):
    """Saves the answers of one question (or a few) as they are given: the
    page's JavaScript calls it on every change. Replies in JSON."""
    try:
        attempt = quiz.save_answers(request.user, attempt_id, _posted_answers(request))
    except quiz.QuizRefusal as refusal:
        body = {"error": refusal.message}
        if isinstance(refusal, quiz.AttemptClosedByTime):
            body["url"] = reverse("courses:quiz_attempt", args=[attempt_id])
        return JsonResponse(body, status=refusal.status)
    return JsonResponse(
        {"saved": True, "answered": sum(1 for ids in attempt.answers.values() if ids)}
    )


@login_required
@require_POST
@rate_limit(
    "quiz-submit", rates=conf.rate_limits, key=PER_USER, message=TOO_FAST, as_json=_wants_json
)
def submit_answers(request, attempt_id: int):
    """The quiz form: "save" keeps the answers and returns to the questions,
    "submit" sends them for grading. Works without JavaScript (a redirect to
    the attempt's page); the page's JavaScript asks for JSON instead, so a
    phone on a slow link waits for its grade without loading another page."""
    answers = _posted_answers(request)
    wants_json = _wants_json(request)
    try:
        if request.POST.get("action") == "save":
            quiz.save_answers(request.user, attempt_id, answers, replace=True)
            messages.success(request, _("บันทึกคำตอบแล้ว"))
        else:
            attempt = quiz.submit_attempt(request.user, attempt_id, answers)
            if wants_json:
                # The grade may already be written (quick worker, or a resubmission).
                attempt.status = _attempt_status(attempt.pk) or attempt.status
                return JsonResponse(_waiting_state(attempt))
    except quiz.AttemptClosedByTime as refusal:
        messages.warning(request, refusal.message)
    except quiz.QuizRefusal as refusal:
        if wants_json:
            return JsonResponse({"error": refusal.message}, status=refusal.status)
        return _refused(
            request, refusal, back_url=reverse("courses:quiz_attempt", args=[attempt_id])
        )
    return redirect("courses:quiz_attempt", attempt_id=attempt_id)


def _waiting_state(attempt: QuizAttempt) -> dict:
    """What a page needs to wait for a submitted attempt's grade."""
    return {
        "state": "graded" if attempt.is_graded else "grading",
        "url": reverse("courses:quiz_attempt", args=[attempt.pk]),
        "status_url": reverse("courses:quiz_attempt_status", args=[status_token(attempt)]),
        "poll_schedule": POLL_SCHEDULE,
    }


@never_cache
@require_GET
def attempt_status(request, token: str):
    """{"state": "open" | "grading" | "graded", "url": ...}: nothing about the
    answers, so nothing here can give a correct answer away."""
    try:
        attempt_id = int(signing.Signer(salt=STATUS_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return JsonResponse({"error": _("ลิงก์ตรวจสถานะไม่ถูกต้อง")}, status=400)
    status = _attempt_status(attempt_id)
    if status is None:
        return JsonResponse({"error": _("ไม่พบแบบทดสอบนี้")}, status=404)
    state = {"open": "open", "submitted": "grading", "graded": "graded"}[status]
    return JsonResponse({"state": state, "url": reverse("courses:quiz_attempt", args=[attempt_id])})


def _course_of(module: ModulePage, finished_by=None) -> Page:
    """The module's course (its parent), reading only the column its URL is
    made of rather than the whole of Wagtail's page row; with `finished_by`
    a learner, `finished` says whether they have completed it. No page type
    here routes itself (overrides get_url_parts), so the base class's URL is
    the page's."""
    pages = Page.objects.only("url_path")
    if finished_by is not None:
        completed = Enrolment.objects.filter(
            user=finished_by, course_id=OuterRef("pk"), completed_at__isnull=False
        )
        pages = pages.annotate(finished=Exists(completed))
    course = pages.get(path=module.path[: -module.steplen])
    if finished_by is None:
        course.finished = False
    return course


def _pass_note(attempt: QuizAttempt, overview: quiz.QuizOverview) -> str:
    """This attempt beside the module's pass, in time order: an attempt
    before the pass must not read as if the pass came before it."""
    first = overview.first_pass
    if first is None:
        return _("คุณผ่านบทนี้แล้ว") if overview.passed else ""
    if attempt.passed:
        if first.number < attempt.number:
            return _("ครั้งนี้ผ่าน · คุณผ่านบทนี้ครั้งแรกในครั้งที่ %(number)s") % {
                "number": first.number
            }
        return _("คุณผ่านบทนี้แล้ว")
    if first.number < attempt.number:
        return _(
            "ครั้งนี้ไม่ผ่าน · คุณผ่านแล้วในครั้งที่ %(number)s ผลครั้งนี้ไม่ทำให้เสียสิทธิ์"
        ) % {"number": first.number}
    return _("ครั้งนี้ไม่ผ่าน · คุณผ่านบทนี้ภายหลังในครั้งที่ %(number)s") % {
        "number": first.number
    }


def _attempt_status(attempt_id: int) -> str | None:
    """The attempt's status, in plain SQL: a waiting room polls this hundreds
    of times a second, and the ORM's `.first()` compiled the query afresh each
    time, ordered by the model's ordering (which follows the module into
    Wagtail's page table) for a single row looked up by its key."""
    quote, meta = connection.ops.quote_name, QuizAttempt._meta
    # Only the model's own names go into the text; the id is a parameter.
    sql = "SELECT {} FROM {} WHERE {} = %s".format(  # noqa: S608
        quote(meta.get_field("status").column), quote(meta.db_table), quote(meta.pk.column)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id])
        row = cursor.fetchone()
    return row[0] if row else None


def _seconds_left(attempt: QuizAttempt) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - timezone.now()).total_seconds()))


def _questions_to_answer(attempt: QuizAttempt) -> list[dict]:
    """The snapshot as the open page may show it: without which choices are
    correct and without explanations, so a template cannot leak them."""
    questions = []
    for number, question in enumerate(attempt.questions, start=1):
        chosen = set(attempt.answers.get(str(question["id"]), []))
        questions.append(
            {
                "id": question["id"],
                "number": number,
                "kind": question["kind"],
                "text": question["text"],
                "points": question["points"],
                "multiple": question["kind"] == grading.MULTIPLE,
                "choices": [
                    {"id": c["id"], "text": c["text"], "checked": c["id"] in chosen}
                    for c in question["choices"]
                ],
            }
        )
    return questions


def _feedback(attempt: QuizAttempt, level: str) -> list[dict]:
    """Per-question feedback the trainer allows, from the attempt's snapshot.
    Its labels and classes are worked out here rather than in the template's
    loop: a result page is what a whole training room loads at once, and the
    template's tags per question and choice were most of its cost."""
    if level == FeedbackLevel.SCORE:
        return []
    show_key = level == FeedbackLevel.EXPLANATIONS
    verdicts = {
        "correct": ("is-correct", "ok", _("ถูก")),
        "partly": ("is-partly", "partly", _("ถูกบางส่วน")),
        "wrong": ("is-wrong", "danger", _("ผิด")),
    }
    feedback = []
    for number, question in enumerate(attempt.questions, start=1):
        chosen = set(attempt.answers.get(str(question["id"]), []))
        result = attempt.results.get(str(question["id"]), {})
        points = result.get("points", "0")
        correct = bool(result.get("correct"))
        partly = not correct and Decimal(points) > 0
        item_class, verdict_class, verdict = verdicts[
            "correct" if correct else "partly" if partly else "wrong"
        ]
        choices = []
        for c in question["choices"]:
            is_chosen = c["id"] in chosen
            is_key = c["is_correct"] if show_key else None
            choices.append(
                {
                    "text": c["text"],
                    "chosen": is_chosen,
                    "is_correct": is_key,
                    "css": ("is-chosen" if is_chosen else "") + (" is-key" if is_key else ""),
                }
            )
        feedback.append(
            {
                "number": number,
                "text": question["text"],
                "points": points,
                "max_points": question["points"],
                "correct": correct,
                "partly": partly,
                "css": item_class,
                "verdict": verdict,
                "verdict_css": verdict_class,
                "number_label": _("ข้อ %(number)s") % {"number": number},
                "points_label": _("%(points)s/%(max)s คะแนน")
                % {"points": points, "max": question["points"]},
                "explanation": question["explanation"] if show_key else "",
                "choices": choices,
            }
        )
    return feedback
