from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "courses.cohorts"
    label = "cohorts"
    verbose_name = _("รุ่นการอบรม")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from courses.cohorts.personal_data import cohorts_section, invitations_section
        from npv_site.accounts.personal_data import register_section

        register_section("cohorts", cohorts_section)
        register_section("cohort_invitations", invitations_section)
