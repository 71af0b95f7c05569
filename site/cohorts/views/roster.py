"""Admin screens of a roster import: upload, preview with every row's
problems, confirmation, and the progress of the import."""

import csv
import hashlib
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from npv_site.cohorts import tasks
from npv_site.cohorts.forms import ConfirmImportForm, RosterUploadForm
from npv_site.cohorts.importing import discard_stale_uploads, queue_roster_import
from npv_site.cohorts.models import RosterImport
from npv_site.cohorts.roster import (
    ROSTER_COLUMNS,
    RosterFileError,
    RowStatus,
    check_roster,
    max_upload_bytes,
    read_roster,
)
from npv_site.cohorts.views.mixins import CohortAdminMixin

PREVIEW_ROWS_PER_PAGE = 100
# A confirmed import no worker has started after this long is offered again.
STUCK_AFTER = timedelta(seconds=30)


class RosterUploadView(CohortAdminMixin, FormView):
    template_name = "cohorts/admin/roster_upload.html"
    form_class = RosterUploadForm
    page_title = gettext_lazy("นำเข้ารายชื่อเน็ตอาสา")
    header_icon = "upload"

    def form_valid(self, form):
        discard_stale_uploads()
        upload = form.cleaned_data["file"]
        roster_import = RosterImport.objects.create(
            cohort=self.cohort,
            uploaded_by=self.request.user,
            file_name=upload.name[-255:],
            file_size=len(form.content),
            sha256=hashlib.sha256(form.content).hexdigest(),
            content=form.content,
            row_count=len(form.parsed.rows),
        )
        return redirect("cohorts:import_preview", self.cohort.pk, roster_import.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=ROSTER_COLUMNS,
            max_megabytes=max_upload_bytes() / (1024 * 1024),
            recent_imports=self.cohort.roster_imports.defer("content").select_related(
                "uploaded_by"
            )[:10],
            **kwargs,
        )


class RosterImportMixin(CohortAdminMixin):
    def get_roster_import(self) -> RosterImport:
        return get_object_or_404(
            RosterImport.objects.select_related("uploaded_by"),
            cohort=self.cohort,
            pk=self.kwargs["import_pk"],
        )


class RosterPreviewView(RosterImportMixin, TemplateView):
    template_name = "cohorts/admin/roster_preview.html"
    page_title = gettext_lazy("ตรวจรายชื่อก่อนนำเข้า")
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        self.roster_import = self.get_roster_import()
        if self.roster_import.status not in (
            RosterImport.Status.UPLOADED,
            RosterImport.Status.REJECTED,
            RosterImport.Status.FAILED,
        ):
            return redirect("cohorts:import_progress", self.cohort.pk, self.roster_import.pk)
        try:
            parsed = read_roster(bytes(self.roster_import.content), self.roster_import.file_name)
        except RosterFileError as error:
            messages.error(request, str(error))
            return redirect("cohorts:import", self.cohort.pk)
        self.check = check_roster(parsed, self.cohort, request.user)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        roster_import = self.get_roster_import()
        if request.POST.get("action") == "discard":
            if roster_import.status in (
                RosterImport.Status.UPLOADED,
                RosterImport.Status.REJECTED,
                RosterImport.Status.FAILED,
            ):
                roster_import.delete()
            messages.success(request, _("ยกเลิกการนำเข้าแล้ว ไม่มีข้อมูลใดถูกบันทึก"))
            return redirect("cohorts:volunteers", self.cohort.pk)
        form = ConfirmImportForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                if queue_roster_import(roster_import.pk, form.cleaned_data["mode"]):
                    transaction.on_commit(
                        lambda: tasks.send_roster_import(roster_import.pk), robust=True
                    )
        return redirect("cohorts:import_progress", self.cohort.pk, roster_import.pk)

    def get_context_data(self, **kwargs):
        check = self.check
        show = self.request.GET.get("show") or ("problems" if check.rows_with_problems else "all")
        if show == "errors":
            rows = [row for row in check.rows if row.errors]
        elif show == "problems":
            rows = check.rows_with_problems
        else:
            show, rows = "all", check.rows
        previous = (
            RosterImport.objects.filter(
                cohort=self.cohort,
                sha256=self.roster_import.sha256,
                status=RosterImport.Status.DONE,
            )
            .exclude(pk=self.roster_import.pk)
            .defer("content")
            .first()
        )
        return super().get_context_data(
            roster_import=self.roster_import,
            check=check,
            parsed=check.parsed,
            counts={
                "new": check.count(RowStatus.NEW),
                "existing": check.count(RowStatus.EXISTING),
                "member": check.count(RowStatus.MEMBER),
                "invite": check.count(RowStatus.INVITE),
                "invited": check.count(RowStatus.INVITED),
                "error": check.error_count,
                "warning": check.warning_count,
                "good": check.good_count,
                "joining": check.count(RowStatus.NEW) + check.count(RowStatus.EXISTING),
                "changing": check.count(RowStatus.NEW)
                + check.count(RowStatus.EXISTING)
                + check.count(RowStatus.INVITE),
                "total": len(check.rows),
            },
            show=show,
            page=Paginator(rows, PREVIEW_ROWS_PER_PAGE).get_page(self.request.GET.get("p")),
            previous_import=previous,
            modes=RosterImport.Mode,
            **kwargs,
        )


