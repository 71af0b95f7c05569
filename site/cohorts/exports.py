"""The cohort report as a spreadsheet: the same columns and rows in CSV
(streamed) and XLSX (built by a Celery task at national size), times in
Asia/Bangkok, and every text cell a spreadsheet could run as a formula
neutralised."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Iterable, Iterator
from itertools import islice
from zoneinfo import ZoneInfo

from django.db import NotSupportedError, connection, transaction
from django.db.models import CharField, Func
from django.utils import timezone
from django.utils.translation import gettext as _

from npv_site.cohorts.models import TrainingCohort
from npv_site.cohorts.reports import (
    MEMBER_FIELDS,
    CourseOutline,
    ReportFilters,
    cohort_members,
    passes_by_user,
    started_sql,
    with_progress,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell that starts like a formula gets a leading apostrophe, so
    that Excel and LibreOffice show it instead of running it. Numbers stay
    numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class BangkokMinute(Func):
    """A time as Bangkok's clock shows it, to the minute ("2019-01-28 10:30"),
    written by the database: a national export has some 40,000 of them, and
    reading each into a datetime and converting it in Python took longer than
    the whole query."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"BangkokMinute is not written for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra):
        # The text of the local time cut to the minute: half the cost of to_char.
        template = "left((%(expressions)s AT TIME ZONE 'Asia/Bangkok')::text, 16)"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps SQLite times as UTC text. Bangkok has kept UTC+7, with
        # no daylight saving, since 1920. The fraction of a second is cut off
        # first: SQLite rounds it to milliseconds, so 10:29:59.9999 would show
        # as 10:30. (%%%% becomes one % once both the template and the query
        # parameters are filled in.)
        template = (
            "strftime('%%%%Y-%%%%m-%%%%d %%%%H:%%%%M', substr(%(expressions)s, 1, 19), '+7 hours')"
        )
        return super().as_sql(compiler, connection, template=template, **extra)


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


# Rows fetched from the database at a time (a server-side cursor on PostgreSQL).
EXPORT_CHUNK_ROWS = 2000


def _export_values(
    cohort: TrainingCohort,
    outline: CourseOutline,
    filters: ReportFilters,
    *extra: str,
    progress: bool = True,
):
    """The export's query: who and where, the times as Bangkok text, the
    flags (without `progress`, the COPY's inner query: no started nor
    passed columns, which it joins itself)."""
    passed = [f"passed_{index}" for index in range(len(outline.module_ids))]
    flags = ["started", *passed] if progress else []
    return (
        with_progress(cohort_members(cohort, outline, filters), outline, progress=progress)
        .annotate(
            enrolled_text=BangkokMinute("course_enrolment__enrolled_at"),
            completed_text=BangkokMinute("course_enrolment__completed_at"),
            certified_text=BangkokMinute("course_certificate__issued_at"),
        )
        .values_list(
            *MEMBER_FIELDS,
            "enrolled_text",
            *flags[:1],
            "completed_text",
            "course_certificate__number",
            "certified_text",
            *flags[1:],
            *extra,
        )
    )


def export_rows(
    cohort: TrainingCohort, outline: CourseOutline, filters: ReportFilters
) -> Iterator[list]:
    """The header, then every row matching the filters, neutralised. The rows
    come from one query read in chunks, so a national CSV starts at once and
    never holds every row; no row asks the database anything more."""
    yield [neutralise(v) for v in header(outline)]
    yes, no = _("ใช่"), _("ไม่")
    values = _export_values(cohort, outline, filters)
    flags = {True: yes, False: no, None: ""}
    for (
        province,
        district,
        subdistrict,
        village_no,
        village_name,
        first,
        last,
        user_first,
        user_last,
        roster_phone,
        phone,
        enrolled,
        started,
        completed,
        certificate_number,
        certified,
        *passed_flags,
    ) in values.iterator(chunk_size=EXPORT_CHUNK_ROWS):
        # Only the cells people typed can start like a formula: the times
        # are the database's digits, the flags our own words, the village
        # number a number. neutralise() is inlined: this runs for every
        # text cell of a national export.
        texts = [
            province or "",
            district or "",
            subdistrict or "",
            village_name or "",
            first or user_first,
            last or user_last,
            roster_phone or phone or "",
            certificate_number or "",
        ]
        texts = ["'" + v if v.startswith(FORMULA_STARTS) else v for v in texts]
        yield [
            texts[0],
            texts[1],
            texts[2],
            "" if village_no is None else village_no,
            texts[3],
            texts[4],
            texts[5],
            texts[6],
            enrolled or "",
            flags[started],
            *[flags[v] for v in passed_flags],
            completed or "",
            texts[7],
            certified or "",
        ]


# Rows of CSV yielded at a time.
CSV_BLOCK_ROWS = 500


def csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """UTF-8 CSV with a BOM (Excel then reads Thai), yielded a block of rows
    at a time. writerows() formats a whole block in C."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows = iter(rows)
    while block := list(islice(rows, CSV_BLOCK_ROWS)):
        writer.writerows(block)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def export_csv(
    cohort: TrainingCohort, outline: CourseOutline, filters: ReportFilters
) -> Iterator[str | bytes]:
    """The CSV of the report, streamed: written by PostgreSQL itself (COPY)
    where it serves the site, otherwise row by row in Python. Both give the
    same bytes."""
    if connection.vendor == "postgresql":
        return _copied_csv(cohort, outline, filters)
    return csv_chunks(export_rows(cohort, outline, filters))


def _neutralised_sql(text: str) -> tuple[str, list]:
    """neutralise() in SQL, for text that is never NULL; an empty cell is
    written as NULL, which COPY leaves unquoted, as Python's csv does "".
    Every formula start is one ASCII character, so the test is ascii() of
    the text (0 for an empty one) against their codes: integers, where
    comparing left(text, 1) with each start as text took a third of the
    whole export's time at national size."""
    codes = ", ".join(str(ord(start)) for start in FORMULA_STARTS)
    sql = f"NULLIF(CASE WHEN ascii({text}) IN ({codes}) THEN %s || {text} ELSE {text} END, '')"
    return sql, ["'"]


def _copy_statement(cohort, outline, filters) -> tuple[str, list]:
    """COPY of the export's query with every cell formatted as export_rows()
    formats it: the names, places and phone neutralised, flags as words.

    Who passed what comes from one grouped scan of the course's module
    passes, joined by volunteer, where the ORM's query has an IN list per
    module (each a scan and a hash of the passes, probed for every row);
    and the inner query is kept whole (OFFSET 0), so that PostgreSQL works
    out each of its columns once, not once for every use in the cells.
    The same rows and values as _export_values(), which the Python writer
    reads; a test compares the two byte for byte."""
    # The rows' order, as cohort_members() gives it, is the outer query's.
    values = _export_values(cohort, outline, filters, "pk", "user_id", progress=False).order_by()
    inner, inner_params = values.query.sql_with_params()
    module_ids = outline.module_ids
    if module_ids:
        passes_sql, passes_params = passes_by_user(outline)
        passes_join = f'LEFT JOIN ({passes_sql}) p ON p."user_id" = r."user_id"'
    else:
        passes_join, passes_params = "", []
    started, started_params = started_sql(outline, 'r."user_id"', "p" if module_ids else None)
    params: list = []

    def text(sql: str) -> str:
        neutralised, text_params = _neutralised_sql(sql)
        params.extend(text_params)
        return neutralised

    def flag(condition: str, condition_params=()) -> str:
        params.extend([*condition_params, _("ใช่"), _("ไม่")])
        return f"CASE WHEN {condition} THEN %s ELSE %s END"

    columns = [
        text("COALESCE(r.\"village__province\", '')"),
        text("COALESCE(r.\"village__district\", '')"),
        text("COALESCE(r.\"village__subdistrict\", '')"),
        'r."village__village_no"',
        text("COALESCE(r.\"village__name\", '')"),
        text(
            "COALESCE(NULLIF(r.\"user__volunteer_profile__first_name\", ''), r.\"user__first_name\", '')"
        ),
        text(
            "COALESCE(NULLIF(r.\"user__volunteer_profile__last_name\", ''), r.\"user__last_name\", '')"
        ),
        text(
            "COALESCE(NULLIF(r.\"roster_phone\", ''), "
            "NULLIF(r.\"user__volunteer_profile__phone\", ''), '')"
        ),
        'r."enrolled_text"',
        flag(started, started_params),
        *[flag(f'p."passed_{index}" > 0') for index in range(len(module_ids))],
        'r."completed_text"',
        text("COALESCE(r.\"course_certificate__number\", '')"),
        'r."certified_text"',
    ]
    order = ", ".join(
        f'r."{name}"' for name in ("village__province", "village__district", "village__subdistrict")
    )
    statement = (
        f"COPY (SELECT {', '.join(columns)} FROM ({inner} OFFSET 0) r {passes_join} "  # noqa: S608
        f'ORDER BY {order}, r."village__village_no", r."pk") TO STDOUT (FORMAT csv)'
    )
    return statement, [*params, *inner_params, *passes_params]


# Rows of CSV PostgreSQL sends that are yielded together.
COPY_BLOCK_ROWS = 1000


def _copied_csv(cohort, outline, filters) -> Iterator[str | bytes]:
    yield "\ufeff"
    header_line = io.StringIO()
    csv.writer(header_line).writerow([neutralise(v) for v in header(outline)])
    statement, params = _copy_statement(cohort, outline, filters)
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are sorted whole before the first is sent: in memory,
        # not in a file (4 MB, the default, holds some 10,000 of them).
        cursor.execute("SET LOCAL work_mem = '64MB'")
        start = time.monotonic()
        block = [header_line.getvalue().encode()]
        # Each piece COPY sends is one row ending in a newline; Python's csv
        # module, and so the SQLite export, ends rows with CRLF.
        with cursor.cursor.copy(statement, params) as copy:
            for row in copy:
                block.append(row[:-1])
                block.append(b"\r\n")
                if len(block) >= 2 * COPY_BLOCK_ROWS:
                    yield b"".join(block)
                    block = []
        if block:
            yield b"".join(block)
        if connection.queries_logged:
            # As Django logs its own queries, so that counting them sees this one.
            connection.queries_log.append(
                {"sql": statement, "time": f"{time.monotonic() - start:.3f}"}
            )


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

    from npv_site.cohorts.models import ReportExport

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
