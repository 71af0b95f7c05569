from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("หลักสูตร")

    def ready(self):
        from courses.personal_data import learning_section
        from npv_site.accounts.personal_data import register_section

        register_section("learning", learning_section)
