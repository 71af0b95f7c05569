
from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npv_site.accounts.models import (
    PRIVACY_NOTICE_VERSION,
    NameTitle,
    PrivacyConsent,
    VolunteerProfile,
)
from npv_site.accounts.reset_codes import normalise_code
from npv_site.accounts.validators import validate_thai_name
from npv_site.input_rules import remove_invisible

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
    """The volunteer's profile, edited, or created the first time (an account
    from the short sign-up has none): then with the PDPA consent, unless the
    account has given it already (`consent`, a PrivacyConsent of the notice
    in force, recorded by the sign-up)."""

    class Meta:
        model = VolunteerProfile
        fields = [*PROFILE_FIELDS, "findable_by_trainers"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "village_no": forms.NumberInput(attrs={"inputmode": "numeric"}),
            # Suggestions from the village register (static/js/place-suggestions.js).
            "district": forms.TextInput(attrs={"list": "district-suggestions", "autocomplete": "off"}),
            "subdistrict": forms.TextInput(
                attrs={"list": "subdistrict-suggestions", "autocomplete": "off"}
            ),
        }

    def __init__(self, *args, consent: PrivacyConsent | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        self.consent = consent
        if self.creating and consent is None:
            self.fields["consent"] = forms.BooleanField(
                label=_("ข้าพเจ้าได้อ่านและยินยอมตามประกาศความเป็นส่วนตัว"),
                error_messages={"required": _("ต้องยินยอมตามประกาศความเป็นส่วนตัวจึงจะบันทึกได้")},
            )

    def clean(self):
        cleaned_data = super().clean()
        _check_title(cleaned_data, self.add_error)
        return cleaned_data

    def save(self, commit=True):
        profile = super().save(commit=False)
        if self.creating:
            consent = self.consent
            profile.consented_at = consent.given_at if consent else timezone.now()
            profile.privacy_notice_version = (
                consent.notice_version if consent else PRIVACY_NOTICE_VERSION
            )
        # When the consent was given is recorded; withdrawing it clears it.
        if not profile.findable_by_trainers:
            profile.findable_consented_at = None
        elif profile.findable_consented_at is None:
            profile.findable_consented_at = timezone.now()
        if commit:
            profile.save()
        return profile


def _clean_thai_name(value: str) -> str:
    value = remove_invisible(value).strip()
    validate_thai_name(value)
    return value


class VolunteerSignupForm(forms.Form):
    """What allauth's sign-up form adds: the Thai name and PDPA consent, no more.
    Title, phone and village are asked when a certificate needs them (the
    profile page, through the learner profile's `is_complete`)."""

    # allauth puts its own fields (user name, e-mail, passwords) in this order.
    field_order = ["first_name", "last_name", "username", "email", "password1", "password2", "consent"]

    first_name = forms.CharField(
        label=_("ชื่อ (ภาษาไทย)"),
        max_length=100,
        error_messages={"required": _("กรุณากรอกชื่อ")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("นามสกุล (ภาษาไทย)"),
        max_length=100,
        error_messages={"required": _("กรุณากรอกนามสกุล")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    consent = forms.BooleanField(
        label=_("ข้าพเจ้าได้อ่านและยินยอมตามประกาศความเป็นส่วนตัว"),
        error_messages={"required": _("ต้องยินยอมตามประกาศความเป็นส่วนตัวจึงจะสมัครได้")},
    )

    def clean_first_name(self):
        return _clean_thai_name(self.cleaned_data["first_name"])

    def clean_last_name(self):
        return _clean_thai_name(self.cleaned_data["last_name"])

    def _post_clean(self):
        super()._post_clean()
        # Passwords that are not what is wrong are sent back, so that a taken
        # user name does not cost typing both again. The page is never cached
        # (allauth's sign-up view is never_cache: no-store), so the browser
        # keeps them no longer than the typed ones; a password with an error
        # comes back empty, as Django's PasswordInput does by default.
        if not (self.has_error("password1") or self.has_error("password2")):
            for name in ("password1", "password2"):
                if name in self.fields:
                    self.fields[name].widget.render_value = True

    def signup(self, request, user):
        # allauth's adapter has stored the names on the user. The consent is
        # recorded now, with the notice's version; the profile, completed later
        # (perhaps on another phone), copies it instead of asking again.
        PrivacyConsent.objects.create(user=user, notice_version=PRIVACY_NOTICE_VERSION)


class DeleteAccountForm(forms.Form):
    """The password again; an account without one (signed up with LINE) confirms
    with a tick after logging in with LINE again a moment ago (the view's check)."""

    password = forms.CharField(label=_("รหัสผ่าน"), widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            del self.fields["password"]
            self.fields["confirm"] = forms.BooleanField(
                label=_("ฉันต้องการลบบัญชีนี้และข้อมูลทั้งหมดของฉัน"),
                error_messages={"required": _("กรุณาทำเครื่องหมายเพื่อยืนยันการลบบัญชี")},
            )

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
