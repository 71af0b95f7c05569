"""Admin screens of a cohort's volunteers: the list with each account's claim
state, the printable claim sheet, and the claim codes as CSV."""

import csv
from dataclasses import dataclass

import segno
from django.contrib import messages
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from npv_site.accounts.reset_codes import can_issue_for
from npv_site.cohorts.claims import (
    AlreadyClaimed,
    claim_start_url,
    claim_url,
    format_code,
    issue_new_code,
)
from npv_site.cohorts.models import ClaimCode, CohortInvitation, CohortMembership, RosterImport
from npv_site.cohorts.roster import THAI_DIGITS
from npv_site.cohorts.views.mixins import CohortAdminMixin

VOLUNTEERS_PER_PAGE = 50
# Ten slips to an A4 page: a print run of forty pages at most.
SLIPS_PER_SHEET = 400


def format_phone(phone: str) -> str:
    """0812345678 → 081-234-5678: easier to read, and a spreadsheet keeps it
    as text instead of dropping the leading zero."""
    if len(phone) == 10:
        return f"{phone[:3]}-{phone[3:6]}-{phone[6:]}"
    if len(phone) == 9:
        return f"{phone[:2]}-{phone[2:5]}-{phone[5:]}"
    return phone


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class ClaimState:
    CLAIMED = "claimed"
    PENDING = "pending"
    EXPIRED = "expired"
    OWN_ACCOUNT = "own_account"


@dataclass
class VolunteerLine:
    membership: CohortMembership
    claim: ClaimCode | None

    @property
    def profile(self):
        try:
            return self.membership.user.volunteer_profile
        except ObjectDoesNotExist:
            return None

    @property
    def state(self) -> str:
        if self.claim is None:
            return ClaimState.OWN_ACCOUNT
        if self.claim.is_claimed or self.membership.user.has_usable_password():
            return ClaimState.CLAIMED
        return ClaimState.EXPIRED if self.claim.is_expired else ClaimState.PENDING

    @property
    def state_label(self) -> str:
        return {
            ClaimState.CLAIMED: _("รับบัญชีแล้ว"),
            ClaimState.PENDING: _("ยังไม่รับบัญชี"),
            ClaimState.EXPIRED: _("รหัสหมดอายุ"),
            ClaimState.OWN_ACCOUNT: _("มีบัญชีของตนเองอยู่แล้ว"),
        }[self.state]

    @property
    def phone(self) -> str:
        return format_phone(self.profile.phone if self.profile else self.membership.roster_phone)

    @property
    def code(self) -> str:
        return format_code(self.claim.code) if self.state == ClaimState.PENDING else ""

    @property
    def can_reset_password(self) -> bool:
        """A reset code is for an account with a password of its own; before
        that, the claim code is the way in."""
        return can_issue_for(self.membership.user)

    @property
    def link(self) -> str:
        return claim_url(self.claim.code) if self.state == ClaimState.PENDING else ""


def _claim_of(user) -> ClaimCode | None:
    try:
        return user.claim_code
    except ObjectDoesNotExist:
        return None


def _memberships(cohort):
    return cohort.memberships.select_related(
        "user__volunteer_profile", "user__claim_code", "village"
    ).order_by(
        "village__province",
        "village__district",
        "village__subdistrict",
        "village__village_no",
        "pk",
    )


def _lines(memberships) -> list[VolunteerLine]:
    return [VolunteerLine(m, _claim_of(m.user)) for m in memberships]


class CohortVolunteersView(CohortAdminMixin, TemplateView):
    template_name = "cohorts/admin/volunteers.html"
    page_title = gettext_lazy("เน็ตอาสาในรุ่น")
    permission_action = "view"

    def get_context_data(self, **kwargs):
        memberships = _memberships(self.cohort)
        query = self.request.GET.get("q", "").strip()
        if query:
            digits = "".join(ch for ch in query.translate(THAI_DIGITS) if ch.isdigit())
            condition = (
                Q(user__volunteer_profile__first_name__icontains=query)
                | Q(user__volunteer_profile__last_name__icontains=query)
                | Q(village__name__icontains=query)
                | Q(village__subdistrict__icontains=query)
                | Q(village__district__icontains=query)
            )
            if len(digits) >= 3:
                condition |= Q(user__volunteer_profile__phone__contains=digits)
            memberships = memberships.filter(condition)
        state = self.request.GET.get("state", "")
        if state == "pending":
            memberships = memberships.filter(user__claim_code__claimed_at__isnull=True)
        elif state == "claimed":
            memberships = memberships.filter(user__claim_code__claimed_at__isnull=False)
        page = Paginator(memberships, VOLUNTEERS_PER_PAGE).get_page(self.request.GET.get("p"))
        all_members = self.cohort.memberships
        return super().get_context_data(
            page=page,
            lines=_lines(page.object_list),
            query=query,
            state=state,
            total=all_members.count(),
            claimed=all_members.filter(user__claim_code__claimed_at__isnull=False).count(),
            pending=all_members.filter(
                user__claim_code__isnull=False, user__claim_code__claimed_at__isnull=True
            ).count(),
            courses=self.cohort.courses.order_by("title"),
            pending_invitations=self.cohort.invitations.filter(
                status=CohortInvitation.Status.PENDING
            ).count(),
            imports=self.cohort.roster_imports.defer("content").select_related("uploaded_by")[:5],
            running_import=self.cohort.roster_imports.filter(
                status__in=[RosterImport.Status.QUEUED, RosterImport.Status.RUNNING]
            )
            .defer("content")
            .first(),
            **kwargs,
        )


