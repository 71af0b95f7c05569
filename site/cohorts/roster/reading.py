"""Reading an uploaded roster, CSV or XLSX, into rows of cell text.

The whole file is refused, with a Thai message, when it is too big, is not a
CSV or XLSX file, or has no header or the wrong columns.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npv_site.cohorts.roster.text import clean_text

ROSTER_COLUMNS = (
    "title",
    "first_name",
    "last_name",
    "phone",
    "email",
    "province",
    "district",
    "subdistrict",
    "village_no",
    "village",
)
VILLAGE_COLUMNS = ("province", "district", "subdistrict", "village_no", "village")

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 30_000
# An XLSX is a zip: refuse one that would inflate past this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
# Hard limits on what is read from an XLSX, whatever it declares (see
# _read_xlsx). openpyxl reads about 1.6 MB of sheet XML per second of
# processor time, a 311-row roster in about 0.15 s: the time budget keeps an
# upload within a second, so an XLSX of more than about 2,000 rows is to be
# saved as CSV, which has no such cost.
MAX_XLSX_ENTRIES = 1_000
MAX_XLSX_COLUMNS = 50
MAX_XLSX_BLANK_ROWS = 1_000
MAX_XLSX_CELLS = 500_000
MAX_XLSX_CELL_CHARACTERS = 1_000
DEFAULT_XLSX_SECONDS = 1.0

# Header cells, lower-cased with spaces and hyphens as underscores, that mean
# each column: the English names of the template and the Thai ones that
# spreadsheets made by hand use.
HEADER_ALIASES = {
    "title": {"title", "คำนำหน้า", "คำนำหน้าชื่อ"},
    "first_name": {"first_name", "firstname", "ชื่อ", "ชื่อจริง"},
    "last_name": {"last_name", "lastname", "surname", "นามสกุล"},
    "phone": {"phone", "mobile", "tel", "เบอร์โทร", "เบอร์โทรศัพท์", "โทรศัพท์", "หมายเลขโทรศัพท์"},
    "email": {"email", "e_mail", "อีเมล", "อีเมล์"},
    "province": {"province", "จังหวัด"},
    "district": {"district", "อำเภอ", "อำเภอ/เขต", "เขต"},
    "subdistrict": {"subdistrict", "sub_district", "ตำบล", "ตำบล/แขวง", "แขวง"},
    "village_no": {"village_no", "moo", "หมู่", "หมู่ที่"},
    "village": {"village", "village_name", "หมู่บ้าน", "ชื่อหมู่บ้าน"},
}
_HEADER_LOOKUP = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}


class RosterFileError(Exception):
    """The file as a whole cannot be read as a roster; the message is Thai."""


def max_upload_bytes() -> int:
    return getattr(settings, "ROSTER_MAX_UPLOAD_SIZE", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "ROSTER_MAX_ROWS", DEFAULT_MAX_ROWS)


@dataclass
class RawRow:
    line: int  # the row number the trainer sees in the spreadsheet (header = 1)
    values: dict[str, str]
    extra_cells: int = 0  # non-empty cells beyond the header's columns
    missing_cells: int = 0  # cells short of the header's columns


@dataclass
class ParsedRoster:
    file_kind: str  # "CSV" or "XLSX"
    encoding: str  # what the trainer is shown, e.g. "UTF-8", "Windows-874 (TIS-620)"
    delimiter: str  # "," ";" or tab; "" for XLSX
    columns: list[str]
    rows: list[RawRow]

    @property
    def delimiter_label(self) -> str:
        return str(DELIMITER_LABELS.get(self.delimiter, ""))


def read_roster(
    content: bytes, file_name: str, *, columns: tuple[str, ...] = ROSTER_COLUMNS, allow_extra=False
) -> ParsedRoster:
    """Read a CSV or XLSX roster, or raise RosterFileError with a Thai message."""
    limit = max_upload_bytes()
    if len(content) > limit:
        raise RosterFileError(
            _("ไฟล์ใหญ่เกินไป (%(size)s) รับได้ไม่เกิน %(limit)s")
            % {"size": _megabytes(len(content)), "limit": _megabytes(limit)}
        )
    if not content.strip():
        raise RosterFileError(_("ไฟล์ว่างเปล่า ไม่มีข้อมูล"))
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            _("ไฟล์นี้เป็น Excel รุ่นเก่า (.xls) กรุณาเปิดใน Excel แล้วบันทึกเป็น .xlsx หรือ CSV UTF-8")
        )
    if content.startswith(b"PK\x03\x04"):
        if extension not in ("xlsx", ""):
            raise _not_a_roster()
        table, kind, encoding, delimiter = _read_xlsx(content), "XLSX", "", ""
    elif extension in ("csv", "txt", "tsv", ""):
        text, encoding = _decode(content)
        delimiter = _detect_delimiter(text)
        table, kind = _read_csv(text, delimiter), "CSV"
    else:
        raise _not_a_roster()
    return _rows_from_table(table, kind, encoding, delimiter, columns, allow_extra)


def _megabytes(size: int) -> str:
    return _("%(mb).1f MB") % {"mb": size / (1024 * 1024)}


def _not_a_roster() -> RosterFileError:
    return RosterFileError(
        _("ไฟล์นี้ไม่ใช่ CSV หรือ XLSX กรุณาบันทึกรายชื่อจาก Excel หรือ Google Sheets เป็น CSV หรือ .xlsx")
    )


def _decode(content: bytes) -> tuple[str, str]:
    """Thai spreadsheets arrive as UTF-8 (with or without a BOM), as UTF-16
    from Excel's "Unicode text", or as Windows-874 (TIS-620) from older tools."""
    # A binary file can decode as cp874; real text has no NUL or other control bytes.
    if not content.startswith((b"\xff\xfe", b"\xfe\xff")) and _CONTROL_BYTES.search(content):
        raise _not_a_roster()
    if content.startswith(b"\xef\xbb\xbf"):
        attempts = [(content[3:], "utf-8", "UTF-8 (BOM)")]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        attempts = [(content, "utf-16", "UTF-16")]
    else:
        attempts = [(content, "utf-8", "UTF-8"), (content, "cp874", "Windows-874 (TIS-620)")]
    for data, codec, label in attempts:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _CONTROL_TEXT.search(text):
            raise _not_a_roster()
        return text, label
    # Text in which a few bytes cannot be read (a character pasted from
    # another program, a file cut short): say where, in the encoding the rest
    # of the file is in, rather than calling it "not a CSV".
    data, codec, label = min(
        attempts, key=lambda attempt: len(_undecodable(attempt[0], attempt[1]))
    )
    raise RosterFileError(_encoding_message(label, _undecodable(data, codec)))


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Enough places to find the problem; a file with more is in another encoding.
_MAX_PLACES = 200
_PLACES_SHOWN = 5


