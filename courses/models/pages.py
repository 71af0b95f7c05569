"""The course page tree: CourseIndexPage → CoursePage → ModulePage → LessonPage.

A lesson is a page of its own rather than a section of the module page: each
lesson then has its own address, revisions and publishing, is searched and
completed on its own, and a phone loads one lesson at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from courses import conf
from courses.blocks import SIMPLE_RICH_TEXT, LessonStreamBlock
from courses.forms import ModulePageForm
from courses.models.progress import Enrolment, LessonCompletion, ModuleCompletion
from courses.search.fields import thai_search_fields
from courses.shortcuts import base_template_context


class HostBaseTemplateMixin:
    """Names the host's base template in the page's context, which the page's template
    extends through courses/base.html (courses/shortcuts.py says why a variable)."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(base_template_context())
        return context


class CourseIndexPage(HostBaseTemplateMixin, Page):
    intro = RichTextField(_("คำนำ"), blank=True, features=SIMPLE_RICH_TEXT)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    # No parent_page_types: it goes under the host site's own home page,
    # whatever that page's model is called; a host that wants it nowhere
    # else says so in its home page's subpage_types, as this site's does.
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("หน้ารวมหลักสูตร")
        verbose_name_plural = _("หน้ารวมหลักสูตร")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = CoursePage.objects.child_of(self).live().specific()
        return context


class CoursePage(HostBaseTemplateMixin, Page):
    summary = models.CharField(_("สรุปสั้น ๆ"), max_length=300, blank=True)
    intro = RichTextField(_("คำนำ"), blank=True, features=SIMPLE_RICH_TEXT)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ภาพปก"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A callable, so that a host's COURSES_REQUIRE_LESSONS_BEFORE_QUIZ sets what a new
    # course starts with; the migration that added it left existing courses off.
    require_lessons_before_quiz = models.BooleanField(
        _("ต้องอ่านบทเรียนให้ครบก่อนทำแบบทดสอบ"),
        default=conf.require_lessons_before_quiz,
        help_text=_(
            "เมื่อเลือก ผู้เรียนต้องเปิดอ่านบทเรียนทุกตอนของบทเรียนหลัก (โมดูล) ก่อน "
            "จึงจะเริ่มทำแบบทดสอบท้ายบทนั้นได้"
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("cover_image"),
        FieldPanel("require_lessons_before_quiz"),
    ]
    # Quiz questions are never indexed: search would give the answers away.
    search_fields = thai_search_fields("summary", "intro")
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("หลักสูตร")
        verbose_name_plural = _("หลักสูตร")

    def modules(self):
        return ModulePage.objects.child_of(self).live().specific().order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["progress"] = course_progress(request.user, self)
        return context


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("คะแนนสูงสุด")
    LAST = "last", _("ครั้งล่าสุด")
    FIRST = "first", _("ครั้งแรก")
    AVERAGE = "average", _("คะแนนเฉลี่ย")


class FeedbackLevel(models.TextChoices):
    SCORE = "score", _("คะแนนเท่านั้น")
    ANSWERS = "answers", _("คะแนนและข้อที่ตอบถูกหรือผิด")
    EXPLANATIONS = "explanations", _("คะแนน ข้อถูกผิด และคำอธิบาย")


class ModulePage(HostBaseTemplateMixin, Page):
    """A module of a course: its lessons are child pages and its quiz is edited here."""

    summary = models.CharField(_("สรุปสั้น ๆ"), max_length=300, blank=True)
    intro = RichTextField(_("คำนำ"), blank=True, features=SIMPLE_RICH_TEXT)

    quiz_title = models.CharField(_("ชื่อแบบทดสอบ"), max_length=255, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("เกณฑ์ผ่าน (ร้อยละ)"),
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("จำนวนครั้งที่ทำได้"), default=0, help_text=_("0 หมายถึงไม่จำกัด")
    )
    retry_delay_minutes = models.PositiveIntegerField(
        _("ระยะเวลารอก่อนทำใหม่ (นาที)"), default=0
    )
    grading_method = models.CharField(
        _("วิธีคิดคะแนนจากหลายครั้ง"),
        max_length=10,
        choices=GradingMethod.choices,
        default=GradingMethod.HIGHEST,
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("จำกัดเวลา (นาที)"), null=True, blank=True, help_text=_("เว้นว่างหากไม่จำกัดเวลา")
    )
    shuffle_questions = models.BooleanField(_("สลับลำดับคำถาม"), default=False)
    shuffle_choices = models.BooleanField(_("สลับลำดับตัวเลือก"), default=False)
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("สุ่มคำถามครั้งละ (ข้อ)"),
        null=True,
        blank=True,
        help_text=_("เว้นว่างเพื่อใช้ทุกข้อในคลังคำถาม"),
    )
    feedback_level = models.CharField(
        _("สิ่งที่ผู้เรียนเห็นหลังตรวจ"),
        max_length=12,
        choices=FeedbackLevel.choices,
        default=FeedbackLevel.EXPLANATIONS,
    )

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("intro")]
    quiz_panels = [
        MultiFieldPanel(
            [
                FieldPanel("quiz_title"),
                FieldPanel("pass_mark"),
                FieldPanel("max_attempts"),
                FieldPanel("retry_delay_minutes"),
                FieldPanel("grading_method"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("questions_per_attempt"),
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_choices"),
                FieldPanel("feedback_level"),
            ],
            heading=_("การตั้งค่าแบบทดสอบ"),
        ),
        InlinePanel("questions", label=_("คำถาม"), heading=_("คำถามในคลัง")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("เนื้อหา")),
            ObjectList(quiz_panels, heading=_("แบบทดสอบ")),
            ObjectList(Page.promote_panels, heading=_("การโปรโมต")),
        ]
    )
    search_fields = thai_search_fields("summary", "intro")
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    # Checks each question's choices against its kind (one right answer, ...).
    base_form_class = ModulePageForm

    class Meta:
        verbose_name = _("บทเรียนหลัก (โมดูล)")
        verbose_name_plural = _("บทเรียนหลัก (โมดูล)")

    @property
    def course(self):
        return CoursePage.objects.ancestor_of(self).first()

    def lessons(self):
        return LessonPage.objects.child_of(self).live().specific().order_by("path")

    @property
    def has_quiz(self) -> bool:
        return self.questions.exists()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["progress"] = module_progress(request.user, self)
        return context


