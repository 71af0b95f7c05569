"""One roster upload: the file kept between preview and confirmation, and
the progress and outcome of its import (the row the progress page polls)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RosterImport(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("รอตรวจและยืนยัน")
        QUEUED = "queued", _("รอคิวนำเข้า")
        RUNNING = "running", _("กำลังตรวจและบันทึก")
        DONE = "done", _("นำเข้าแล้ว")
        REJECTED = "rejected", _("ไม่ได้นำเข้า เพราะมีแถวที่ผิด")
        FAILED = "failed", _("นำเข้าไม่สำเร็จ")

    class Mode(models.TextChoices):
        GOOD_ROWS = "good_rows", _("นำเข้าเฉพาะแถวที่ถูกต้อง")
        ALL_OR_NOTHING = "all_or_nothing", _("นำเข้าเมื่อทุกแถวถูกต้องเท่านั้น")

    FINISHED = (Status.DONE, Status.REJECTED, Status.FAILED)

    cohort = models.ForeignKey(
        "cohorts.TrainingCohort", on_delete=models.CASCADE, related_name="roster_imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("อัปโหลดเมื่อ"), default=timezone.now)
    file_name = models.CharField(_("ชื่อไฟล์"), max_length=255)
    file_size = models.PositiveIntegerField(_("ขนาดไฟล์ (ไบต์)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    # The uploaded bytes, kept in the row (not in media storage, which may be
    # public) until the import is done, then emptied: personal data is not
    # kept longer than needed.
    content = models.BinaryField(editable=False, default=bytes)
    mode = models.CharField(_("วิธีนำเข้า"), max_length=16, choices=Mode.choices, blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("จำนวนแถว"), default=0)
    created_count = models.PositiveIntegerField(_("สร้างบัญชีใหม่"), default=0)
    linked_count = models.PositiveIntegerField(_("เพิ่มบัญชีเดิมเข้ารุ่น"), default=0)
    invited_count = models.PositiveIntegerField(_("ส่งคำเชิญ"), default=0)
    unchanged_count = models.PositiveIntegerField(_("อยู่ในรุ่นแล้ว"), default=0)
    skipped_count = models.PositiveIntegerField(_("แถวที่ผิดและข้ามไป"), default=0)
    message = models.TextField(_("ข้อความ"), blank=True)
    confirmed_at = models.DateTimeField(_("ยืนยันเมื่อ"), null=True, blank=True)
    started_at = models.DateTimeField(_("เริ่มเมื่อ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("การนำเข้ารายชื่อ")
        verbose_name_plural = _("การนำเข้ารายชื่อ")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.file_name} → {self.cohort}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED
