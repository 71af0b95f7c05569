import copy

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from npv_site.accounts.models import NameTitle
from npv_site.accounts.validators import validate_thai_name
from npv_site.cohorts.claims import CODE_LENGTH, normalise_code
from npv_site.cohorts.importing import enrol_cohort
from npv_site.cohorts.messaging import MAX_LENGTH, Draft
from npv_site.cohorts.models import CohortMembership, CohortMessage, RosterImport
from npv_site.cohorts.roster import RosterFileError, max_upload_bytes, read_roster
from npv_site.input_rules import remove_invisible

TRAINERS_GROUP = "Trainers"


def _person_label(user) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return _person_label(obj)


class TrainingCohortForm(WagtailAdminModelForm):
    """The cohort form: trainers are picked from the Trainers group, and a
    trainer cannot leave out themselves (they would lose the cohort)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        current = self.instance.trainers.all() if self.instance.pk else User.objects.none()
        trainers = self.fields["trainers"]
        self.fields["trainers"] = TrainerChoiceField(
            queryset=(User.objects.filter(groups__name=TRAINERS_GROUP, is_active=True) | current)
            .distinct()
            .order_by("first_name", "username"),
            required=trainers.required,
            label=trainers.label,
            help_text=trainers.help_text,
            widget=forms.CheckboxSelectMultiple,
        )
        if not self.instance.pk and self.for_user is not None and not self._manages_all:
            self.initial.setdefault("trainers", [self.for_user.pk])

    @property
    def _manages_all(self) -> bool:
        user = self.for_user
        return bool(user and (user.is_superuser or user.has_perm("cohorts.manage_all_cohorts")))

    def clean_trainers(self):
        trainers = self.cleaned_data["trainers"]
        if self.for_user is not None and not self._manages_all and self.for_user not in trainers:
            raise forms.ValidationError(_("ต้องเลือกตัวคุณเองเป็นวิทยากรของรุ่นนี้ด้วย มิฉะนั้นคุณจะเข้าถึงรุ่นนี้ไม่ได้"))
        return trainers

    def save(self, commit=True):
        cohort = super().save(commit=commit)
        if commit:
            # A course added to a cohort that already has volunteers enrols them too.
            enrol_cohort(cohort)
        return cohort


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("ไฟล์รายชื่อ (CSV หรือ XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt,.tsv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        # Refused before reading it into memory.
        if upload.size > limit:
            raise forms.ValidationError(
                _("ไฟล์ใหญ่เกินไป (%(size).1f MB) รับได้ไม่เกิน %(limit).1f MB")
                % {"size": upload.size / 1024 / 1024, "limit": limit / 1024 / 1024}
            )
        self.content = upload.read()
        try:
            self.parsed = read_roster(self.content, upload.name)
        except RosterFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ConfirmImportForm(forms.Form):
    mode = forms.ChoiceField(choices=RosterImport.Mode.choices)


class ClaimCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("รหัสรับบัญชี 12 หลัก"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": "0000 0000 0000",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("รหัสรับบัญชีมี 12 หลัก กรุณาตรวจอีกครั้ง"))
        return code


class NameField(forms.CharField):
    """A name with its invisible characters removed before it is validated, as
    everywhere a person types one (npv_site.input_rules)."""

    def to_python(self, value):
        return remove_invisible(super().to_python(value))


class ClaimAccountForm(forms.Form):
    """What a volunteer fills in to take over their imported account."""

    title = forms.ChoiceField(label=gettext_lazy("คำนำหน้าชื่อ"), choices=NameTitle.choices)
    title_other = forms.CharField(
        label=gettext_lazy("คำนำหน้าอื่น ๆ"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("เฉพาะเมื่อเลือก “อื่น ๆ” เช่น ว่าที่ร้อยตรี ดร."),
    )
    first_name = NameField(
        label=gettext_lazy("ชื่อ (ภาษาไทย)"), max_length=100, validators=[validate_thai_name]
    )
    last_name = NameField(
        label=gettext_lazy("นามสกุล (ภาษาไทย)"), max_length=100, validators=[validate_thai_name]
    )
    username = forms.CharField(
        label=gettext_lazy("ชื่อผู้ใช้สำหรับเข้าสู่ระบบ"),
        max_length=150,
        help_text=gettext_lazy("ภาษาอังกฤษหรือตัวเลข เช่น somchai2562"),
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password1 = forms.CharField(
        label=gettext_lazy("ตั้งรหัสผ่าน"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("อย่างน้อย 8 ตัวอักษร และไม่ใช่ตัวเลขล้วน"),
    )
    password2 = forms.CharField(
        label=gettext_lazy("พิมพ์รหัสผ่านอีกครั้ง"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("ข้าพเจ้าได้อ่านและยินยอมตามประกาศความเป็นส่วนตัว"),
        error_messages={"required": gettext_lazy("ต้องยินยอมตามประกาศความเป็นส่วนตัวจึงจะใช้บัญชีได้")},
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip().lower()
        return get_adapter().clean_username(username)

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("title") == NameTitle.OTHER and not cleaned_data.get("title_other"):
            self.add_error("title_other", _("กรุณาระบุคำนำหน้าชื่อ"))
        if cleaned_data.get("title") != NameTitle.OTHER:
            cleaned_data["title_other"] = ""
        password1, password2 = cleaned_data.get("password1"), cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("รหัสผ่านสองช่องไม่ตรงกัน"))
        elif password1:
            # Judged against the account as it will be: the new name and user name.
            future = copy.copy(self.user)
            future.username = cleaned_data.get("username") or self.user.username
            future.first_name = cleaned_data.get("first_name") or ""
            future.last_name = cleaned_data.get("last_name") or ""
            try:
                password_validation.validate_password(password1, future)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data


class CohortMessageForm(forms.Form):
    """A trainer's message to the cohort: who, what (short, Thai), and where its
    button leads. `send_key` is the one-time key of this form (messaging.py)."""

    audience = forms.ChoiceField(label=gettext_lazy("ส่งถึง"), widget=forms.RadioSelect)
    course = forms.TypedChoiceField(
        label=gettext_lazy("นับความก้าวหน้าตามหลักสูตร"), coerce=int, required=False
    )
    province = forms.ChoiceField(label=gettext_lazy("จังหวัด"), required=False)
    district = forms.ChoiceField(label=gettext_lazy("อำเภอ"), required=False)
    text = forms.CharField(
        label=gettext_lazy("ข้อความ"),
        max_length=MAX_LENGTH,
        error_messages={
            "max_length": gettext_lazy(
                "ข้อความยาวเกิน %(limit_value)d ตัวอักษร (ตอนนี้ %(show_value)d) ย่อให้สั้นลงก่อนส่ง"
            )
        },
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("ข้อความสั้น ๆ ภาษาไทย ไม่เกิน 500 ตัวอักษร"),
    )
    link = forms.ChoiceField(label=gettext_lazy("ปุ่มในข้อความพาไปที่"), widget=forms.RadioSelect)
    send_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("แบบฟอร์มนี้ไม่สมบูรณ์ เปิดหน้าเขียนข้อความใหม่แล้วลองอีกครั้ง"),
            "invalid": gettext_lazy("แบบฟอร์มนี้ไม่สมบูรณ์ เปิดหน้าเขียนข้อความใหม่แล้วลองอีกครั้ง"),
        },
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort
        self.courses = list(cohort.courses.order_by("path"))
        audiences = CohortMessage.Audience.choices
        links = CohortMessage.Link.choices
        if not self.courses:
            # Progress is counted by a course: without one, only everyone.
            audiences = audiences[:1]
            links = links[:1]
        self.fields["audience"].choices = audiences
        self.fields["link"].choices = links
        self.fields["course"].choices = [(c.pk, c.title) for c in self.courses]
        if len(self.courses) < 2:
            self.fields["course"].widget = forms.HiddenInput()
        places = (
            CohortMembership.objects.filter(cohort=cohort, village__isnull=False)
            .values_list("village__province", "village__district")
            .distinct()
            .order_by("village__province", "village__district")
        )
        provinces = sorted({p for p, _d in places if p})
        self.fields["province"].choices = [("", _("ทุกจังหวัด"))] + [(p, p) for p in provinces]
        self.districts = {(p, d) for p, d in places if d}
        self.fields["district"].choices = [("", _("ทุกอำเภอ"))] + [
            (d, f"{d} ({p})" if len(provinces) > 1 else d) for p, d in sorted(self.districts)
        ]

    def clean_text(self):
        text = remove_invisible(self.cleaned_data["text"]).strip()
        if not text:
            raise forms.ValidationError(_("เขียนข้อความก่อนส่ง"))
        return text

    def clean(self):
        data = super().clean()
        province, district = data.get("province", ""), data.get("district", "")
        if district and province and (province, district) not in self.districts:
            self.add_error("district", _("อำเภอนี้ไม่อยู่ในจังหวัดที่เลือก"))
        return data

    def draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            audience=data["audience"],
            text=data["text"],
            link=data["link"],
            course_id=data.get("course") or None,
            province=data.get("province", ""),
            district=data.get("district", ""),
        )
