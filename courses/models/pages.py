"""The course page tree: CourseIndexPage → CoursePage → ModulePage → LessonPage.

A lesson is a page of its own rather than a section of the module page: each
lesson then has its own address, revisions and publishing, is searched and
completed on its own, and a phone loads one lesson at a time.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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

from courses.blocks import SIMPLE_RICH_TEXT, LessonStreamBlock
from courses.forms import ModulePageForm
from courses.search.fields import thai_search_fields


class CourseIndexPage(Page):
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


class CoursePage(Page):
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

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("cover_image"),
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
        from courses.progress import course_progress

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


class ModulePage(Page):
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
        from courses.progress import module_progress

        context = super().get_context(request, *args, **kwargs)
        context["progress"] = module_progress(request.user, self)
        return context


class LessonPage(Page):
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
        from courses.progress import lesson_context

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_context(request.user, self))
        return context
