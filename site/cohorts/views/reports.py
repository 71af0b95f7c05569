"""The admin report screens of a cohort: progress by place and by volunteer,
their CSV and XLSX exports, questions and modules, village coverage, and
all certificates as one ZIP."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, F, When
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from courses.thai_dates import buddhist_year
from npv_site.cohorts import tasks
from npv_site.cohorts.exports import (
    BANGKOK,
    build_xlsx,
    export_csv,
    export_rows,
    zip_chunks,
)
from npv_site.cohorts.models import CohortMembership, ReportExport
from npv_site.cohorts.reports import (
    CourseOutline,
    ReportFilters,
    Status,
    cohort_certificates,
    cohort_members,
    module_stats,
    place_summaries,
    report_course,
    total_summary,
    village_coverage,
    volunteer_rows,
)
from npv_site.cohorts.views.mixins import CohortAdminMixin

ROWS_PER_PAGE = 50
# Up to this many rows the XLSX is built while the trainer waits (well under
# a second); more go to a Celery task.
XLSX_INLINE_ROWS = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CohortReportMixin(CohortAdminMixin):
    permission_action = "view"

    def setup_report(self):
        course = report_course(self.cohort, self.request.GET.get("course"))
        self.outline = CourseOutline.of(course) if course is not None else None
        self.filters = ReportFilters.from_query(self.request.GET)

    def export_file_name(self, extension: str) -> str:
        return report_file_name(self.cohort.pk, timezone.now(), extension)


def report_file_name(cohort_id: int, moment, extension: str) -> str:
    """cohort-7-report-25690128-1030.csv: the trainer reads the year of the
    file's name as the report's other dates, Buddhist era in Thai."""
    local = timezone.localtime(moment, BANGKOK)
    year = buddhist_year(local) if translation.get_language() == "th" else local.year
    return f"cohort-{cohort_id}-report-{year}{local:%m%d-%H%M}.{extension}"


def _attachment(file_name: str) -> str:
    return f'attachment; filename="{file_name}"'


class CohortReportView(CohortReportMixin, TemplateView):
    template_name = "cohorts/reports/progress.html"
    page_title = gettext_lazy("รายงานความก้าวหน้า")
    header_icon = "table"

    def get_context_data(self, **kwargs):
        self.setup_report()
        context = {"filters": self.filters, "status_choices": Status.CHOICES}
        context["courses"] = list(self.cohort.courses.order_by("path"))
        context["places"] = self._place_choices()
        if self.outline is not None:
            by_district = bool(self.filters.province)
            places = place_summaries(self.cohort, self.outline, self.filters, by_district)
            members = cohort_members(self.cohort, self.outline, self.filters)
            page = Paginator(members.only("pk"), ROWS_PER_PAGE).get_page(self.request.GET.get("p"))
            # The page's figures only: a few queries for its rows, not for the cohort.
            rows = volunteer_rows(
                self.cohort,
                self.outline,
                members=members.filter(pk__in=[m.pk for m in page.object_list]),
            )
            context.update(
                outline=self.outline,
                by_district=by_district,
                summaries=places,
                total=total_summary(places, len(self.outline.modules)),
                page=page,
                lines=[
                    {"row": row, "passed": [row.passed(m) for m in self.outline.module_ids]}
                    for row in rows
                ],
                query=self._query_without_page(),
            )
        return super().get_context_data(**context, **kwargs)

    def _place_choices(self) -> dict:
        """The cohort's provinces, and the districts of the chosen one only:
        a national cohort has some 16,000 province and district pairs, and
        the filter shows the districts of one province."""
        chosen = self.filters.province
        pairs = (
            CohortMembership.objects.filter(cohort=self.cohort, village__isnull=False)
            .annotate(
                chosen_district=Case(
                    When(village__province=chosen, then=F("village__district")), default=None
                )
            )
            .values_list("village__province", "chosen_district")
            .order_by("village__province", "chosen_district")
            .distinct()
        )
        provinces: dict[str, list[str]] = {}
        for province, district in pairs:
            districts = provinces.setdefault(province, [])
            if district is not None:
                districts.append(district)
        return provinces

    def _query_without_page(self) -> str:
        query = self.request.GET.copy()
        query.pop("p", None)
        return query.urlencode()


class CohortReportCsvView(CohortReportMixin, View):
    def get(self, request, *args, **kwargs):
        self.setup_report()
        if self.outline is None:
            raise Http404
        response = StreamingHttpResponse(
            export_csv(self.cohort, self.outline, self.filters),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = _attachment(self.export_file_name("csv"))
        return response


class CohortReportXlsxView(CohortReportMixin, View):
    """A small report downloads at once; a large one is built by a Celery
    task, and the trainer waits on the export's page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.setup_report()
        if self.outline is None:
            raise Http404
        if cohort_members(self.cohort, self.outline, self.filters).count() <= XLSX_INLINE_ROWS:
            content = build_xlsx(export_rows(self.cohort, self.outline, self.filters))
            response = HttpResponse(content, content_type=XLSX_TYPE)
            response["Content-Disposition"] = _attachment(self.export_file_name("xlsx"))
            return response
        export = ReportExport.objects.create(
            cohort=self.cohort,
            course=self.outline.course,
            requested_by=request.user,
            filters={**self.filters.as_query()},
        )
        transaction.on_commit(lambda: tasks.send_report_export(export.pk), robust=True)
        return redirect("cohorts:report_export", self.cohort.pk, export.pk)


