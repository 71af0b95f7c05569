"""Wagtail admin account views that this site serves in place of Wagtail's
own (site/urls.py mounts them before Wagtail's admin URLs)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from wagtail.admin.views import account

from courses.ratelimits import PER_ADDRESS, seconds_until_allowed, too_many_requests

ADDRESS_LIMIT = "admin-password-reset-address"
ACCOUNT_LIMIT = "admin-password-reset-account"


def _admin_rate_limits():
    # Read on each request, so that settings (and tests) can change a limit.
    return settings.ADMIN_RATE_LIMITS


def _email_key(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


class AdminLogoutView(account.LogoutView):
    """Logs out on POST only.

    Wagtail's LogoutView.dispatch (wagtail/admin/views/account.py, Wagtail 7
    and 8) deletes the session cookie after calling Django's dispatch, even
    when Django has answered a GET with 405: a link or an <img> on any other
    site logs a trainer out. A request of a method Django's LogoutView refuses
    is answered here before Wagtail's code runs, so it changes nothing.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class AdminPasswordResetView(account.PasswordResetView):
    """Wagtail's password reset request, limited as allauth's is
    (ADMIN_RATE_LIMITS: per address, and per e-mail address so that nobody's inbox
    can be filled): each request can send a mail."""

    def post(self, request, *args, **kwargs):
        for group, key in ((ADDRESS_LIMIT, PER_ADDRESS), (ACCOUNT_LIMIT, _email_key)):
            retry_after = seconds_until_allowed(request, group, key, _admin_rate_limits)
            if retry_after is not None:
                return too_many_requests(
                    request,
                    _("ขอรีเซ็ตรหัสผ่านถี่เกินไป ระบบจะไม่ส่งอีเมลเพิ่มจนกว่าจะครบเวลา"),
                    retry_after,
                )
        return super().post(request, *args, **kwargs)
