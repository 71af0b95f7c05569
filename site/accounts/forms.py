from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from npv_site.accounts.models import PRIVACY_NOTICE_VERSION, NameTitle, VolunteerProfile

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
