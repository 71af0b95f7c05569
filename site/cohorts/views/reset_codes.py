"""The trainer's side of reset codes (npv_site.accounts.reset_codes): from a
volunteer's row in the cohort's list, issue a one-time code and show it once,
large and on a printable slip, for a volunteer who forgot their password and
has no e-mail."""

import logging

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import View

from courses import conf
from npv_site.accounts.reset_codes import AdminAccount, NotResettable, issue_code, valid_hours
from npv_site.cohorts.views.mixins import CohortAdminMixin

logger = logging.getLogger(__name__)


def reset_code_page_url() -> str:
    """Where the volunteer types the code, as printed (without the scheme:
    shorter to type from paper)."""
    return (conf.base_url() + reverse("accounts_reset_code")).split("://", 1)[-1]


@method_decorator(never_cache, name="dispatch")
class IssueResetCodeView(CohortAdminMixin, View):
    """POST only, like the other row actions: the membership is taken from the
    cohort the permission policy lets this trainer change, so another
    trainer's volunteer is a 404 and nothing is issued."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(
            self.cohort.memberships.select_related("user__volunteer_profile"),
            pk=kwargs["membership_pk"],
        )
        user = membership.user
        try:
            issued = issue_code(user, issued_by=request.user)
        except NotResettable:
            messages.error(
                request,
                _("บัญชีนี้ยังไม่ได้ตั้งรหัสผ่าน ให้ใช้รหัสรับบัญชีแทนรหัสตั้งรหัสผ่านใหม่"),
            )
            return redirect("cohorts:volunteers", self.cohort.pk)
        except AdminAccount:
            messages.error(
                request,
                _(
                    "บัญชีนี้เข้าหน้าผู้ดูแลระบบได้ วิทยากรจึงออกรหัสตั้งรหัสผ่านใหม่ให้ไม่ได้ "
                    "ให้เจ้าของบัญชีขอรีเซ็ตทางอีเมล หรือติดต่อผู้ดูแลระบบ"
                ),
            )
            return redirect("cohorts:volunteers", self.cohort.pk)
        # The code itself is never logged: the trainer sees it once, on this page.
        logger.info(
            "Password reset code %s issued for user %s by user %s (cohort %s)",
            issued.record.pk,
            user.pk,
            request.user.pk,
            self.cohort.pk,
        )
        profile = getattr(user, "volunteer_profile", None)
        return TemplateResponse(
            request,
            "cohorts/reset_code_slip.html",
            {
                "cohort": self.cohort,
                "name": (profile.full_name if profile else "") or user.get_full_name(),
                "username": user.get_username(),
                "code": issued.display_code,
                "expires_at": issued.record.expires_at,
                "valid_hours": valid_hours(),
                "page_url": reset_code_page_url(),
            },
        )
