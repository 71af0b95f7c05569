"""The tools of a cohort (import, invite, claim sheets, report, messages,
certificates),
one list for the buttons on the cohort's page and in its row of the listing.

Each tool names the permission its view checks, so a button is shown exactly
when its view would let the user in: the views stay the authority, this list
only keeps a trainer from meeting a button that leads to a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from npv_site.cohorts.permissions import cohort_permission_policy


@dataclass(frozen=True)
class CohortTool:
    label: str
    # What the button shows, where six of them share a header: the label,
    # which starts with or holds it, stays the button's accessible name.
    short_label: str
    url_name: str
    icon: str
    # The cohort action the view asks of the permission policy.
    action: str
    # Only the cohort's own trainers (and superusers): the certificates ZIP.
    trainers_only: bool = False
    download: bool = False
    # A button in the cohort's row of the listing too, not only in its menu.
    in_row: bool = False
    # A button in the cohort page's header, or an item of its "⋯" menu.
    in_header: bool = True

    def url(self, cohort) -> str:
        return reverse(f"cohorts:{self.url_name}", args=[cohort.pk])

    @property
    def attrs(self) -> dict:
        attrs = {"aria-label": self.label, "title": self.label}
        if self.download:
            attrs["download"] = ""
        return attrs


TOOLS = (
    CohortTool(_("เน็ตอาสาในรุ่น"), _("เน็ตอาสาในรุ่น"), "volunteers", "group", "view"),
    CohortTool(_("นำเข้ารายชื่อ"), _("นำเข้ารายชื่อ"), "import", "upload", "change", in_row=True),
    CohortTool(
        _("ค้นหาและเชิญเน็ตอาสา"), _("ค้นหาและเชิญ"), "find_volunteers", "search", "change"
    ),
    CohortTool(
        _("คำเชิญที่ส่งแล้ว"),
        _("คำเชิญที่ส่งแล้ว"),
        "invitations",
        "mail",
        "view",
        in_header=False,
    ),
    CohortTool(
        _("พิมพ์ใบรับบัญชี"), _("ใบรับบัญชี"), "claim_sheet", "doc-full", "change", in_row=True
    ),
    CohortTool(_("รายงานความก้าวหน้า"), _("รายงาน"), "report", "table", "view", in_row=True),
    CohortTool(_("ข้อความถึงรุ่น"), _("ข้อความ"), "messages", "comment", "view"),
    CohortTool(
        _("ดาวน์โหลดเกียรติบัตร (ZIP) ทั้งรุ่น"),
        _("เกียรติบัตร (ZIP)"),
        "certificates_zip",
        "download",
        "view",
        trainers_only=True,
        download=True,
        in_row=True,
    ),
)


def _trains(user, cohort) -> bool:
    # `trainers` is prefetched on the listing: no query per row.
    return any(trainer.pk == user.pk for trainer in cohort.trainers.all())


def cohort_tools(user, cohort) -> list[CohortTool]:
    """The tools `user` may open for `cohort`, a cohort they may see."""
    allowed = {
        action
        for action in {tool.action for tool in TOOLS}
        if cohort_permission_policy.user_has_permission(user, action)
    }
    may_download = user.is_superuser or _trains(user, cohort)
    return [
        tool
        for tool in TOOLS
        if tool.action in allowed and (may_download or not tool.trainers_only)
    ]
