"""Progress rules: enrolment, lessons read, modules passed, course completion.

Plain functions that views, tasks and tests call directly. Reading progress
takes a fixed number of queries whatever the number of modules and lessons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from wagtail.models import Page

from courses.models import (
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModuleCompletion,
    ModulePage,
)
from courses.signals import course_completed


@dataclass
class ModuleProgress:
    module: ModulePage
    lessons: list[LessonPage]
    lessons_done: set[int]
    has_quiz: bool
    passed: bool
    score_percent: Decimal | None = None

    @property
    def lessons_total(self) -> int:
        return len(self.lessons)

    @property
    def lessons_done_count(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.pk in self.lessons_done)

    @property
    def steps_total(self) -> int:
        return self.lessons_total + (1 if self.has_quiz else 0)

    @property
    def steps_done(self) -> int:
        return self.lessons_done_count + (1 if self.has_quiz and self.passed else 0)

    @property
    def next_lesson(self) -> LessonPage | None:
        return next((lesson for lesson in self.lessons if lesson.pk not in self.lessons_done), None)

    @property
    def percent(self) -> int:
        return _percent(self.steps_done, self.steps_total)


@dataclass
class CourseProgress:
    course: CoursePage
    enrolment: Enrolment | None
    modules: list[ModuleProgress] = field(default_factory=list)

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None

    @property
    def completed(self) -> bool:
        return bool(self.enrolment and self.enrolment.completed_at)

    @property
    def steps_total(self) -> int:
        return sum(m.steps_total for m in self.modules)

    @property
    def steps_done(self) -> int:
        return sum(m.steps_done for m in self.modules)

    @property
    def percent(self) -> int:
        return _percent(self.steps_done, self.steps_total)

    @property
    def modules_passed(self) -> int:
        return sum(1 for m in self.modules if m.passed)

    @property
    def next_step(self):
        """Where to continue: the first unread lesson, or the quiz of the
        first module whose lessons are read but whose quiz is not passed."""
        for module in self.modules:
            if module.passed:
                continue
            lesson = module.next_lesson
            if lesson is not None:
                return {"kind": "lesson", "page": lesson, "module": module.module}
            if module.has_quiz:
                return {"kind": "quiz", "page": module.module, "module": module.module}
        return None


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def _build_course_progress(user, courses: list[CoursePage]) -> list[CourseProgress]:
    """Progress of several courses in six queries in all."""
    if not courses:
        return []
    depth = courses[0].depth
    under_courses = Q()
    for course in courses:
        under_courses |= Q(path__startswith=course.path)
    modules = list(
        ModulePage.objects.live()
        .filter(under_courses, depth=depth + 1)
        .annotate(question_count=Count("questions"))
        .order_by("path")
    )
    # Lists need titles and reading times, not lesson bodies.
    lessons = list(
        LessonPage.objects.live()
        .filter(under_courses, depth=depth + 2)
        .defer_streamfields()
        .order_by("path")
    )
    lessons_by_module: dict[str, list[LessonPage]] = {}
    for lesson in lessons:
        lessons_by_module.setdefault(lesson.path[: -ModulePage.steplen], []).append(lesson)

    authenticated = user is not None and user.is_authenticated
    done_lessons: set[int] = set()
    passes: dict[int, ModuleCompletion] = {}
    enrolments: dict[int, Enrolment] = {}
    if authenticated:
        done_lessons = set(
            LessonCompletion.objects.filter(user=user, lesson__in=lessons).values_list(
                "lesson_id", flat=True
            )
        )
        passes = {
            c.module_id: c for c in ModuleCompletion.objects.filter(user=user, module__in=modules)
        }
        enrolments = {e.course_id: e for e in Enrolment.objects.filter(user=user, course__in=courses)}

    result = []
    for course in courses:
        progress = CourseProgress(course=course, enrolment=enrolments.get(course.pk))
        for module in modules:
            if module.path[: -ModulePage.steplen] != course.path:
                continue
            completion = passes.get(module.pk)
            progress.modules.append(
                ModuleProgress(
                    module=module,
                    lessons=lessons_by_module.get(module.path, []),
                    lessons_done=done_lessons,
                    has_quiz=module.question_count > 0,
                    passed=completion is not None,
                    score_percent=completion.score_percent if completion else None,
                )
            )
        result.append(progress)
    return result


def course_progress(user, course: CoursePage | Page) -> CourseProgress:
    return _build_course_progress(user, [course])[0]


def module_progress(user, module: ModulePage | Page) -> ModuleProgress:
    # Progress needs only the course's place in the tree: its plain Page will
    # do (and a routed request has it cached already, see HomePage.route).
    progress = course_progress(user, module.get_parent())
    return next(m for m in progress.modules if m.module.pk == module.pk)


def learning_overview(user) -> list[CourseProgress]:
    """The "My learning" page: every course the volunteer is enrolled in."""
    courses = list(
        CoursePage.objects.live().filter(enrolments__user=user).order_by("path").distinct()
    )
    return _build_course_progress(user, courses)


def lesson_context(user, lesson: LessonPage) -> dict:
    """What a lesson page shows around its body: where it sits in the module,
    the previous and next lesson, and whether the volunteer has read it."""
    progress = module_progress(user, lesson.get_parent())
    module = progress.module
    lessons = progress.lessons
    index = next((i for i, item in enumerate(lessons) if item.pk == lesson.pk), 0)
    return {
        "module": module,
        "module_progress": progress,
        "lesson_number": index + 1,
        "previous_lesson": lessons[index - 1] if index > 0 else None,
        "next_lesson": lessons[index + 1] if index + 1 < len(lessons) else None,
        "lesson_done": lesson.pk in progress.lessons_done,
    }


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


def record_module_pass(user, module: ModulePage, score_percent: Decimal | None) -> bool:
    """Record that a volunteer passed a module. Returns True the first time.

    Idempotent and safe against two workers at once: the unique constraint
    decides, and the loser does nothing. When this pass completes the course,
    the enrolment is marked and `course_completed` is sent after commit.
    """
    course = module.get_parent().specific
    try:
        with transaction.atomic():
            ModuleCompletion.objects.create(user=user, module=module, score_percent=score_percent)
    except IntegrityError:
        return False
    enrolment = enrol(user, course)
    progress = course_progress(user, course)
    if all(m.passed for m in progress.modules) and enrolment.completed_at is None:
        updated = Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        if updated:
            transaction.on_commit(
                lambda: course_completed.send(
                    sender=CoursePage, user_id=user.pk, course_id=course.pk
                ),
                robust=True,
            )
    return True
