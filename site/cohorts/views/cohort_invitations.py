"""Admin screens of a cohort's invitations: the list (what a trainer may see
of each, and an administrator's approval), and the search for volunteers who
opted in to be found by the trainers of their province."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from npv_site.accounts.models import VolunteerProfile
from npv_site.cohorts.invitations import InvitationClosed, approve_invitation, invite
from npv_site.cohorts.views.mixins import CohortAdminMixin

RESULTS_PER_PAGE = 50


def manages_all_cohorts(user) -> bool:
    return user.is_superuser or user.has_perm("cohorts.manage_all_cohorts")


class CohortInvitationsView(CohortAdminMixin, TemplateView):
    """A trainer sees each invitation's state and what their own file said
    (phone, village); only an administrator sees whose account it is."""

    template_name = "cohorts/admin/invitations.html"
    page_title = gettext_lazy("คำเชิญเข้ารุ่น")
    header_icon = "mail"
    permission_action = "view"

    def get_context_data(self, **kwargs):
        is_admin = manages_all_cohorts(self.request.user)
        invitations = self.cohort.invitations.select_related("village").order_by("-created", "pk")
        if is_admin:
            invitations = invitations.select_related("user__volunteer_profile")
        page = Paginator(invitations, RESULTS_PER_PAGE).get_page(self.request.GET.get("p"))
        # Whom the trainer found in the search they may still know by what the
        # search showed, for as long as the volunteer lets themselves be found.
        found = {
            profile.user_id: profile
            for profile in opted_in_profiles(self.cohort)
            .filter(user_id__in=[invitation.user_id for invitation in page.object_list])
            .only(*FOUND_FIELDS)
        }
        for invitation in page.object_list:
            invitation.found_as = found.get(invitation.user_id)
        return super().get_context_data(page=page, is_admin=is_admin, **kwargs)


class ApproveInvitationView(CohortAdminMixin, View):
    """A site administrator adds an invited volunteer on their behalf."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not manages_all_cohorts(request.user):
            raise PermissionDenied
        invitation = get_object_or_404(self.cohort.invitations, pk=kwargs["invitation_pk"])
        try:
            approve_invitation(invitation, request.user)
        except InvitationClosed:
            messages.error(request, _("คำเชิญนี้ได้รับคำตอบแล้ว ไม่ได้เปลี่ยนแปลงอะไร"))
        else:
            messages.success(request, _("อนุมัติคำเชิญแล้ว เน็ตอาสาคนนี้อยู่ในรุ่นแล้ว"))
        return redirect("cohorts:invitations", self.cohort.pk)


# What the search shows of a volunteer: name, district and village.
FOUND_FIELDS = (
    "pk", "user_id", "title", "title_other", "first_name", "last_name",
    "district", "village_no", "village_name",
)


def opted_in_profiles(cohort):
    """The volunteers of the cohort's provinces who let its trainers find them."""
    return VolunteerProfile.objects.filter(
        findable_by_trainers=True,
        user__is_active=True,
        province__in=cohort.provinces.values("name"),
    )


def findable_profiles(cohort):
    """Who a trainer of `cohort` may find: volunteers who opted in, in the
    cohort's provinces, not yet in the cohort or invited to it."""
    return (
        opted_in_profiles(cohort)
        .exclude(user__cohort_memberships__cohort=cohort)
        .exclude(user__cohort_invitations__cohort=cohort)
    )


class FindVolunteersView(CohortAdminMixin, TemplateView):
    """Search the opted-in volunteers of the cohort's provinces by name,
    district or village, and invite them. Shows name, district and village,
    nothing else (never phone, e-mail or sub-district)."""

    template_name = "cohorts/admin/find_volunteers.html"
    page_title = gettext_lazy("ค้นหาและเชิญเน็ตอาสา")
    header_icon = "search"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        results = None
        if query:
            matches = findable_profiles(self.cohort).filter(
                Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
                | Q(district__icontains=query)
                | Q(village_name__icontains=query)
            )
            results = Paginator(
                matches.only(*FOUND_FIELDS).order_by("district", "village_no", "first_name", "pk"),
                RESULTS_PER_PAGE,
            ).get_page(self.request.GET.get("p"))
        return super().get_context_data(
            query=query,
            results=results,
            provinces=list(self.cohort.provinces.values_list("name", flat=True)),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        query = request.POST.get("q", "")
        target = reverse("cohorts:find_volunteers", args=[self.cohort.pk])
        if query:
            target += "?" + urlencode({"q": query})
        try:
            profile_pk = int(request.POST.get("profile", ""))
        except ValueError:
            profile_pk = None
        profile = findable_profiles(self.cohort).filter(pk=profile_pk).select_related("user").first()
        if profile is None:
            messages.error(
                request,
                _("เชิญไม่ได้: ไม่พบเน็ตอาสาคนนี้ในรายชื่อที่ค้นหาได้ของรุ่นนี้ (อาจยกเลิกการให้ค้นหา หรือได้รับเชิญแล้ว)"),
            )
            return redirect(target)
        invite(self.cohort, profile.user, request.user)
        messages.success(
            request,
            _("ส่งคำเชิญให้ %(name)s แล้ว เมื่อเจ้าของบัญชีตอบรับจะอยู่ในรุ่นนี้")
            % {"name": profile.full_name},
        )
        return redirect(target)
