"""allauth's sign-up form as the volunteers see it (ACCOUNT_FORMS["signup"]).
Its own module: allauth's form is built on ACCOUNT_SIGNUP_FORM_CLASS, which
lives in npv_site.accounts.forms, so that module cannot import allauth's."""

from allauth.account.forms import SignupForm
from django.utils.translation import gettext_lazy as _


class SignupPage(SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One line a phone shows whole, in place of the validators' list of four.
        self.fields["username"].help_text = _("ใช้เข้าสู่ระบบครั้งต่อไป เช่น somchai62")
        if "email" in self.fields:
            self.fields["email"].help_text = _("ใช้ตั้งรหัสผ่านใหม่เองเมื่อลืม")
        if "password1" in self.fields:
            self.fields["password1"].help_text = _(
                "อย่างน้อย 8 ตัวอักษร ไม่ใช่ตัวเลขล้วน และไม่คล้ายชื่อผู้ใช้"
            )
        # The label says it: a placeholder repeating it is noise.
        for name in ("username", "email", "password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("placeholder", None)
