from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "npv_site.cohorts"
    label = "cohorts"
    verbose_name = _("รุ่นการอบรม")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from courses.personal_data_registry import register_section
        from notifications.messages import register_kind
        from npv_site.cohorts.notifications import (
            COHORT_MESSAGE,
            INVITED,
            cohort_message,
            invited_message,
        )
        from npv_site.cohorts.personal_data import cohorts_section, invitations_section

        register_kind(INVITED, invited_message)
        register_kind(COHORT_MESSAGE, cohort_message)

        register_section("cohorts", cohorts_section)
        register_section("cohort_invitations", invitations_section)
        post_save.connect(
            _password_may_have_changed,
            sender=get_user_model(),
            dispatch_uid="cohorts-expire-claim-codes",
        )


def _password_may_have_changed(
    sender, instance, created=False, update_fields=None, raw=False, **kwargs
):
    # Every route that sets a password saves the user (set_password() then
    # save()); saves that cannot touch it (last_login at each login) are skipped.
    # A user just created has no codes yet (they point at the user): nothing
    # to end, so no UPDATE on every sign-up.
    if raw or created or (update_fields is not None and "password" not in update_fields):
        return
    from npv_site.cohorts.claims import expire_codes_of

    expire_codes_of(instance)
