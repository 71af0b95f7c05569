"""Uploads are checked for type and size, and documents are served so that
none can run as a page.

A trainer adds images and documents through Wagtail's upload screens (the
libraries' uploader, and the choosers' upload tab that the certificate
settings' logo and signature fields open): a file whose name or content is
not an allowed image, an image too big in bytes or in pixels, an SVG, and a
document of a refused extension or too big are refused with Wagtail's Thai
message, and nothing is stored. Roster files are checked by their own form
(tests/test_roster_import.py); roster spreadsheets built to cost far more to
read than they weigh are refused within hard limits here.
"""

from __future__ import annotations

import gc
import io
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, UploadedFile

from npv_site.cohorts.models import RosterImport
from npv_site.cohorts.roster import RosterFileError, read_roster, reading
from tests import hostile_xlsx
from tests.factories import TrainingCohortFactory, UserFactory

pytestmark = pytest.mark.django_db

# The start of a Windows program: what an .exe renamed to .png begins with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

IMAGE_UPLOADS = ["/admin/images/multiple/add/", "/admin/images/chooser/create/"]
DOCUMENT_UPLOADS = ["/admin/documents/multiple/add/", "/admin/documents/chooser/create/"]


@pytest.fixture
def trainer():
    user = UserFactory(username="trainer-upload")
    user.groups.add(Group.objects.get(name="Trainers"))
    client = Client()
    client.force_login(user)
    return client


def png(size=(2, 2)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file that declares a huge picture (a decompression bomb's
    calling card): the header is all a size check needs to read."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b""))


def upload(client: Client, url: str, name: str, content: bytes):
    """Post one file as the admin's uploader or chooser does."""
    file = SimpleUploadedFile(name, content)
    if "/multiple/" in url:
        return client.post(url, {"files[]": file})
    prefix = "image" if "/images/" in url else "document"
    fields = {"title": name, "file": file, "collection": Collection.get_first_root_node().pk}
    return client.post(
        url, {f"{prefix}-chooser-upload-{key}": value for key, value in fields.items()}
    )


def message_of(response) -> str:
    """The error the trainer sees: the uploader's JSON or the chooser's form."""
    body = response.json()
    if "error_message" in body:
        return body["error_message"]
    assert body.get("step") == "reshow_creation_form", body
    return body["htmlFragment"]


def stored_files() -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


def assert_nothing_stored() -> None:
    assert not Image.objects.exists()
    assert not Document.objects.exists()
    assert not UploadedFile.objects.exists()
    assert stored_files() == []


# -- images --------------------------------------------------------------------


NOT_AN_IMAGE = "ไฟล์ที่อัพโหลดไปไม่ใช่รูป หรือรูปเสียหาย"  # Django's Thai
NOT_ALLOWED = "ไม่รองรับรูปแบบไฟล์รูปภาพนี้"  # Wagtail's, completed in site/locale_admin


@pytest.mark.parametrize("url", IMAGE_UPLOADS)
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("router.png", EXE, NOT_AN_IMAGE, id="program-renamed-png"),
        pytest.param("router.png", HTML, NOT_AN_IMAGE, id="html-renamed-png"),
        pytest.param("logo.svg", SVG, NOT_ALLOWED, id="svg-with-script"),
        pytest.param("page.html", png(), NOT_ALLOWED, id="png-renamed-html"),
        pytest.param("setup.exe", png(), NOT_ALLOWED, id="png-renamed-exe"),
        pytest.param("logo.svg", png(), NOT_ALLOWED, id="png-renamed-svg"),
        pytest.param(
            "router.jpg", png(), "นามสกุลไฟล์ไม่ตรงกับรูปแบบไฟล์ (png)", id="png-named-jpg"
        ),
    ],
)
def test_a_file_that_is_not_an_allowed_image_is_refused(trainer, url, name, content, message):
    response = upload(trainer, url, name, content)
    assert response.status_code == 200
    assert message in message_of(response)
    assert_nothing_stored()


def test_svg_is_not_an_allowed_image_type():
    # An SVG can carry script; the libraries take raster formats only.
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    assert set(settings.WAGTAILIMAGES_EXTENSIONS) == {"gif", "jpg", "jpeg", "png", "webp"}


@pytest.mark.parametrize("url", IMAGE_UPLOADS)
def test_an_image_over_the_size_limit_is_refused(trainer, url):
    limit = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    assert limit == 5 * 1024 * 1024
    # A real PNG, padded past the limit (readers ignore what follows IEND).
    oversized = png() + b"\x00" * limit
    response = upload(trainer, url, "big.png", oversized)
    assert "ไฟล์นี้ใหญ่เกินไป" in message_of(response)
    assert "5.0\xa0MB" in message_of(response) or "5.0 MB" in message_of(response)
    assert_nothing_stored()


