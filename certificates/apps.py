from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("เกียรติบัตร")

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import pre_delete

        # checks registers itself; tasks registers the tasks lifecycle sends by name;
        # worker warms the renderer of a worker on the certificates queue.
        from certificates import checks, receivers, tasks, worker  # noqa: F401
        from certificates.models import CertificateSettings
        from certificates.personal_data import certificates_section
        from certificates.previews import preview_response
        from courses.personal_data_registry import register_section
        from courses.signals import course_completed, learner_profile_changed

        course_completed.connect(
            receivers.issue_on_course_completion, dispatch_uid="certificates.issue_on_completion"
        )
        learner_profile_changed.connect(
            receivers.issue_waiting_for_profile, dispatch_uid="certificates.issue_waiting_for_profile"
        )
        pre_delete.connect(
            receivers.withdraw_on_account_deletion,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="certificates.withdraw_on_account_deletion",
        )
        register_section("certificates", certificates_section)
        CertificateSettings.preview_response = staticmethod(preview_response)
