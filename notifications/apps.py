from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    label = "notifications"
    verbose_name = _("การแจ้งเตือน")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps

        # checks registers itself; tasks registers the sweep step.
        from courses.personal_data_registry import register_section
        from courses.signals import attempt_graded
        from notifications import checks, kinds, receivers, tasks  # noqa: F401
        from notifications.personal_data import notifications_section

        kinds.register_plugin_kinds()
        attempt_graded.connect(receivers.grade_ready, dispatch_uid="notifications.grade_ready")
        if apps.is_installed("certificates"):
            from certificates.signals import certificate_ready, certificate_revoked

            certificate_ready.connect(
                receivers.certificate_ready, dispatch_uid="notifications.certificate_ready"
            )
            certificate_revoked.connect(
                receivers.certificate_revoked, dispatch_uid="notifications.certificate_revoked"
            )
        register_section("notifications", notifications_section)
