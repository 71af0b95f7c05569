"""Progress rules: enrolment, lessons read, modules passed, course completion.

Plain functions that views, tasks and tests call directly. Reading progress
(what a course, module or lesson page shows) is a query over the page tree and
lives beside the pages, in courses.models.pages; it is named here too, so that
callers have one place to look.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.utils import timezone

from courses.models import (
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModuleCompletion,
    ModulePage,
)
from courses.models.pages import (
    CourseProgress,
    ModuleProgress,
    course_progress,
    courses_progress,
    lesson_context,
    module_progress,
)
from courses.signals import course_completed

__all__ = [
    "CourseProgress",
    "ModuleProgress",
    "complete_lesson",
    "course_progress",
    "courses_progress",
    "enrol",
    "learning_overview",
    "lesson_context",
    "lessons_left_before_quiz",
    "module_progress",
    "record_lesson_opened",
    "record_module_pass",
]


def learning_overview(user) -> list[CourseProgress]:
    """The "My learning" page: every course the volunteer is enrolled in."""
    courses = list(
        CoursePage.objects.live().filter(enrolments__user=user).order_by("path").distinct()
    )
    return courses_progress(user, courses)


def enrol(user, course: CoursePage) -> Enrolment:
    enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course)
    return enrolment


def complete_lesson(user, lesson: LessonPage) -> LessonCompletion:
    """Mark a lesson read (once). Reading every lesson of a module without a
    quiz passes that module."""
    module = lesson.get_parent().specific
    enrol(user, module.get_parent().specific)
    completion, _created = LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
    if not module.has_quiz:
        progress = module_progress(user, module)
        if progress.lessons_done_count == progress.lessons_total:
            record_module_pass(user, module, score_percent=None)
    return completion


def record_lesson_opened(user, lesson: LessonPage, progress: ModuleProgress) -> None:
    """Record that an enrolled learner opened a lesson (LessonPage.serve), given the
    module's progress that the page has read already, which says it is not done yet.

    One INSERT .. ON CONFLICT DO NOTHING: a second tab opening it at the same moment
    is no error, and nothing is read first. As with the button, reading the last
    lesson of a module without a quiz passes the module (record_module_pass is
    idempotent too)."""
    LessonCompletion.objects.bulk_create(
        [LessonCompletion(user=user, lesson=lesson)], ignore_conflicts=True
    )
    progress.lessons_done.add(lesson.pk)
    if not progress.has_quiz and progress.lessons_done_count == progress.lessons_total:
        record_module_pass(user, progress.module, score_percent=None)


def lessons_left_before_quiz(user, module: ModulePage) -> list[LessonPage]:
    """The live lessons of a module the learner has still to read before its quiz
    may start: none unless the course requires them (CoursePage.require_lessons_before_quiz).
    One query."""
    course_path = module.path[: -ModulePage.steplen]
    requires = CoursePage.objects.filter(path=course_path, require_lessons_before_quiz=True)
    return list(
        LessonPage.objects.live()
        .child_of(module)
        .filter(Exists(requires))
        .exclude(completions__user=user)
        .defer_streamfields()
        .order_by("path")
    )


def record_module_pass(user, module: ModulePage, score_percent: Decimal | None) -> bool:
    """Record that a volunteer passed a module. Returns True the first time.

    Idempotent and safe against two workers at once: the unique constraint
    decides, and the loser does nothing. When this pass completes the course,
    the enrolment is marked and `course_completed` is sent after commit.

    `user` needs only its pk (the grading worker passes the attempt's user
    without loading it). Whether the course is complete is one query over the
    course's live modules, not its whole progress: this runs for every pass
    of a training room, in the grading worker.
    """
    user_id = user.pk
    try:
        with transaction.atomic():
            ModuleCompletion.objects.create(
                user_id=user_id, module=module, score_percent=score_percent
            )
    except IntegrityError:
        return False
    # A module's course is its parent in the page tree.
    course_path = module.path[: -ModulePage.steplen]
    course_id = CoursePage.objects.filter(path=course_path).values_list("pk", flat=True).get()
    enrolment, _created = Enrolment.objects.get_or_create(user_id=user_id, course_id=course_id)
    unpassed = (
        ModulePage.objects.live()
        .filter(path__startswith=course_path, depth=module.depth)
        .exclude(completions__user_id=user_id)
    )
    if enrolment.completed_at is None and not unpassed.exists():
        updated = Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        if updated:
            transaction.on_commit(
                lambda: course_completed.send(
                    sender=CoursePage, user_id=user_id, course_id=course_id
                ),
                robust=True,
            )
    return True
