"""Quiz attempts and their grading jobs.

An attempt keeps a *snapshot* of the questions and choices it was given (text,
points, scoring rule, which choices are correct, in the order shown), so a
trainer editing the quiz while volunteers are mid-attempt changes nothing for
them: grading and the result page read only the snapshot, never the pool.

The grading job is the record of work to do; the Celery message only carries
its primary key. A job is written in the same transaction as the submission,
so a submission without its job (or the other way round) cannot exist.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("กำลังทำ")
    SUBMITTED = "submitted", _("กำลังตรวจ")
    GRADED = "graded", _("ตรวจแล้ว")


class QuizAttempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField(_("ครั้งที่"))
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=AttemptStatus.choices, default=AttemptStatus.OPEN
    )
    # [{"id", "kind", "text", "points", "multiple_scoring", "explanation",
    #   "choices": [{"id", "text", "is_correct"}]}] in the order shown.
    questions = models.JSONField(_("คำถามที่ได้รับ"), default=list)
    # {"<question id>": [choice id, ...]}: saved as the volunteer answers.
    answers = models.JSONField(_("คำตอบ"), default=dict, blank=True)
    # The pass mark in force when the attempt started.
    pass_mark = models.PositiveSmallIntegerField(_("เกณฑ์ผ่าน (ร้อยละ)"))
    started_at = models.DateTimeField(_("เริ่มเมื่อ"), default=timezone.now)
    deadline = models.DateTimeField(_("หมดเวลาเมื่อ"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True)
    closed_by_time_limit = models.BooleanField(_("ปิดเพราะหมดเวลา"), default=False)
    graded_at = models.DateTimeField(_("ตรวจเมื่อ"), null=True, blank=True)
    score_points = models.DecimalField(
        _("คะแนนที่ได้"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_points = models.DecimalField(
        _("คะแนนเต็ม"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    score_percent = models.DecimalField(
        _("คะแนน (ร้อยละ)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("ผ่าน"), null=True, blank=True)
    # {"<question id>": {"points": "0.50", "correct": false}} once graded.
    results = models.JSONField(_("ผลรายข้อ"), default=dict, blank=True)

    class Meta:
        verbose_name = _("การทำแบบทดสอบ")
        verbose_name_plural = _("การทำแบบทดสอบ")
        ordering = ["module", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "number"], name="one_attempt_per_number"
            ),
            # A double click on "start" cannot open two attempts at once.
            models.UniqueConstraint(
                fields=["user", "module"],
                condition=Q(status="open"),
                name="one_open_attempt_per_module",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="attempt_open_deadline_idx"),
            # The cohort report's attempts to pass: each volunteer's first
            # passing attempt per module, read from this index alone instead
            # of every attempt's row with its question snapshot.
            models.Index(
                fields=["module", "user", "number"],
                condition=Q(passed=True),
                name="attempt_first_pass_idx",
            ),
            # A module's latest grade, read as one step of this index: the
            # cohort's per-question figures are kept until it changes.
            models.Index(fields=["module", "graded_at"], name="attempt_module_graded_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.module} · #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.OPEN

    @property
    def is_graded(self) -> bool:
        return self.status == AttemptStatus.GRADED


class GradingJobStatus(models.TextChoices):
    PENDING = "pending", _("รอตรวจ")
    DONE = "done", _("ตรวจแล้ว")


class GradingJob(models.Model):
    attempt = models.OneToOneField(
        QuizAttempt, on_delete=models.CASCADE, related_name="grading_job"
    )
    status = models.CharField(
        max_length=10, choices=GradingJobStatus.choices, default=GradingJobStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When the job was last handed (or tried to be handed) to the broker: the
    # sweep re-sends only jobs left pending well past this.
    queued_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveIntegerField(default=0)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("งานตรวจแบบทดสอบ")
        verbose_name_plural = _("งานตรวจแบบทดสอบ")
        indexes = [models.Index(fields=["status", "queued_at"], name="gradingjob_pending_idx")]

    def __str__(self):
        return f"grade job {self.pk} ({self.status})"
