from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Net Pracharat's demo course and demo accounts (`manage.py load_demo_course`).

    It lives in the site layer because it is built on the site's own pieces: the
    home page model, the volunteer profile and the demo logins the site's sign-in
    backend knows. It has no models.
    """

    name = "npv_site.demo"
    label = "demo"
    verbose_name = _("หลักสูตรตัวอย่าง")
