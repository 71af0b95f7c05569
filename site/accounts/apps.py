from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "npv_site.accounts"
    label = "accounts"
    verbose_name = _("บัญชีผู้ใช้และเน็ตอาสา")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from courses.personal_data_registry import register_section
        from npv_site.accounts.personal_data import (
            consents_section,
            profile_section,
            reset_codes_section,
            social_accounts_section,
        )

        register_section("profile", profile_section)
        register_section("privacy_consents", consents_section)
        register_section("password_reset_codes", reset_codes_section)
        register_section("social_accounts", social_accounts_section)
        post_save.connect(
            _password_may_have_changed,
            sender=get_user_model(),
            dispatch_uid="accounts-end-reset-codes",
        )


def hide_social_accounts(site) -> None:
    """Take allauth's models out of the Django admin (called by the URLconf, once
    every admin.py has registered): it would list every LINE user id, which is the
    volunteer's own (their data download has it); and the LINE channel comes from
    the environment, never from a SocialApp row."""
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    for model in (SocialAccount, SocialApp, SocialToken):
        if site.is_registered(model):
            site.unregister(model)


def _password_may_have_changed(
    sender, instance, created=False, update_fields=None, raw=False, **kwargs
):
    # As for claim codes (npv_site.cohorts.apps): every route that sets a
    # password saves the user; saves that cannot touch it are skipped.
    # A user just created has no codes yet (they point at the user): nothing
    # to end, so no UPDATE on every sign-up.
    if raw or created or (update_fields is not None and "password" not in update_fields):
        return
    from npv_site.accounts.reset_codes import end_codes_of

    end_codes_of(instance)
