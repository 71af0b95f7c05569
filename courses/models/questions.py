"""The question pool of a module's quiz, edited inline on the ModulePage.

These rows are what trainers edit; an attempt never reads them after it has
started, because it keeps its own snapshot of the questions it was given.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("เลือกคำตอบเดียว")
    MULTIPLE = "multiple", _("เลือกได้หลายคำตอบ")
    TRUE_FALSE = "true_false", _("ถูก/ผิด")


class MultipleScoring(models.TextChoices):
    ALL_OR_NOTHING = "all", _("ต้องถูกทั้งหมดจึงได้คะแนน")
    PARTIAL = "partial", _("ได้คะแนนบางส่วน")


class QuizQuestion(ClusterableModel, Orderable):
    module = ParentalKey("courses.ModulePage", related_name="questions", on_delete=models.CASCADE)
    kind = models.CharField(
        _("ชนิดคำถาม"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text = models.TextField(_("คำถาม"))
    points = models.PositiveSmallIntegerField(_("คะแนน"), default=1)
    multiple_scoring = models.CharField(
        _("การให้คะแนนแบบหลายคำตอบ"),
        max_length=8,
        choices=MultipleScoring.choices,
        default=MultipleScoring.ALL_OR_NOTHING,
    )
    explanation = models.TextField(_("คำอธิบายหลังตรวจ"), blank=True)

    panels = [
        FieldPanel("kind"),
        FieldPanel("text"),
        FieldPanel("points"),
        FieldPanel("multiple_scoring"),
        FieldPanel("explanation"),
        InlinePanel("choices", label=_("ตัวเลือก"), min_num=2),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("คำถาม")
        verbose_name_plural = _("คำถาม")

    def __str__(self):
        return self.text[:80]


class QuizChoice(Orderable):
    question = ParentalKey(QuizQuestion, related_name="choices", on_delete=models.CASCADE)
    text = models.CharField(_("ตัวเลือก"), max_length=500)
    is_correct = models.BooleanField(_("เป็นคำตอบที่ถูก"), default=False)

    panels = [FieldPanel("text"), FieldPanel("is_correct")]

    class Meta(Orderable.Meta):
        verbose_name = _("ตัวเลือก")
        verbose_name_plural = _("ตัวเลือก")

    def __str__(self):
        return self.text
