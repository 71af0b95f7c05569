"""Certificates: what trainers set up, what was issued, and its history.

An issued certificate is frozen: each `CertificateVersion` stores everything
its PDF printed, so a later change of settings, profile or course title never
changes it. Only an explicit re-issue makes a new version.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import PreviewableMixin

from certificates import conf
from certificates.blocks import SignatoryBlock
from certificates.codes import format_code

MAX_SIGNATORIES = 3


def certificate_storage():
    """STORAGES["certificates"] when a deployment defines one (a private
    bucket, say), otherwise the default storage."""
    from django.core.files.storage import default_storage, storages

    return storages["certificates"] if "certificates" in settings.STORAGES else default_storage


def _pdf_upload_to(instance, filename):
    return f"certificates/pdf/{instance.certificate.year_be}/{filename}"


@register_setting(icon="doc-full")
class CertificateSettings(PreviewableMixin, BaseGenericSetting):
    issuer_name = models.CharField(
        _("ชื่อหน่วยงานที่ออกเกียรติบัตร"), max_length=200, default="โครงการเน็ตอาสาประชารัฐ"
    )
    issuer_detail = models.CharField(
        _("บรรทัดรองของหน่วยงาน"),
        max_length=200,
        blank=True,
        default="หลักสูตรออนไลน์สำหรับผู้ดูแลอินเทอร์เน็ตของหมู่บ้าน",
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("ตราสัญลักษณ์"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("เว้นว่างไว้เพื่อใช้ตราเน็ตอาสาประชารัฐ"),
    )
    number_prefix = models.CharField(
        _("อักษรนำหน้าเลขที่"),
        max_length=10,
        default="NPV",
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{0,9}$", _("ใช้อักษรอังกฤษตัวพิมพ์ใหญ่และตัวเลข"))],
        help_text=_("เลขที่เกียรติบัตรเป็นแบบ NPV-2569-000311: อักษรนำหน้า ปี พ.ศ. และลำดับในปีนั้น"),
    )
    title = models.CharField(_("หัวเรื่อง"), max_length=60, default="เกียรติบัตร")
    statement = models.CharField(
        _("ข้อความก่อนชื่อ"), max_length=200, default="ขอมอบเกียรติบัตรฉบับนี้ไว้เพื่อแสดงว่า"
    )
    completion_text = models.CharField(
        _("ข้อความก่อนชื่อหลักสูตร"), max_length=200, default="ได้ผ่านการอบรมหลักสูตร"
    )
    closing_text = models.CharField(
        _("ข้อความอวยพร"),
        max_length=300,
        blank=True,
        default="ขอให้มีความสุข ความเจริญ และเป็นกำลังสำคัญของหมู่บ้านสืบไป",
    )
    date_prefix = models.CharField(_("ข้อความก่อนวันที่"), max_length=60, default="ให้ไว้ ณ วันที่")
    signatories = StreamField(
        [("signatory", SignatoryBlock())],
        verbose_name=_("ผู้ลงนาม"),
        blank=True,
        max_num=MAX_SIGNATORIES,
        help_text=_("ไม่เกิน 3 คน เรียงจากซ้ายไปขวา"),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("issuer_name"), FieldPanel("issuer_detail"), FieldPanel("logo")],
            heading=_("หน่วยงาน"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("title"),
                FieldPanel("statement"),
                FieldPanel("completion_text"),
                FieldPanel("closing_text"),
                FieldPanel("date_prefix"),
            ],
            heading=_("ข้อความบนเกียรติบัตร"),
        ),
        FieldPanel("signatories"),
        FieldPanel("number_prefix"),
    ]

    class Meta:
        verbose_name = _("แบบเกียรติบัตร")
        verbose_name_plural = _("แบบเกียรติบัตร")

    def __str__(self):
        return str(self._meta.verbose_name)

    # The live preview renders the unsaved form: trainers see the PDF before saving.
    @property
    def preview_modes(self):
        return [("png", _("ภาพตัวอย่าง")), ("pdf", _("ไฟล์ PDF"))]

    # certificates.previews draws the preview with the renderer and the design
    # snapshot, which import this module; CertificatesConfig.ready() sets it here.
    preview_response = None

    def serve_preview(self, request, mode_name):
        return type(self).preview_response(self, mode_name)


class CertificateNumberCounter(models.Model):
    """The last running number used in a Buddhist-era year."""

    year_be = models.PositiveIntegerField(unique=True)
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ลำดับเลขที่เกียรติบัตร")
        verbose_name_plural = _("ลำดับเลขที่เกียรติบัตร")

    def __str__(self):
        return f"{self.year_be}: {self.last_serial}"


class Certificate(models.Model):
    class Status(models.TextChoices):
        VALID = "valid", _("ใช้ได้")
        REVOKED = "revoked", _("ถูกเพิกถอน")
        WITHDRAWN = "withdrawn", _("เจ้าของเพิกถอนแล้ว")

    # Both links survive deletion as NULL: the certificate still verifies.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    code = models.CharField(_("รหัสตรวจสอบ"), max_length=16, unique=True, editable=False)
    number = models.CharField(_("เลขที่"), max_length=40, unique=True, editable=False)
    year_be = models.PositiveIntegerField(_("ปี พ.ศ."), editable=False)
    serial = models.PositiveIntegerField(_("ลำดับในปี"), editable=False)
    issued_on = models.DateField(_("วันที่ให้ไว้"))
    issued_at = models.DateTimeField(_("ออกเมื่อ"), default=timezone.now)
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    status_changed_at = models.DateTimeField(_("เปลี่ยนสถานะเมื่อ"), null=True, blank=True)
    current_version = models.ForeignKey(
        "certificates.CertificateVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("เกียรติบัตร")
        verbose_name_plural = _("เกียรติบัตร")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_certificate_per_course"),
            models.UniqueConstraint(fields=["year_be", "serial"], name="one_serial_per_year"),
        ]
        permissions = [("download_any_certificate", _("ดาวน์โหลดเกียรติบัตรของทุกคน"))]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("certificates:verify", args=[self.display_code])

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    def get_verification_url(self) -> str:
        """The absolute address printed as the QR code."""
        return conf.base_url() + self.get_absolute_url()


class CertificateVersion(models.Model):
    """One rendering of a certificate and everything it printed."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("ฉบับที่"), default=1)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), default=timezone.now)
    reason = models.TextField(_("เหตุผลที่ออกใหม่"), blank=True)
    # What was printed. Personal fields are emptied when the holder withdraws.
    holder_name = models.CharField(_("ชื่อผู้ได้รับ"), max_length=300, blank=True)
    holder_name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=200, blank=True)
    village_no = models.PositiveSmallIntegerField(_("หมู่ที่"), null=True, blank=True)
    village_name = models.CharField(_("หมู่บ้าน"), max_length=150, blank=True)
    subdistrict = models.CharField(_("ตำบล/แขวง"), max_length=100, blank=True)
    district = models.CharField(_("อำเภอ/เขต"), max_length=100, blank=True)
    province = models.CharField(_("จังหวัด"), max_length=50, blank=True)
    course_title = models.CharField(_("ชื่อหลักสูตร"), max_length=255)
    # Issuer, wording and signatories as they were (see certificates.design).
    design = models.JSONField(_("แบบที่ใช้"), default=dict)
    pdf = models.FileField(
        _("ไฟล์ PDF"),
        storage=certificate_storage,
        upload_to=_pdf_upload_to,
        blank=True,
        max_length=255,
    )
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(_("จัดทำ PDF เมื่อ"), null=True, blank=True)
    # Set by the worker that renders, so that two workers never render the same
    # version; `render_claimed_by` is the claiming task's id (see
    # certificates.lifecycle.render_version).
    render_claimed_at = models.DateTimeField(null=True, blank=True)
    render_claimed_by = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("ฉบับของเกียรติบัตร")
        verbose_name_plural = _("ฉบับของเกียรติบัตร")
        ordering = ["certificate", "version"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "version"], name="one_version_number"),
        ]
        indexes = [models.Index(fields=["rendered_at"])]

    def __str__(self):
        return f"{self.certificate.number} ({self.version})"


class CertificateEvent(models.Model):
    """The history of a certificate: issued, revoked, re-issued, withdrawn."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("ออกเกียรติบัตร")
        REVOKED = "revoked", _("เพิกถอน")
        REISSUED = "reissued", _("ออกใหม่")
        WITHDRAWN = "withdrawn", _("เจ้าของลบบัญชี")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.ForeignKey(
        CertificateVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("ประวัติเกียรติบัตร")
        verbose_name_plural = _("ประวัติเกียรติบัตร")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.certificate.number}: {self.get_kind_display()}"
