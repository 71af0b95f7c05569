"""What a volunteer has done: enrolments, lessons read, modules passed."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="enrolments"
    )
    enrolled_at = models.DateTimeField(_("ลงทะเบียนเมื่อ"), default=timezone.now)
    completed_at = models.DateTimeField(_("เรียนจบเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("การลงทะเบียนเรียน")
        verbose_name_plural = _("การลงทะเบียนเรียน")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_enrolment_per_course")
        ]
        indexes = [models.Index(fields=["course", "completed_at"])]

    def __str__(self):
        return f"{self.user} → {self.course}"


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="completions"
    )
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("บทเรียนที่อ่านแล้ว")
        verbose_name_plural = _("บทเรียนที่อ่านแล้ว")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_completion_per_lesson")
        ]

    def __str__(self):
        return f"{self.user} ✓ {self.lesson}"


class ModuleCompletion(models.Model):
    """A module passed. Once written it stays: a later, lower attempt never
    takes a pass away from a volunteer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_completions"
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.CASCADE, related_name="completions"
    )
    passed_at = models.DateTimeField(default=timezone.now)
    score_percent = models.DecimalField(
        _("คะแนน (ร้อยละ)"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("บทเรียนหลักที่ผ่านแล้ว")
        verbose_name_plural = _("บทเรียนหลักที่ผ่านแล้ว")
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="one_pass_per_module")
        ]

    def __str__(self):
        return f"{self.user} ✓ {self.module}"