def progress_payload(roster_import: RosterImport) -> dict:
    since = roster_import.started_at or roster_import.confirmed_at
    end = roster_import.finished_at or timezone.now()
    return {
        "status": roster_import.status,
        "label": roster_import.get_status_display(),
        "finished": roster_import.is_finished,
        "elapsed_seconds": round((end - since).total_seconds()) if since else 0,
        "row_count": roster_import.row_count,
        "created": roster_import.created_count,
        "linked": roster_import.linked_count,
        "invited": roster_import.invited_count,
        "unchanged": roster_import.unchanged_count,
        "skipped": roster_import.skipped_count,
        "message": roster_import.message,
    }


class RosterImportProgressView(RosterImportMixin, TemplateView):
    """Polled by its own page (JSON with ?format=json) until the import ends."""

    template_name = "cohorts/admin/roster_progress.html"
    page_title = gettext_lazy("การนำเข้ารายชื่อ")
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        self.roster_import = self.get_roster_import()
        if request.GET.get("format") == "json":
            return JsonResponse(progress_payload(self.roster_import))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        roster_import = self.get_roster_import()
        if roster_import.status == RosterImport.Status.QUEUED:
            if tasks.send_roster_import(roster_import.pk):
                messages.success(request, _("ส่งงานนำเข้าอีกครั้งแล้ว"))
            else:
                messages.error(request, _("ยังส่งงานไม่ได้ ระบบงานเบื้องหลังไม่พร้อม กรุณาแจ้งผู้ดูแลระบบ"))
        return redirect("cohorts:import_progress", self.cohort.pk, roster_import.pk)

    def get_context_data(self, **kwargs):
        roster_import = self.roster_import
        stuck = (
            roster_import.status == RosterImport.Status.QUEUED
            and roster_import.confirmed_at is not None
            and timezone.now() - roster_import.confirmed_at > STUCK_AFTER
        )
        return super().get_context_data(
            roster_import=roster_import,
            progress=progress_payload(roster_import),
            stuck=stuck,
            can_retry=roster_import.status
            in (RosterImport.Status.REJECTED, RosterImport.Status.FAILED)
            and bool(roster_import.content),
            **kwargs,
        )


def roster_template(request):
    """An empty roster with the expected header, for trainers to fill in."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="roster-template.csv"'
    # The BOM makes Excel open the file as UTF-8, so Thai shows correctly.
    response.write("\ufeff")
    csv.writer(response).writerow(ROSTER_COLUMNS)
    return response
