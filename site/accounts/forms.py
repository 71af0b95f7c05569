from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npv_site.accounts.models import PRIVACY_NOTICE_VERSION, NameTitle, VolunteerProfile
from npv_site.accounts.reset_codes import normalise_code

PROFILE_FIELDS = [
    "title",
    "title_other",
    "first_name",
    "last_name",
    "name_en",
    "phone",
    "province",
    "district",
    "subdistrict",
    "village_no",
    "village_name",
]


def _check_title(cleaned_data, add_error):
    if cleaned_data.get("title") == NameTitle.OTHER and not cleaned_data.get("title_other"):
        add_error("title_other", _("กรุณาระบุคำนำหน้าชื่อ"))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = VolunteerProfile
        fields = [*PROFILE_FIELDS, "findable_by_trainers"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "village_no": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def clean(self):
        cleaned_data = super().clean()
        _check_title(cleaned_data, self.add_error)
        return cleaned_data

    def save(self, commit=True):
        profile = super().save(commit=False)
        # When the consent was given is recorded; withdrawing it clears it.
        if not profile.findable_by_trainers:
            profile.findable_consented_at = None
        elif profile.findable_consented_at is None:
            profile.findable_consented_at = timezone.now()
        if commit:
            profile.save()
        return profile


class VolunteerSignupForm(forms.Form):
    """Extra fields for allauth's sign-up form: the profile and PDPA consent."""

    consent = forms.BooleanField(
        label=_("ข้าพเจ้าได้อ่านและยินยอมตามประกาศความเป็นส่วนตัว"),
        error_messages={"required": _("ต้องยินยอมตามประกาศความเป็นส่วนตัวจึงจะสมัครได้")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile_fields = forms.fields_for_model(
            VolunteerProfile, fields=PROFILE_FIELDS, widgets=ProfileForm.Meta.widgets
        )
        for name, field in profile_fields.items():
            self.fields[name] = field
        # Put the consent box last, after the profile.
        self.fields["consent"] = self.fields.pop("consent")

    def clean(self):
        cleaned_data = super().clean()
        _check_title(cleaned_data, self.add_error)
        profile = VolunteerProfile(**{f: cleaned_data.get(f) for f in PROFILE_FIELDS})
        try:
            profile.full_clean(exclude=["user", "consented_at", "privacy_notice_version"])
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                if field in self.fields and field not in self.errors:
                    for message in messages:
                        self.add_error(field, message)
        else:
            # What the model's cleaning made of them (invisible characters
            # removed), so the profile saved is the one that was checked.
            cleaned_data.update({f: getattr(profile, f) for f in PROFILE_FIELDS})
        return cleaned_data

    def signup(self, request, user):
        VolunteerProfile.objects.create(
            user=user,
            consented_at=timezone.now(),
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
            **{f: self.cleaned_data[f] for f in PROFILE_FIELDS},
        )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=_("รหัสผ่าน"), widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("รหัสผ่านไม่ถูกต้อง"))
        return password


class ResetCodeForm(forms.Form):
    """User name, the trainer's reset code and a new password, twice. Whether
    the user name and code match is the view's to decide (after its limits)."""

    username = forms.CharField(
        label=_("ชื่อผู้ใช้"),
        max_length=150,
        error_messages={
            "required": _("กรุณากรอกชื่อผู้ใช้"),
            "max_length": _("ชื่อผู้ใช้ยาวเกินไป"),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    code = forms.CharField(
        label=_("รหัสตั้งรหัสผ่านใหม่ 12 หลัก"),
        max_length=40,
        error_messages={
            "required": _("กรุณากรอกรหัส 12 หลักที่ได้จากวิทยากร"),
            "max_length": _("รหัสมี 12 หลัก กรุณาตรวจอีกครั้ง"),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": "0000 0000 0000",
            }
        ),
    )
    password1 = forms.CharField(
        label=_("รหัสผ่านใหม่"),
        strip=False,
        max_length=1000,
        error_messages={
            "required": _("กรุณาตั้งรหัสผ่านใหม่"),
            "max_length": _("รหัสผ่านยาวเกินไป"),
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("อย่างน้อย 8 ตัวอักษร และไม่ใช่ตัวเลขล้วน"),
    )
    password2 = forms.CharField(
        label=_("พิมพ์รหัสผ่านใหม่อีกครั้ง"),
        strip=False,
        max_length=1000,
        error_messages={
            "required": _("กรุณาพิมพ์รหัสผ่านใหม่อีกครั้ง"),
            "max_length": _("รหัสผ่านยาวเกินไป"),
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("รหัสมี 12 หลัก กรุณาตรวจอีกครั้ง"))
        return code

    def clean(self):
        cleaned_data = super().clean()
        password1, password2 = cleaned_data.get("password1"), cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("รหัสผ่านสองช่องไม่ตรงกัน"))
        elif password1:
            # Without the account: which account it is, is not known yet.
            try:
                password_validation.validate_password(password1)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data
