"""Small XLSX files that cost far more to read than they weigh, generated
(never stored): used by tests/test_uploads.py and benchmarks/hostile_upload.py.

Each starts from a real one-row roster written by openpyxl and replaces its
sheet (and shared strings) with hostile XML, so that everything else about
the file is what Excel-compatible tools write.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator

import openpyxl

HEADER = ["title", "first_name", "last_name", "phone", "email", "province", "district",
          "subdistrict", "village_no", "village"]
ROW = ["นาง", "นฤมล", "ฤทธิ์เดช", "0626840796", "", "ชุมพร", "ละแม", "ละแม", "6", "บ้านหนองลำเจียก"]
SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def inline_cell(row: int, column: int, text: str) -> str:
    return f'<c r="{column_letter(column)}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def roster_rows_xml(rows: int = 1) -> str:
    """The header and `rows` copies of a volunteer, as sheet XML rows."""
    parts = []
    for number, values in enumerate([HEADER] + [ROW] * rows, start=1):
        cells = "".join(inline_cell(number, i, v) for i, v in enumerate(values, 1) if v)
        parts.append(f'<row r="{number}">{cells}</row>')
    return "".join(parts)


def sheet_xml(body: Iterator[str] | str, dimension: str = "A1:J2") -> Iterator[bytes]:
    yield (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/><sheetData>').encode()
    for part in [body] if isinstance(body, str) else body:
        yield part.encode()
    yield b"</sheetData></worksheet>"


def workbook_with(parts: dict[str, Callable[[], Iterator[bytes]]]) -> bytes:
    """A real roster workbook whose named parts are replaced by the chunks
    the callables produce (written as they come, so a part can be huge)."""
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    base = io.BytesIO()
    workbook.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        for info in source.infolist():
            if info.filename in parts:
                continue
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and SHARED_STRINGS in parts:
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
            if info.filename == "xl/_rels/workbook.xml.rels" and SHARED_STRINGS in parts:
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                    b"</Relationships>"))
            zipped.writestr(info, data)
        for name, produce in parts.items():
            with zipped.open(name, "w", force_zip64=True) as part:
                for chunk in produce():
                    part.write(chunk)
    return out.getvalue()


# -- the hostile files -----------------------------------------------------------


def declared_everything() -> bytes:
    """One volunteer, in a sheet that declares A1:XFD1048576 (the 1.7 KB
    upload that took 32 s and 3.6 GB): a real roster, to be read as one."""
    return workbook_with({SHEET: lambda: sheet_xml(roster_rows_xml(), "A1:XFD1048576")})


def million_empty_rows() -> bytes:
    def body():
        yield roster_rows_xml()
        for start in range(3, 1_000_001, 10_000):
            yield "".join(f'<row r="{n}"/>' for n in range(start, start + 10_000))

    return workbook_with({SHEET: lambda: sheet_xml(body(), "A1:J1000000")})


def last_cell_far_below() -> bytes:
    """The roster, then one cell in the sheet's last row: a million rows implied."""
    body = roster_rows_xml() + '<row r="1048576">' + inline_cell(1048576, 1, "x") + "</row>"
    return workbook_with({SHEET: lambda: sheet_xml(body)})


def very_wide_rows(rows: int = 20) -> bytes:
    """Every row filled across all 16,384 columns."""
    def body():
        yield roster_rows_xml(0)
        for number in range(2, rows + 2):
            cells = "".join(f'<c r="{column_letter(c)}{number}"><v>1</v></c>'
                            for c in range(1, 16_385))
            yield f'<row r="{number}">{cells}</row>'

    return workbook_with({SHEET: lambda: sheet_xml(body(), "A1:XFD21")})


def expanding_shared_string(length: int = 100_000, rows: int = 30_000) -> bytes:
    """One long shared string that every cell of 30,000 rows points at."""
    def strings():
        yield (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" '
               f'uniqueCount="1"><si><t>{"ก" * length}</t></si></sst>').encode()

    def body():
        yield roster_rows_xml(0)
        for number in range(2, rows + 2):
            cells = "".join(f'<c r="{column_letter(c)}{number}" t="s"><v>0</v></c>'
                            for c in range(1, 11))
            yield f'<row r="{number}">{cells}</row>'

    return workbook_with({SHEET: lambda: sheet_xml(body()), SHARED_STRINGS: strings})


def many_shared_strings(count: int = 1_000_000) -> bytes:
    """Millions of tiny shared strings, all read before the first row."""
    def strings():
        yield (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" '
               f'uniqueCount="{count}">').encode()
        for start in range(0, count, 100_000):
            yield "".join(f"<si><t>{n}</t></si>" for n in range(start, start + 100_000)).encode()
        yield b"</sst>"

    return workbook_with({SHEET: lambda: sheet_xml(roster_rows_xml()), SHARED_STRINGS: strings})


def enormous_unpacked(megabytes: int = 201) -> bytes:
    """A sheet that inflates to more than 200 MB of zeros."""
    def body():
        chunk = b"0" * (1024 * 1024)
        yield b"<worksheet>"
        for _ in range(megabytes):
            yield chunk

    return workbook_with({SHEET: body})


HOSTILE = {
    "declared A1:XFD1048576": declared_everything,
    "a million empty rows": million_empty_rows,
    "one cell in row 1,048,576": last_cell_far_below,
    "rows 16,384 cells wide": very_wide_rows,
    "a 100,000-character shared string in 300,000 cells": expanding_shared_string,
    "1,000,000 shared strings": many_shared_strings,
    "201 MB unpacked": enormous_unpacked,
}
