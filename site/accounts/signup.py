"""allauth's sign-up forms as the volunteers see them: ACCOUNT_FORMS["signup"]
(user name and password) and SOCIALACCOUNT_FORMS["signup"] (after LINE, no
password). Both are built by allauth on ACCOUNT_SIGNUP_FORM_CLASS (the Thai
name and the PDPA consent, npv_site.accounts.forms.VolunteerSignupForm, whose
`signup()` records the consent); their own module, as that one cannot import
allauth's forms."""

from allauth.account.forms import SignupForm
from allauth.socialaccount.forms import SignupForm as SocialSignupForm
from django.utils.translation import gettext_lazy as _


def _volunteer_fields(form) -> None:
    # One line a phone shows whole, in place of the validators' list of four.
    form.fields["username"].help_text = _("ใช้เข้าสู่ระบบครั้งต่อไป เช่น somchai62")
    if "email" in form.fields:
        form.fields["email"].help_text = _("ใช้ตั้งรหัสผ่านใหม่เองเมื่อลืม")
    if "password1" in form.fields:
        form.fields["password1"].help_text = _(
            "อย่างน้อย 8 ตัวอักษร ไม่ใช่ตัวเลขล้วน และไม่คล้ายชื่อผู้ใช้"
        )
    # The label says it: a placeholder repeating it is noise.
    for name in ("username", "email", "password1", "password2"):
        if name in form.fields:
            form.fields[name].widget.attrs.pop("placeholder", None)


class SignupPage(SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _volunteer_fields(self)


class LineSignupPage(SocialSignupForm):
    """The same short sign-up after LINE: no password (LINE is the way in)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _volunteer_fields(self)
        self.fields["username"].help_text = _("ชื่อผู้ใช้ในเว็บไซต์นี้ เช่น somchai62")
