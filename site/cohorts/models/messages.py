"""A trainer's message to their cohort (or part of it), sent through the
plugins' notifications outbox: this row is what the trainer wrote and to whom;
the notifications Event and its Delivery rows are what went out."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CohortMessage(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("ทุกคนในรุ่น")
        NOT_STARTED = "not_started", _("ผู้ที่ยังไม่เริ่มเรียน")
        IN_PROGRESS = "in_progress", _("ผู้ที่เรียนค้างไว้ครึ่งทาง")
        COMPLETED = "completed", _("ผู้ที่เรียนจบแล้ว")

    class Link(models.TextChoices):
        MY_LEARNING = "my_learning", _("หน้าการเรียนของฉัน")
        COURSE = "course", _("หน้าหลักสูตร")

    cohort = models.ForeignKey(
        "cohorts.TrainingCohort",
        verbose_name=_("รุ่นการอบรม"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้เขียน"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    audience = models.CharField(
        _("ส่งถึง"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    # The course whose progress the audience is counted by (the report's course).
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("หลักสูตร"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    province = models.CharField(_("จังหวัด"), max_length=100, blank=True)
    district = models.CharField(_("อำเภอ"), max_length=100, blank=True)
    text = models.TextField(_("ข้อความ"))
    link = models.CharField(
        _("ลิงก์ในข้อความ"), max_length=20, choices=Link.choices, default=Link.MY_LEARNING
    )
    # The compose form's one-time key: a double submit or a reload finds it taken.
    send_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.OneToOneField(
        "notifications.Event",
        verbose_name=_("เหตุการณ์แจ้งเตือน"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cohort_message",
    )
    recipients = models.PositiveIntegerField(_("จำนวนผู้รับ"), default=0)
    # Why LINE was not used for this message (the month's quota), or "".
    line_skipped = models.TextField(_("เหตุที่ไม่ได้ส่งทาง LINE"), blank=True)
    created_at = models.DateTimeField(_("ส่งเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("ข้อความถึงรุ่น")
        verbose_name_plural = _("ข้อความถึงรุ่น")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["cohort", "-created_at"], name="cohort_message_recent_idx"),
        ]

    def __str__(self):
        return f"{self.cohort} · {self.get_audience_display()} · {self.created_at:%Y-%m-%d %H:%M}"