@pytest.mark.parametrize("url", IMAGE_UPLOADS)
def test_an_image_of_too_many_pixels_is_refused(trainer, url):
    response = upload(trainer, url, "bomb.png", png_header_only(20_000, 20_000))
    assert "ไฟล์นี้มีจำนวนพิกเซลมากเกินไป" in message_of(response)
    assert_nothing_stored()


@pytest.mark.parametrize("url", IMAGE_UPLOADS)
def test_a_real_image_is_accepted(trainer, url):
    """The refusals above are the checks', not the upload's."""
    response = upload(trainer, url, "router.png", png())
    assert response.status_code == 200
    assert Image.objects.count() == 1
    assert len(stored_files()) >= 1


# -- documents -----------------------------------------------------------------


@pytest.mark.parametrize("url", DOCUMENT_UPLOADS)
@pytest.mark.parametrize(
    "name", ["page.html", "page.htm", "setup.exe", "logo.svg", "macro.xlsm", "script.js"]
)
def test_a_document_of_a_refused_extension_is_refused(trainer, url, name):
    response = upload(trainer, url, name, HTML)
    assert response.status_code == 200
    extension = name.rsplit(".", 1)[1]
    assert f"ไม่อนุญาตไฟล์นามสกุล “{extension}”" in message_of(response)
    assert_nothing_stored()


@pytest.mark.parametrize("url", DOCUMENT_UPLOADS)
def test_a_document_over_the_size_limit_is_refused(trainer, url):
    limit = settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    assert limit == 10 * 1024 * 1024
    response = upload(trainer, url, "manual.pdf", b"%PDF-1.4\n" + b"0" * limit)
    assert "ไฟล์นี้ใหญ่เกินไป" in message_of(response)
    assert_nothing_stored()


@pytest.mark.parametrize("url", DOCUMENT_UPLOADS)
def test_a_document_of_an_allowed_extension_is_accepted(trainer, url):
    response = upload(trainer, url, "manual.pdf", b"%PDF-1.4\n%%EOF\n")
    assert response.status_code == 200
    assert Document.objects.count() == 1


# -- serving documents ---------------------------------------------------------


def served(name: str, content: bytes):
    document = Document.objects.create(title=name, file=ContentFile(content, name))
    return Client().get(document.url)