class NewClaimCodeView(CohortAdminMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        membership = get_object_or_404(
            self.cohort.memberships.select_related("user__volunteer_profile"),
            pk=kwargs["membership_pk"],
        )
        try:
            claim = issue_new_code(membership.user)
        except AlreadyClaimed:
            messages.error(request, _("บัญชีนี้มีเจ้าของรับไปแล้ว ออกรหัสใหม่ไม่ได้"))
        else:
            messages.success(
                request,
                _("ออกรหัสใหม่ให้ %(name)s แล้ว: %(code)s (รหัสเดิมใช้ไม่ได้อีก)")
                % {"name": membership.user.volunteer_profile, "code": claim.display_code},
            )
        return redirect("cohorts:volunteers", self.cohort.pk)


def _qr_svg(url: str) -> str:
    # No size in the SVG: the stylesheet sizes it in millimetres for print. The
    # quiet zone is two modules; the slip's white margin gives the rest.
    return segno.make(url, error="m").svg_inline(omitsize=True, border=2)


class ClaimSheetView(CohortAdminMixin, TemplateView):
    """One slip per volunteer who has not claimed their account yet: name,
    village, the code and a QR code of the claim link. Printed on A4 and
    cut along the dashed lines."""

    template_name = "cohorts/claim_sheet.html"
    page_title = gettext_lazy("ใบรับบัญชี")

    def get_context_data(self, **kwargs):
        # Only the cohort's own members whose account nobody has taken yet
        # (no claim, and no password set another way).
        pending = _memberships(self.cohort).filter(
            user__claim_code__isnull=False,
            user__claim_code__claimed_at__isnull=True,
            user__password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        province = self.request.GET.get("province", "")
        if province:
            pending = pending.filter(village__province=province)
        page = Paginator(pending, SLIPS_PER_SHEET).get_page(self.request.GET.get("p"))
        lines = _lines(page.object_list)
        slips = [
            # segno writes the SVG itself; no user text goes into it.
            {"line": line, "qr": mark_safe(_qr_svg(line.link))}  # noqa: S308
            for line in lines
            if line.state == ClaimState.PENDING
        ]
        return super().get_context_data(
            page=page,
            slips=slips,
            expired=len(lines) - len(slips),
            # Shown without the scheme: shorter to type from paper.
            claim_start_url=claim_start_url().split("://", 1)[-1],
            province=province,
            provinces=self.cohort.memberships.filter(village__isnull=False)
            .order_by("village__province")
            .values_list("village__province", flat=True)
            .distinct(),
            **kwargs,
        )


class ClaimCodesCsvView(CohortAdminMixin, View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="claim-codes-cohort-{self.cohort.pk}.csv"'
        )
        # The BOM makes Excel open the file as UTF-8, so Thai shows correctly.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                _("ลำดับ"),
                _("คำนำหน้าชื่อ"),
                _("ชื่อ"),
                _("นามสกุล"),
                _("เบอร์โทร"),
                _("จังหวัด"),
                _("อำเภอ"),
                _("ตำบล"),
                _("หมู่ที่"),
                _("หมู่บ้าน"),
                _("สถานะบัญชี"),
                _("รหัสรับบัญชี"),
                _("ลิงก์รับบัญชี"),
            ]
        )
        for number, line in enumerate(
            _lines(_memberships(self.cohort).iterator(chunk_size=2000)), 1
        ):
            profile, village = line.profile, line.membership.village
            writer.writerow(
                [
                    spreadsheet_safe(value)
                    for value in (
                        number,
                        profile.display_title if profile else "",
                        profile.first_name if profile else "",
                        profile.last_name if profile else "",
                        line.phone,
                        village.province if village else "",
                        village.district if village else "",
                        village.subdistrict if village else "",
                        village.village_no if village else "",
                        village.name if village else "",
                        line.state_label,
                        line.code,
                        line.link,
                    )
                ]
            )
        return response
