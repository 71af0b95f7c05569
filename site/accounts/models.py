"""The volunteer's profile: what a Thai certificate and a trainer's report need."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npv_site.accounts.provinces import PROVINCE_CHOICES
from npv_site.accounts.validators import normalise_phone, validate_thai_name, validate_thai_phone
from npv_site.input_rules import remove_invisible

PRIVACY_NOTICE_VERSION = "2026-11"


class NameTitle(models.TextChoices):
    MR = "นาย", _("นาย")
    MRS = "นาง", _("นาง")
    MISS = "นางสาว", _("นางสาว")
    OTHER = "other", _("อื่น ๆ")


class VolunteerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile"
    )
    title = models.CharField(_("คำนำหน้าชื่อ"), max_length=10, choices=NameTitle.choices)
    title_other = models.CharField(
        _("คำนำหน้าอื่น ๆ"), max_length=60, blank=True, help_text=_("เช่น ว่าที่ร้อยตรี ดร.")
    )
    first_name = models.CharField(_("ชื่อ (ภาษาไทย)"), max_length=100, validators=[validate_thai_name])
    last_name = models.CharField(_("นามสกุล (ภาษาไทย)"), max_length=100, validators=[validate_thai_name])
    name_en = models.CharField(
        _("ชื่อ-นามสกุลภาษาอังกฤษ"), max_length=200, blank=True, help_text=_("ไม่บังคับ")
    )
    phone = models.CharField(_("เบอร์โทรศัพท์"), max_length=20, validators=[validate_thai_phone])
    province = models.CharField(_("จังหวัด"), max_length=50, choices=PROVINCE_CHOICES)
    district = models.CharField(_("อำเภอ/เขต"), max_length=100)
    subdistrict = models.CharField(_("ตำบล/แขวง"), max_length=100)
    village_no = models.PositiveSmallIntegerField(
        _("หมู่ที่"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    village_name = models.CharField(_("ชื่อหมู่บ้าน"), max_length=150)
    consented_at = models.DateTimeField(_("ยินยอมตามประกาศความเป็นส่วนตัวเมื่อ"), null=True)
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    # PDPA: a separate, withdrawable consent. Off, a self-registered volunteer
    # is invisible to every trainer until a trainer's roster names them.
    findable_by_trainers = models.BooleanField(
        _("ให้วิทยากรในจังหวัดของฉันค้นหาและเชิญฉันเข้ารุ่นการอบรมได้"),
        default=False,
        help_text=_(
            "วิทยากรของรุ่นการอบรมในจังหวัดของคุณจะเห็นเฉพาะชื่อ อำเภอ และหมู่บ้านของคุณ "
            "(ไม่เห็นเบอร์โทรหรืออีเมล) และส่งคำเชิญให้คุณตอบรับหรือปฏิเสธได้ ยกเลิกได้ทุกเมื่อ"
        ),
    )
    findable_consented_at = models.DateTimeField(
        _("ยินยอมให้วิทยากรค้นหาได้เมื่อ"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("ข้อมูลเน็ตอาสา")
        verbose_name_plural = _("ข้อมูลเน็ตอาสา")
        indexes = [
            models.Index(fields=["province", "district"]),
            models.Index(fields=["phone"]),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.phone = normalise_phone(self.phone)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # Every form that edits a profile (sign-up, the profile page, an admin
        # form) ends here before the validators run: invisible characters go
        # first, so they can neither fail an all-Thai name nor be stored.
        for field in self._meta.concrete_fields:
            value = field.value_from_object(self)
            if isinstance(field, models.CharField) and isinstance(value, str):
                setattr(self, field.attname, remove_invisible(value))
        super().clean_fields(exclude=exclude)

    @property
    def display_title(self) -> str:
        return self.title_other if self.title == NameTitle.OTHER else self.title

    @property
    def full_name(self) -> str:
        # Thai writes the title joined to the first name: นายสมชาย ใจดี
        return f"{self.display_title}{self.first_name} {self.last_name}"

    @property
    def village_label(self) -> str:
        return _("หมู่ที่ %(no)s %(name)s") % {"no": self.village_no, "name": self.village_name}


class PrivacyConsent(models.Model):
    """A consent to the privacy notice, kept from the moment it is given. The
    short sign-up asks for it before any profile exists (the profile, with the
    village a certificate needs, comes later, perhaps on another phone), so it
    is recorded on its own, with the notice's version, and the profile copies it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_consents"
    )
    given_at = models.DateTimeField(_("ยินยอมเมื่อ"), default=timezone.now)
    notice_version = models.CharField(_("ฉบับของประกาศ"), max_length=20)

    class Meta:
        verbose_name = _("ความยินยอมตามประกาศความเป็นส่วนตัว")
        verbose_name_plural = _("ความยินยอมตามประกาศความเป็นส่วนตัว")
        indexes = [models.Index(fields=["user", "given_at"])]

    def __str__(self):
        return f"{self.user} {self.notice_version} {self.given_at:%Y-%m-%d %H:%M}"

    @classmethod
    def current_for(cls, user) -> PrivacyConsent | None:
        """The latest consent to the notice in force, or None (ask again)."""
        return (
            cls.objects.filter(user=user, notice_version=PRIVACY_NOTICE_VERSION)
            .order_by("-given_at")
            .first()
        )


class PasswordResetCode(models.Model):
    """A one-time code a cohort's trainer gives a volunteer who has forgotten
    their password and has no e-mail (npv_site.accounts.reset_codes)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_reset_codes"
    )
    # A keyed hash of the code, never the code: the trainer sees it once.
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ออกโดย"),
    )
    created_at = models.DateTimeField(_("ออกรหัสเมื่อ"), default=timezone.now)
    expires_at = models.DateTimeField(_("หมดอายุเมื่อ"))
    used_at = models.DateTimeField(_("ใช้เมื่อ"), null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(_("ใส่รหัสผิด"), default=0)

    class Meta:
        verbose_name = _("รหัสตั้งรหัสผ่านใหม่")
        verbose_name_plural = _("รหัสตั้งรหัสผ่านใหม่")
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