@pytest.mark.parametrize(
    ("name", "content_type", "disposition"),
    [
        ("notes.txt", "text/plain", "attachment"),
        ("manual.pdf", "application/pdf", "inline"),
        ("villages.csv", "text/csv", "attachment"),
        ("sheet.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "attachment"),
    ],
)
def test_a_document_holding_html_is_served_so_that_it_cannot_run(name, content_type, disposition):
    """An allowed extension says nothing about the content: HTML uploaded as
    notes.txt must still reach the browser as what its name says, never
    sniffed into a page, and with nothing allowed to run if it were."""
    response = served(name, HTML)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Content-Disposition"].startswith(disposition)


class ObjectStorage(Storage):
    """Like an S3 bucket: files have a URL but no local path."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def _save(self, name, content):
        self.files[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.files[name], name)

    def exists(self, name):
        return name in self.files

    def size(self, name):
        return len(self.files[name])

    def delete(self, name):
        self.files.pop(name, None)

    def url(self, name):
        return f"https://bucket.example.th/{name}"


def test_documents_go_through_django_even_from_object_storage(settings):
    """With object storage (a file with a URL but no local path) Wagtail
    would by default redirect to the bucket, which sends neither the headers
    above nor checks a collection's privacy: the project serves documents
    through Django whatever the storage."""
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.test_uploads.ObjectStorage"},
    }
    response = served("notes.txt", HTML)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert b"".join(response.streaming_content) == HTML


# -- roster spreadsheets that cost more than they weigh --------------------------
# (tests/hostile_xlsx.py builds them; benchmarks/hostile_upload.py measures them)

LIMIT = "ไฟล์ XLSX นี้เกินขีดจำกัด"
REFUSED_XLSX = {
    "a million empty rows": (hostile_xlsx.million_empty_rows, "มีแถวเกิน 31,001 แถว"),
    "one cell in row 1,048,576": (hostile_xlsx.last_cell_far_below, "มีแถวเกิน 31,001 แถว"),
    "rows 16,384 cells wide": (hostile_xlsx.very_wide_rows, "มีคอลัมน์เกิน 50 คอลัมน์"),
    "a shared string in 300,000 cells": (
        hostile_xlsx.expanding_shared_string, "มีเซลล์ที่ยาวเกิน 1,000 ตัวอักษร"
    ),
    "1,000,000 shared strings": (hostile_xlsx.many_shared_strings, "ใช้เวลาอ่านเกิน 1 วินาที"),
}


def read_timed(content: bytes):
    """read_roster's outcome and the processor time it took. The heap the test
    process has built up by then (thousands of tests in one process) is frozen
    first: otherwise a full garbage collection triggered by the reader's million
    strings walks all of it, and that time, the test run's and not the reader's,
    is counted against the budget (once 1.57 s late in the suite, 1.0 s alone)."""
    gc.collect()
    gc.freeze()
    try:
        started = time.thread_time()
        try:
            outcome = read_roster(content, "roster.xlsx")
        except RosterFileError as error:
            outcome = error
        return outcome, time.thread_time() - started
    finally:
        gc.unfreeze()


def read_memory_peak(content: bytes) -> int:
    """The most memory read_roster held at once (tracemalloc, which also
    slows it down, so the time budget may be what refuses the file here)."""
    tracemalloc.start()
    try:
        read_roster(content, "roster.xlsx")
    except RosterFileError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_roster_declaring_the_whole_sheet_is_read_as_the_one_row_it_has():
    content = hostile_xlsx.declared_everything()
    assert len(content) < 10_000
    parsed, seconds = read_timed(content)
    assert [row.values["first_name"] for row in parsed.rows] == ["นฤมล"]
    assert seconds < 0.5 and read_memory_peak(content) < 10 * 1024 * 1024


@pytest.mark.parametrize("case", REFUSED_XLSX, ids=list(REFUSED_XLSX))
def test_a_hostile_spreadsheet_is_refused_within_a_second_and_100_mb(case):
    # On a busy machine the processor-time budget may be what refuses the
    # file first; either way it is refused, quickly, naming a limit.
    make, _ = REFUSED_XLSX[case]
    content = make()
    error, seconds = read_timed(content)
    assert isinstance(error, RosterFileError)
    assert LIMIT in str(error)
    assert seconds < 1.5  # the budget is one second of processor time
    assert read_memory_peak(content) < 100 * 1024 * 1024


@pytest.mark.parametrize(
    "case",
    [case for case, (_, message) in REFUSED_XLSX.items() if "วินาที" not in message],
)
def test_a_hostile_spreadsheet_names_the_limit_it_breaks(case, settings):
    # A generous time budget, so that the limit named is the structural one
    # the file breaks, not the clock of a machine busy with other work.
    settings.ROSTER_XLSX_MAX_SECONDS = 30
    make, message = REFUSED_XLSX[case]
    error, _ = read_timed(make())
    assert isinstance(error, RosterFileError)
    assert LIMIT in str(error) and message in str(error)


def test_a_spreadsheet_that_unpacks_past_200_mb_is_still_refused_before_reading():
    error, seconds = read_timed(hostile_xlsx.enormous_unpacked())
    assert "ไฟล์ XLSX นี้มีข้อมูลมากเกินไป" in str(error)
    assert seconds < 0.1


def test_the_cell_limit_counts_cells_with_something_in_them(monkeypatch):
    monkeypatch.setattr(reading, "MAX_XLSX_CELLS", 15)
    content = hostile_xlsx.workbook_with({
        hostile_xlsx.SHEET: lambda: hostile_xlsx.sheet_xml(hostile_xlsx.roster_rows_xml(1))
    })
    error, _ = read_timed(content)
    assert "มีเซลล์ที่มีข้อมูลเกิน 15 เซลล์" in str(error)


def test_the_time_budget_is_a_setting(settings):
    settings.ROSTER_XLSX_MAX_SECONDS = 0
    error, _ = read_timed(hostile_xlsx.declared_everything())
    assert "ใช้เวลาอ่านเกิน 0 วินาที" in str(error)


def test_uploading_a_hostile_spreadsheet_shows_the_limit_and_stores_nothing(settings):
    # The column limit is what this checks: a machine busy with other work must not
    # reach the processor-time limit first (that one has its own test above).
    settings.ROSTER_XLSX_MAX_SECONDS = 30
    user = UserFactory(username="trainer-roster")
    user.groups.add(Group.objects.get(name="Trainers"))
    cohort = TrainingCohortFactory(trainers=[user], provinces=["ชุมพร"])
    client = Client()
    client.force_login(user)
    upload = SimpleUploadedFile("roster.xlsx", hostile_xlsx.very_wide_rows())
    response = client.post(f"/admin/cohorts/{cohort.pk}/import/", {"file": upload})
    assert response.status_code == 200
    assert "มีคอลัมน์เกิน 50 คอลัมน์" in response.content.decode()
    assert not RosterImport.objects.exists()