def _undecodable(data: bytes, codec: str) -> list[tuple[int, int, int]]:
    """(line, byte position in the line, byte) of each byte that `codec`
    cannot read; lines counted from 1, as a text editor does."""
    if codec == "utf-16":
        try:
            data.decode(codec)
        except UnicodeDecodeError as error:
            return [(1, error.start + 1, data[error.start])]
        return []
    places = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        start = 0
        while start < len(line):
            try:
                line[start:].decode(codec)
                break
            except UnicodeDecodeError as error:
                places.append((number, start + error.start + 1, line[start + error.start]))
                if len(places) >= _MAX_PLACES:
                    return places
                start += error.end
    return places


def _encoding_message(label: str, places: list[tuple[int, int, int]]) -> str:
    shown = ", ".join(
        _("บรรทัดที่ %(line)s ไบต์ที่ %(position)s (0x%(byte)02X)")
        % {"line": line, "position": position, "byte": byte}
        for line, position, byte in places[:_PLACES_SHOWN]
    )
    if len(places) > _PLACES_SHOWN:
        shown += " " + _("และอีก %(count)s แห่ง") % {"count": len(places) - _PLACES_SHOWN}
    return _(
        "ไฟล์นี้เป็นข้อความแบบ %(encoding)s แต่มีไบต์ที่อ่านไม่ได้: %(places)s "
        "อาจมีอักขระที่คัดลอกมาจากโปรแกรมอื่นหรือไฟล์ไม่ครบ กรุณาเปิดไฟล์ใน Excel แล้วเลือก "
        "“บันทึกเป็น” ชนิด “CSV UTF-8 (Comma delimited)” หรือบันทึกเป็น UTF-8 "
        "จากโปรแกรมแก้ไขข้อความ แล้วนำเข้าอีกครั้ง"
    ) % {"encoding": label, "places": shown}


DELIMITER_LABELS = {
    ",": gettext_lazy("จุลภาค"),
    ";": gettext_lazy("อัฒภาค"),
    "\t": gettext_lazy("แท็บ"),
}