class LessonPage(HostBaseTemplateMixin, Page):
    summary = models.CharField(_("สรุปสั้น ๆ"), max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(_("เวลาอ่านโดยประมาณ (นาที)"), default=5)
    body = StreamField(LessonStreamBlock(), verbose_name=_("เนื้อหาบทเรียน"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("minutes"),
        FieldPanel("body"),
    ]
    search_fields = thai_search_fields("summary", "body")
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("บทเรียน")
        verbose_name_plural = _("บทเรียน")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_context(request.user, self))
        return context


# --------------------------------------------------------------------------
# Progress as the pages show it
# --------------------------------------------------------------------------
# Reading a volunteer's progress is a query over this page tree, so it lives with
# the pages, as Wagtail's own tree queries live on Page. The pages' get_context
# then calls it without importing courses.progress, whose rules (enrolling,
# passing, completing) build on these models: the dependency runs one way only.


@dataclass
class ModuleProgress:
    module: ModulePage
    lessons: list[LessonPage]
    lessons_done: set[int]
    has_quiz: bool
    passed: bool
    score_percent: Decimal | None = None
    # The course's rule: every lesson read before the quiz starts.
    lessons_before_quiz: bool = False

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
    def lessons_left(self) -> list[LessonPage]:
        return [lesson for lesson in self.lessons if lesson.pk not in self.lessons_done]

    @property
    def lessons_before_quiz_left(self) -> list[LessonPage]:
        """The lessons still to read before the quiz may start (none if the course
        does not ask for them)."""
        return self.lessons_left if self.has_quiz and self.lessons_before_quiz else []

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


def courses_progress(user, courses: list[CoursePage]) -> list[CourseProgress]:
    """Progress of several courses in six queries in all, whatever the number of
    modules and lessons."""
    if not courses:
        return []
    depth = courses[0].depth
    under_courses = Q()
    for course in courses:
        under_courses |= Q(path__startswith=course.path)
    # The course's rule rides on the modules' query: a routed module or lesson
    # page's course is a deferred object, whose field would cost a query.
    course_rule = CoursePage.objects.filter(
        path=Substr(OuterRef("path"), 1, depth * ModulePage.steplen)
    ).values("require_lessons_before_quiz")[:1]
    modules = list(
        ModulePage.objects.live()
        .filter(under_courses, depth=depth + 1)
        .annotate(question_count=Count("questions"), lessons_before_quiz=Subquery(course_rule))
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
        enrolments = {
            e.course_id: e for e in Enrolment.objects.filter(user=user, course__in=courses)
        }

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
                    lessons_before_quiz=bool(module.lessons_before_quiz),
                )
            )
        result.append(progress)
    return result


def course_progress(user, course: CoursePage | Page) -> CourseProgress:
    return courses_progress(user, [course])[0]


def module_progress(user, module: ModulePage | Page) -> ModuleProgress:
    # Progress needs only the course's place in the tree: its plain Page will
    # do (and a routed request has it cached already, see HomePage.route).
    progress = course_progress(user, module.get_parent())
    return next(m for m in progress.modules if m.module.pk == module.pk)


def lesson_context(user, lesson: LessonPage) -> dict:
    """What a lesson page shows around its body: where it sits in the module,
    the previous and next lesson, whether the volunteer is enrolled in the
    course and has read it."""
    module_page = lesson.get_parent()
    course = course_progress(user, module_page.get_parent())
    progress = next(m for m in course.modules if m.module.pk == module_page.pk)
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
        "enrolled": course.enrolled,
    }
