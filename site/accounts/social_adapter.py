"""Log in with LINE: allauth's LINE provider as the volunteers meet it.

The channel comes from the settings only (SOCIALACCOUNT_PROVIDERS["line"]["APPS"],
read from LINE_LOGIN_CHANNEL_ID and LINE_LOGIN_CHANNEL_SECRET), never from a
SocialApp row; with none configured the LINE URLs answer 404. What LINE gives
(userId, display name, picture, status message) is cut to the display name
before anything is saved, and the LINE user id never becomes the user name:
the volunteer picks one in the short sign-up, as everyone does.
"""

from __future__ import annotations

# _build_apps_from_settings is allauth's own reading of SOCIALACCOUNT_PROVIDERS[...]["APPS"]
# (what its list_apps does after the database query this adapter leaves out); allauth is
# pinned, and tests/test_line_login.py fails if it moves.
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, _build_apps_from_settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

LINE = "line"
# The part of LINE's profile kept with the link: shown to its owner on the profile page.
KEPT_PROFILE_FIELDS = ("displayName",)


def line_login_enabled() -> bool:
    """Is a LINE channel configured (the button shows, the URLs answer)?"""
    return bool(_build_apps_from_settings(provider=LINE))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "no_password": _(
            "ยกเลิกการเชื่อมต่อ LINE ไม่ได้ เพราะบัญชีนี้ยังไม่มีรหัสผ่าน "
            "ตั้งรหัสผ่านก่อน แล้วจึงยกเลิกการเชื่อมต่อ"
        ),
        "disconnect_last": _("ยกเลิกการเชื่อมต่อ LINE ไม่ได้ เพราะเป็นทางเข้าสู่ระบบทางเดียวของบัญชีนี้"),
        "connected_other": _("บัญชี LINE นี้เชื่อมกับบัญชีอื่นของเว็บไซต์นี้อยู่แล้ว"),
        "email_taken": _("มีบัญชีที่ใช้อีเมลนี้อยู่แล้ว กรุณาเข้าสู่ระบบบัญชีนั้นก่อน แล้วเชื่อมต่อ %s"),
    }

    def list_apps(self, request, provider=None, client_id=None):
        # Settings only: a SocialApp row (from an admin screen) configures nothing here.
        apps = _build_apps_from_settings(provider=provider, client_id=client_id)
        return [app for provider_apps in apps.values() for app in provider_apps]

    def get_app(self, request, provider, client_id=None):
        if not self.list_apps(request, provider=provider, client_id=client_id):
            # Not configured: the provider's URLs do not exist (allauth would raise
            # SocialApp.DoesNotExist, a 500).
            raise Http404
        return super().get_app(request, provider, client_id=client_id)

    def populate_user(self, request, sociallogin, data):
        user = sociallogin.user
        # Neither LINE's user id (allauth's username suggestion) nor the display name
        # (a nickname, not the name on the ID card the certificate prints).
        user.username = ""
        user.email = ""
        sociallogin.account.extra_data = {
            key: sociallogin.account.extra_data[key]
            for key in KEPT_PROFILE_FIELDS
            if key in sociallogin.account.extra_data
        }
        return user

    def get_signup_form_initial_data(self, sociallogin):
        return {}

    def get_connect_redirect_url(self, request, socialaccount) -> str:
        return reverse("accounts_profile")
