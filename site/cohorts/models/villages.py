"""The village register: every Net Pracharat village, the target that village
coverage is measured against. Loaded from a file (`manage.py load_villages`)
or built up from imported rosters."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npv_site.accounts.provinces import PROVINCE_CHOICES

VillageKey = tuple[str, str, str, int]


class VillageSource(models.TextChoices):
    REGISTER = "register", _("ทะเบียนหมู่บ้าน")
    ROSTER = "roster", _("รายชื่อผู้เข้าอบรม")


class Village(models.Model):
    # Same spelling as VolunteerProfile's fields, so that the two join on text.
    province = models.CharField(_("จังหวัด"), max_length=50, choices=PROVINCE_CHOICES)
    district = models.CharField(_("อำเภอ/เขต"), max_length=100)
    subdistrict = models.CharField(_("ตำบล/แขวง"), max_length=100)
    village_no = models.PositiveSmallIntegerField(
        _("หมู่ที่"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    name = models.CharField(_("ชื่อหมู่บ้าน"), max_length=150)
    source = models.CharField(
        _("ที่มา"), max_length=10, choices=VillageSource.choices, default=VillageSource.REGISTER
    )
    created_at = models.DateTimeField(_("เพิ่มเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("หมู่บ้าน")
        verbose_name_plural = _("ทะเบียนหมู่บ้าน")
        ordering = ["province", "district", "subdistrict", "village_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "district", "subdistrict", "village_no"],
                name="one_village_per_number",
            )
        ]
        indexes = [models.Index(fields=["province", "district"])]

    def __str__(self):
        return _("หมู่ที่ %(no)s %(name)s ต.%(sub)s อ.%(district)s จ.%(province)s") % {
            "no": self.village_no,
            "name": self.name,
            "sub": self.subdistrict,
            "district": self.district,
            "province": self.province,
        }

    @property
    def key(self) -> VillageKey:
        return (self.province, self.district, self.subdistrict, self.village_no)
