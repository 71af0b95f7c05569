"""The Wagtail admin login form, with a password label that gettext can reach."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """Wagtail's LoginForm declares `password` without a label, so Django shows
    the field name "Password", which no catalogue can translate."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("รหัสผ่าน")