class ReportExportView(CohortReportMixin, TemplateView):
    """Polled by its own page (JSON with ?format=json) until the file is ready."""

    template_name = "cohorts/reports/export.html"
    page_title = gettext_lazy("ไฟล์ Excel ของรายงาน")
    header_icon = "download"

    def get_export(self) -> ReportExport:
        return get_object_or_404(
            self.cohort.report_exports.defer("content"), pk=self.kwargs["export_pk"]
        )

    def get(self, request, *args, **kwargs):
        self.export = self.get_export()
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "finished": self.export.is_finished,
                    "label": self.export.get_status_display(),
                }
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        export = self.get_export()
        if export.status == ReportExport.Status.QUEUED:
            if tasks.send_report_export(export.pk):
                messages.success(request, _("ส่งงานสร้างไฟล์อีกครั้งแล้ว"))
            else:
                messages.error(request, _("ยังส่งงานไม่ได้ ระบบงานเบื้องหลังไม่พร้อม กรุณาแจ้งผู้ดูแลระบบ"))
        return redirect("cohorts:report_export", self.cohort.pk, export.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(export=self.export, **kwargs)


class ReportExportDownloadView(CohortReportMixin, View):
    def get(self, request, *args, **kwargs):
        export = get_object_or_404(
            self.cohort.report_exports, pk=kwargs["export_pk"], status=ReportExport.Status.DONE
        )
        response = HttpResponse(bytes(export.content), content_type=XLSX_TYPE)
        response["Content-Disposition"] = _attachment(
            report_file_name(self.cohort.pk, export.requested_at, "xlsx")
        )
        return response


class CohortQuestionsView(CohortReportMixin, TemplateView):
    template_name = "cohorts/reports/questions.html"
    page_title = gettext_lazy("ผลรายบทเรียนและรายข้อ")
    header_icon = "help"

    def get_context_data(self, **kwargs):
        self.setup_report()
        stats = module_stats(self.cohort, self.outline) if self.outline else []
        return super().get_context_data(
            modules=stats,
            courses=list(self.cohort.courses.order_by("path")),
            outline=self.outline,
            **kwargs,
        )


# The bar chart's drawing area, in SVG user units.
CHART_WIDTH = 360
CHART_LABEL = 96
CHART_BAR = 20
CHART_GAP = 8


class CohortCoverageView(CohortReportMixin, TemplateView):
    template_name = "cohorts/reports/coverage.html"
    page_title = gettext_lazy("หมู่บ้านที่มีเน็ตอาสาได้รับเกียรติบัตร")
    header_icon = "home"

    def get_context_data(self, **kwargs):
        coverage = village_coverage(self.cohort)
        villages = sum(c.villages for c in coverage)
        covered = sum(c.covered for c in coverage)
        span = CHART_WIDTH - CHART_LABEL - 80
        bars = []
        for index, item in enumerate(coverage):
            y = index * (CHART_BAR + CHART_GAP)
            covered_width = round(span * item.covered / item.villages) if item.villages else 0
            bars.append(
                {
                    "item": item,
                    "y": y,
                    "text_y": y + CHART_BAR * 0.7,
                    "covered_width": covered_width,
                }
            )
        return super().get_context_data(
            coverage=coverage,
            villages=villages,
            covered=covered,
            percent=round(100 * covered / villages, 1) if villages else 0,
            bars=bars,
            chart={
                "width": CHART_WIDTH,
                "height": max(1, len(bars)) * (CHART_BAR + CHART_GAP),
                "label": CHART_LABEL,
                "span": span,
                "bar": CHART_BAR,
                "value_x": CHART_LABEL + span + 6,
            },
            **kwargs,
        )


class CohortCertificatesZipView(CohortReportMixin, View):
    """Every rendered certificate of the cohort, streamed as one ZIP. Only the
    cohort's own trainers and superusers: the PDFs carry names and villages."""

    def get(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or self.cohort.trainers.filter(pk=user.pk).exists()):
            raise PermissionDenied
        response = StreamingHttpResponse(
            zip_chunks(cohort_certificates(self.cohort).iterator(chunk_size=200)),
            content_type="application/zip",
        )
        response["Content-Disposition"] = _attachment(f"cohort-{self.cohort.pk}-certificates.zip")
        return response
