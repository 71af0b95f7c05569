"""Training cohorts: a session run by trainers for the volunteers of some
provinces, on one or more courses."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """The 77 provinces as rows, so that a cohort can serve several of them and
    the admin can filter on them. `name` is spelt as VolunteerProfile.province."""

    name = models.CharField(_("จังหวัด"), max_length=50, unique=True)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=50)
    # Thai dictionary order: a plain string sort puts leading vowels (เ แ โ) last.
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("จังหวัด")
        verbose_name_plural = _("จังหวัด")
        ordering = ["sort_order"]

    def __str__(self):
        return self.name


class TrainingCohortQuerySet(models.QuerySet):
    def for_user(self, user):
        """The cohorts a user may see: all of them for a site administrator,
        the ones they train for a trainer, none for anyone else."""
        if not (user and user.is_active):
            return self.none()
        if user.is_superuser or user.has_perm("cohorts.manage_all_cohorts"):
            return self.all()
        return self.filter(trainers=user)


class TrainingCohort(models.Model):
    name = models.CharField(_("ชื่อรุ่น"), max_length=200)
    venue = models.CharField(_("สถานที่อบรม"), max_length=255, blank=True)
    start_date = models.DateField(_("วันเริ่มอบรม"))
    end_date = models.DateField(_("วันสุดท้ายของการอบรม"))
    provinces = models.ManyToManyField(
        Province, verbose_name=_("จังหวัดที่รุ่นนี้ดูแล"), related_name="cohorts", blank=True
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("วิทยากร"),
        related_name="trained_cohorts",
        blank=True,
    )
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="cohorts.CohortMembership",
        through_fields=("cohort", "user"),
        related_name="cohorts",
        verbose_name=_("เน็ตอาสา"),
    )
    courses = models.ManyToManyField(
        "courses.CoursePage", verbose_name=_("หลักสูตร"), related_name="cohorts", blank=True
    )
    created_at = models.DateTimeField(_("สร้างเมื่อ"), default=timezone.now)

    objects = TrainingCohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("รุ่นการอบรม")
        verbose_name_plural = _("รุ่นการอบรม")
        ordering = ["-start_date", "name"]
        permissions = [("manage_all_cohorts", _("ดูและแก้ไขได้ทุกรุ่นการอบรม"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="cohort_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("วันสุดท้ายต้องไม่ก่อนวันเริ่มอบรม")})


class CohortMembership(models.Model):
    """A volunteer in a cohort, and who put them there."""

    cohort = models.ForeignKey(TrainingCohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    village = models.ForeignKey(
        "cohorts.Village",
        verbose_name=_("หมู่บ้าน"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    # The phone as the roster gave it (normalised). A re-import matches on it
    # even after the volunteer has changed the phone in their profile.
    roster_phone = models.CharField(_("เบอร์โทรตามรายชื่อ"), max_length=20, blank=True)
    roster_import = models.ForeignKey(
        "cohorts.RosterImport",
        verbose_name=_("นำเข้าจากไฟล์"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("นำเข้าโดย"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("นำเข้าเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("เน็ตอาสาในรุ่น")
        verbose_name_plural = _("เน็ตอาสาในรุ่น")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="one_membership_per_cohort")
        ]
        indexes = [
            models.Index(fields=["roster_phone"]),
            # The reports filter a cohort's volunteers by village (province, district).
            models.Index(fields=["cohort", "village"], name="membership_cohort_village_idx"),
        ]

    def __str__(self):
        return f"{self.user} → {self.cohort}"
