"""An invitation to join a cohort, sent to a volunteer whose account the
cohort's trainer may not see yet.

A roster row that matches an account outside the importer's cohorts, or a
trainer picking an opted-in self-registered volunteer, does not add that
account to the cohort: it invites it. The volunteer accepts or declines on
"My learning"; a site administrator may approve it instead (a volunteer
without a login, say). Until then the cohort's trainers see nothing of the
person beyond what their own file held.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CohortInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("รอเจ้าของบัญชียืนยัน")
        ACCEPTED = "accepted", _("เจ้าของบัญชีตอบรับแล้ว")
        DECLINED = "declined", _("เจ้าของบัญชีปฏิเสธ")
        APPROVED = "approved", _("ผู้ดูแลระบบอนุมัติแล้ว")

    JOINED = (Status.ACCEPTED, Status.APPROVED)

    cohort = models.ForeignKey(
        "cohorts.TrainingCohort",
        verbose_name=_("รุ่นการอบรม"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("เน็ตอาสา"),
        on_delete=models.CASCADE,
        related_name="cohort_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("เชิญโดย"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("เชิญเมื่อ"), default=timezone.now)
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_at = models.DateTimeField(_("ตอบเมื่อ"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ตอบโดย"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the roster said of the village and phone, so that the membership
    # made on acceptance carries them as an imported one would (and a later
    # re-import of the file matches it).
    village = models.ForeignKey(
        "cohorts.Village",
        verbose_name=_("หมู่บ้าน"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    roster_phone = models.CharField(_("เบอร์โทรตามรายชื่อ"), max_length=20, blank=True)
    roster_import = models.ForeignKey(
        "cohorts.RosterImport",
        verbose_name=_("นำเข้าจากไฟล์"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )

    class Meta:
        verbose_name = _("คำเชิญเข้ารุ่น")
        verbose_name_plural = _("คำเชิญเข้ารุ่น")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="one_invitation_per_cohort")
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.cohort} ← {self.user}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
