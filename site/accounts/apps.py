from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "npv_site.accounts"
    label = "accounts"
    verbose_name = _("บัญชีผู้ใช้และเน็ตอาสา")

    def ready(self):
        from courses.personal_data_registry import register_section
        from npv_site.accounts.personal_data import profile_section

        register_section("profile", profile_section)
