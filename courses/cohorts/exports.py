"""The cohort report as a spreadsheet: the same columns and rows in CSV
(streamed) and XLSX (built by a Celery task at national size), times in
Asia/Bangkok, and every text cell a spreadsheet could run as a formula
neutralised."""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from courses.cohorts.models import TrainingCohort
from courses.cohorts.reports import CourseOutline, ReportFilters, VolunteerRow, volunteer_rows

BANGKOK = ZoneInfo("Asia/Bangkok")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that starts like a formula gets a leading apostrophe, so
    that Excel and LibreOffice show it instead of running it. Numbers stay
    numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@functools.lru_cache(maxsize=4096)
def bangkok_time(value) -> str:
    # Cached: a roster's enrolments share a handful of timestamps.
    if value is None:
        return ""
    return timezone.localtime(value, BANGKOK).strftime("%Y-%m-%d %H:%M")


def header(outline: CourseOutline) -> list[str]:
    return [
        _("จังหวัด"),
        _("อำเภอ/เขต"),
        _("ตำบล/แขวง"),
        _("หมู่ที่"),
        _("หมู่บ้าน"),
        _("ชื่อ"),
        _("นามสกุล"),
        _("เบอร์โทร"),
        _("ลงทะเบียนเรียนเมื่อ"),
        _("เริ่มเรียนแล้ว"),
        *[_("ผ่าน: %(module)s") % {"module": m.title} for m in outline.modules],
        _("เรียนจบเมื่อ"),
        _("เลขที่เกียรติบัตร"),
        _("ได้รับเกียรติบัตรเมื่อ"),
    ]


def row_values(row: VolunteerRow, outline: CourseOutline, yes_no=None) -> list:
    yes, no = yes_no or (_("ใช่"), _("ไม่"))
    progress = row.progress
    return [
        row.province,
        row.district,
        row.subdistrict,
        row.village_no if row.village_no is not None else "",
        row.village_name,
        row.first_name,
        row.last_name,
        row.phone,
        bangkok_time(progress.enrolled_at),
        yes if progress.started else no,
        *[yes if m in progress.passed else no for m in outline.module_ids],
        bangkok_time(progress.completed_at),
        progress.certificate_number,
        bangkok_time(progress.certified_at),
    ]


def export_rows(
    cohort: TrainingCohort, outline: CourseOutline, filters: ReportFilters
) -> Iterator[list]:
    """The header, then every row matching the filters, neutralised."""
    yield [neutralise(v) for v in header(outline)]
    yes_no = (_("ใช่"), _("ไม่"))
    for row in volunteer_rows(cohort, outline, filters):
        # neutralise() inlined: this runs for every cell of a national export.
        yield [
            "'" + v if v.__class__ is str and v.startswith(FORMULA_STARTS) else v
            for v in row_values(row, outline, yes_no)
        ]


class _Echo:
    def write(self, value):
        return value


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 CSV with a BOM (Excel then reads Thai), yielded a block of rows
    at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    block = []
    for row in rows:
        block.append(writer.writerow(row))
        if len(block) >= 500:
            yield "".join(block)
            block = []
    if block:
        yield "".join(block)


def build_xlsx(rows: Iterable[list]) -> bytes:
    from openpyxl import Workbook

    # Write-only mode streams rows to the file instead of holding every cell object.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("รายงานความก้าวหน้า")[:31])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# All certificates of a cohort as one ZIP
# ---------------------------------------------------------------------------


class _ZipSink(io.RawIOBase):
    """A write-only, unseekable file: zipfile then writes data descriptors
    after each member, and what it has written so far can be handed on."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self):
        return True

    def write(self, data):
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self):
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts = []
        return data


def certificate_file_name(certificate) -> str:
    version = certificate.current_version
    name = "-".join(filter(None, [certificate.number, version.holder_name.replace(" ", "_")]))
    return "".join(c for c in name if c not in '/\\:*?"<>|') + ".pdf"


def zip_chunks(certificates: Iterable) -> Iterator[bytes]:
    """Stream the certificates' PDFs as a ZIP, one member at a time; a PDF
    missing from storage is left out rather than failing the whole download."""
    sink = _ZipSink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for certificate in certificates:
            pdf = certificate.current_version.pdf
            try:
                with pdf.open("rb") as source:
                    data = source.read()
            except (FileNotFoundError, OSError, ValueError):
                continue
            info = zipfile.ZipInfo(
                certificate_file_name(certificate),
                date_time=timezone.localtime(certificate.issued_at, BANGKOK).timetuple()[:6],
            )
            with archive.open(info, mode="w") as member:
                member.write(data)
            yield sink.take()
    yield sink.take()


# ---------------------------------------------------------------------------
# The XLSX built in the background
# ---------------------------------------------------------------------------


def run_report_export(export_id: int) -> None:
    """Build the XLSX of a ReportExport row; the row records the outcome.
    Running it again for a finished export does nothing."""
    from django.db import transaction

    from courses.cohorts.models import ReportExport

    with transaction.atomic():
        export = (
            ReportExport.objects.select_for_update()
            .select_related("cohort", "course")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status != ReportExport.Status.QUEUED:
            return
        export.status = ReportExport.Status.RUNNING
        export.save(update_fields=["status"])
    try:
        outline = CourseOutline.of(export.course.specific)
        rows = list(export_rows(export.cohort, outline, ReportFilters.from_query(export.filters)))
        content = build_xlsx(rows)
    except Exception as error:
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.FAILED, message=str(error), finished_at=timezone.now()
        )
        raise
    ReportExport.objects.filter(pk=export.pk).update(
        status=ReportExport.Status.DONE,
        content=content,
        row_count=len(rows) - 1,
        finished_at=timezone.now(),
    )
