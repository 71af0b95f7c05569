"""A spreadsheet of a cohort report built in the background: the row the
waiting page polls, and the file once it is ready."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportExport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("รอคิว")
        RUNNING = "running", _("กำลังสร้างไฟล์")
        DONE = "done", _("พร้อมดาวน์โหลด")
        FAILED = "failed", _("สร้างไฟล์ไม่สำเร็จ")

    FINISHED = (Status.DONE, Status.FAILED)

    cohort = models.ForeignKey(
        "cohorts.TrainingCohort", on_delete=models.CASCADE, related_name="report_exports"
    )
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The report filters (province, district, status) as the query string had them.
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    # Kept in the row, not in media storage (which may be public): it holds
    # names and phone numbers.
    content = models.BinaryField(editable=False, default=bytes)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("ไฟล์รายงานที่ส่งออก")
        verbose_name_plural = _("ไฟล์รายงานที่ส่งออก")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.cohort} ({self.requested_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED
