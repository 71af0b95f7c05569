from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from npv_site.accounts.backends import demo_refused


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        # allauth logs in an authenticated-but-refused user through its own
        # path, so the demo accounts are refused here as well as in the backends.
        if demo_refused(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            messages.error(request, _("บัญชีตัวอย่างใช้ไม่ได้ในระบบจริง"))
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)