def _detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()][:50]
    if not lines:
        raise RosterFileError(_("ไฟล์ว่างเปล่า ไม่มีข้อมูล"))
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = None
    # The sniffer guesses from how often characters occur; the header line,
    # split the way it will be read, is the better judge when they disagree.
    header_fields = {
        candidate: len(next(csv.reader([lines[0]], delimiter=candidate)))
        for candidate in DELIMITER_LABELS
    }
    best = max(header_fields, key=header_fields.get)
    if delimiter is None or header_fields[delimiter] < header_fields[best]:
        delimiter = best
    return delimiter


def _read_csv(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _not_a_roster() from None


class _OverBudget(Exception):
    pass


class _Budget:
    """The processor time an XLSX may take to read, checked on every read
    from the archive, so that no part of openpyxl's work (shared strings,
    one enormous row) runs past it. Processor time of this thread, not the
    clock: a busy server does not refuse a file that an idle one accepts."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.thread_time() + seconds

    def check(self) -> None:
        if time.thread_time() > self.deadline:
            raise _OverBudget


class _BudgetedStream(io.RawIOBase):
    CHUNK = 64 * 1024

    def __init__(self, stream, budget: _Budget):
        self._stream, self._budget = stream, budget

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self.read(self.CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        self._budget.check()
        return self._stream.read(min(size, self.CHUNK))

    def close(self) -> None:
        self._stream.close()
        super().close()


class _BudgetedZipFile(zipfile.ZipFile):
    budget: _Budget

    def open(self, name, mode="r", pwd=None, **kwargs):
        stream = super().open(name, mode, pwd=pwd, **kwargs)
        return _BudgetedStream(stream, self.budget) if mode == "r" else stream


def max_xlsx_seconds() -> float:
    return getattr(settings, "ROSTER_XLSX_MAX_SECONDS", DEFAULT_XLSX_SECONDS)


def _xlsx_limit_error(limit: str) -> RosterFileError:
    return RosterFileError(
        _("ไฟล์ XLSX นี้เกินขีดจำกัด: %(limit)s กรุณาตรวจไฟล์ หรือบันทึกเป็น CSV UTF-8 แล้วอัปโหลดใหม่")
        % {"limit": limit}
    )


def _read_xlsx(content: bytes) -> list[list[str]]:
    """The first sheet's cells as text, within hard limits that hold whatever
    the file declares: a 1.7 KB file declaring A1:XFD1048576 once made
    openpyxl pad every row to 16,384 cells (32 s and 3.6 GB for one upload).
    The declared dimension is ignored (`reset_dimensions`), columns past
    MAX_XLSX_COLUMNS + 1 are never built, rows (empty ones included), cells
    and the length of a cell are counted as they are read, and the whole read
    has a processor-time budget (ROSTER_XLSX_MAX_SECONDS)."""
    from openpyxl.reader.excel import ExcelReader

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise _not_a_roster() from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise _not_a_roster()
    if len(infos) > MAX_XLSX_ENTRIES:
        raise _xlsx_limit_error(_("มีส่วนประกอบในไฟล์เกิน %(limit)s ส่วน") % {"limit": f"{MAX_XLSX_ENTRIES:,}"})
    if sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED_BYTES:
        raise RosterFileError(_("ไฟล์ XLSX นี้มีข้อมูลมากเกินไป"))

    budget = _Budget(max_xlsx_seconds())
    row_limit = max_rows() + 1 + MAX_XLSX_BLANK_ROWS
    table: list[list[str]] = []
    cells = 0
    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
        reader.archive.close()
        reader.archive = _BudgetedZipFile(io.BytesIO(content))
        reader.archive.budget = budget
        reader.read()
        workbook = reader.wb
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            for row in sheet.iter_rows(max_col=MAX_XLSX_COLUMNS + 1, values_only=True):
                if len(table) >= row_limit:
                    raise _xlsx_limit_error(
                        _("มีแถวเกิน %(limit)s แถว (นับแถวว่างด้วย)") % {"limit": f"{row_limit:,}"}
                    )
                if row.count(None) == len(row):  # in C: empty rows can come by the million
                    table.append([])
                    continue
                width = len(row)
                while row[width - 1] is None:
                    width -= 1
                if width > MAX_XLSX_COLUMNS:
                    raise _xlsx_limit_error(
                        _("มีคอลัมน์เกิน %(limit)s คอลัมน์") % {"limit": MAX_XLSX_COLUMNS}
                    )
                texts = [_xlsx_cell_text(value) for value in row[:width]]
                cells += sum(1 for text in texts if text)
                if cells > MAX_XLSX_CELLS:
                    raise _xlsx_limit_error(
                        _("มีเซลล์ที่มีข้อมูลเกิน %(limit)s เซลล์") % {"limit": f"{MAX_XLSX_CELLS:,}"}
                    )
                if any(len(text) > MAX_XLSX_CELL_CHARACTERS for text in texts):
                    raise _xlsx_limit_error(
                        _("มีเซลล์ที่ยาวเกิน %(limit)s ตัวอักษร")
                        % {"limit": f"{MAX_XLSX_CELL_CHARACTERS:,}"}
                    )
                table.append(texts)
                budget.check()
        finally:
            workbook.close()
    except RosterFileError:
        raise
    except _OverBudget:
        raise _xlsx_limit_error(
            _("ใช้เวลาอ่านเกิน %(seconds)s วินาที (ไฟล์ XLSX ใหญ่หรือซับซ้อนเกินไป)")
            % {"seconds": f"{budget.seconds:g}"}
        ) from None
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise RosterFileError(_("อ่านไฟล์ XLSX ไม่ได้ ไฟล์อาจเสียหาย")) from None
    return table


def _xlsx_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores 5 as 5.0 and a phone typed as a number as 812345678.0.
        return str(int(value))
    return str(value)


def _header_key(cell: str) -> str:
    text = clean_text(cell).lower()
    return re.sub(r"[\s\-]+", "_", text)


def _rows_from_table(
    table: list[list[str]],
    kind: str,
    encoding: str,
    delimiter: str,
    columns: tuple[str, ...],
    allow_extra: bool,
) -> ParsedRoster:
    # The header is the first row with anything in it.
    header_index = next((i for i, row in enumerate(table) if any(c.strip() for c in row)), None)
    if header_index is None:
        raise RosterFileError(_("ไฟล์ว่างเปล่า ไม่มีข้อมูล"))
    header = list(table[header_index])
    while header and not header[-1].strip():
        header.pop()
    mapped = [_HEADER_LOOKUP.get(_header_key(cell)) for cell in header]
    expected = ", ".join(columns)
    if not any(mapped):
        raise RosterFileError(
            _("ไม่พบแถวหัวตาราง แถวแรกของไฟล์ต้องเป็นชื่อคอลัมน์: %(columns)s") % {"columns": expected}
        )
    repeated = sorted({c for c in mapped if c and mapped.count(c) > 1})
    if repeated:
        raise RosterFileError(_("หัวตารางมีคอลัมน์ซ้ำ: %(columns)s") % {"columns": ", ".join(repeated)})
    unknown = [
        cell.strip() or _("(ว่าง)")
        for cell, column in zip(header, mapped, strict=True)
        if not column
    ]
    known_elsewhere = [c for c in mapped if c and c not in columns]
    missing = [c for c in columns if c not in mapped]
    problems = []
    if missing:
        problems.append(_("ขาดคอลัมน์: %(columns)s") % {"columns": ", ".join(missing)})
    if (unknown or known_elsewhere) and not allow_extra:
        problems.append(
            _("มีคอลัมน์ที่ไม่รู้จัก: %(columns)s") % {"columns": ", ".join(unknown + known_elsewhere)}
        )
    if problems:
        raise RosterFileError(
            " ".join(problems) + " " + _("คอลัมน์ที่ต้องมี: %(columns)s") % {"columns": expected}
        )

    width = len(header)
    rows: list[RawRow] = []
    for index in range(header_index + 1, len(table)):
        cells = table[index]
        if not any(cell.strip() for cell in cells):
            continue
        if kind == "XLSX" and len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        values = {
            column: (cells[i] if i < len(cells) else "")
            for i, column in enumerate(mapped)
            if column in columns
        }
        rows.append(
            RawRow(
                line=index + 1,
                values=values,
                extra_cells=sum(1 for cell in cells[width:] if cell.strip()),
                missing_cells=max(0, width - len(cells)),
            )
        )
        if len(rows) > max_rows():
            raise RosterFileError(
                _("ไฟล์มีรายชื่อเกิน %(limit)s แถว กรุณาแบ่งเป็นหลายไฟล์") % {"limit": f"{max_rows():,}"}
            )
    if not rows:
        raise RosterFileError(_("ไฟล์มีแต่หัวตาราง ไม่มีรายชื่อ"))
    return ParsedRoster(
        file_kind=kind,
        encoding=encoding,
        delimiter=delimiter,
        columns=[c for c in mapped if c],
        rows=rows,
    )
