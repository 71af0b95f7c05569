"""The certificate PDF: Thai set right, metadata, fonts, QR code, the look."""

import io
import os
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image, ImageChops, ImageStat

from certificates import lifecycle, tasks
from certificates.assets import RENDER_ORIGIN
from certificates.models import Certificate
from certificates.rendering import pdf_to_png, render_pdf
from certificates.thai_text import thai_words
from tests.certificates_support import (
    THAI_NAMES,
    completed_enrolment,
    load_demo_design,
    pdf_text,
    require_poppler,
)

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).parent / "data" / "certificate_reference.png"
REFERENCE_DPI = 40
FIXED_CODE = "7KQ4M2XD9H3BTWZE"
LEADING_VOWELS = "เแโใไ"
FOLLOWING_VOWELS = "ะาำๅ"


COURSE_TITLE = "การดูแลอินเทอร์เน็ตหมู่บ้านสำหรับเน็ตอาสาประชารัฐ"


def issue(**profile):
    user, course = completed_enrolment(**profile)
    # Fixed text, whatever the factories' sequences have reached.
    course.title = COURSE_TITLE
    course.save()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    Certificate.objects.filter(pk=certificate.pk).update(code=FIXED_CODE)
    certificate.refresh_from_db()
    return certificate


def pdf_of(certificate) -> bytes:
    return render_pdf(lifecycle.content_for(certificate.current_version))


def pdf_reader(pdf: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(pdf))


def embedded_fonts(pdf: bytes) -> dict:
    """BaseFont name → the characters the embedded font can draw: its own
    cmap, plus what its glyphs stand for in the PDF's ToUnicode CMap (a
    ligature such as ฤๅ is one glyph that the subset's cmap no longer lists)."""
    import re

    from fontTools.ttLib import TTFont

    fonts = {}
    for font in pdf_reader(pdf).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        data = descriptor["/FontFile2"].get_object().get_data()
        chars = {chr(code) for code in TTFont(io.BytesIO(data)).getBestCmap()}
        to_unicode = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        for hex_string in re.findall(r"<([0-9A-Fa-f]{4,})>\s*$", to_unicode, re.MULTILINE):
            text = bytes.fromhex(hex_string).decode("utf-16-be", errors="ignore")
            chars.update(text)
        fonts[str(font["/BaseFont"])] = chars
    return fonts


def text_lines(certificate_content, css_class: str) -> list[str]:
    """The lines WeasyPrint laid out for the paragraph of `css_class`."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    from certificates.rendering import _get_engine, certificate_html

    engine = _get_engine()
    document = engine.weasyprint.HTML(
        string=certificate_html(certificate_content),
        base_url=RENDER_ORIGIN + "/",
        url_fetcher=engine.fetcher,
    ).render(stylesheets=[engine.stylesheet], font_config=engine.font_config)

    def walk(box):
        # Absolutely positioned boxes sit behind placeholders.
        box = getattr(box, "_box", box)
        yield box
        for child in getattr(box, "children", ()):
            yield from walk(child)

    paragraph = next(
        box
        for box in walk(document.pages[0]._page_box)
        if getattr(box, "element_tag", None) == "p"
        and css_class in (box.element.get("class") or "").split()
        and not isinstance(box, LineBox | TextBox)
    )
    lines = []
    for line in paragraph.children:
        if isinstance(line, LineBox):
            lines.append("".join(box.text for box in walk(line) if isinstance(box, TextBox)))
    return lines


def test_pdf_metadata_holds_the_exact_thai_name_course_and_number():
    certificate = issue(
        title="นาง", first_name="น้ำทิพย์", last_name="ฤๅษีญี่ปุ่น", name_en="Namthip Ruesi"
    )
    reader = pdf_reader(pdf_of(certificate))
    meta = reader.metadata
    name = "นางน้ำทิพย์ ฤๅษีญี่ปุ่น"
    assert meta.title == f"เกียรติบัตร {name} {certificate.number}"
    assert meta.author == "โครงการเน็ตอาสาประชารัฐ"
    assert name in meta.subject and "Namthip Ruesi" in meta.subject
    assert certificate.current_version.course_title in meta.subject
    assert "ให้ไว้ ณ วันที่ 28 มกราคม พ.ศ. 2562" in meta.subject
    assert certificate.number in meta.subject and "7KQ4-M2XD-9H3B-TWZE" in meta.subject
    assert name in reader.metadata["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "th"


def test_pdf_text_has_the_number_code_and_english_name():
    certificate = issue(name_en="Somying Rakthin")
    text = pdf_text(pdf_of(certificate))
    # Extracting Thai from a PDF is lossy; digits and Latin are not.
    assert "NPV-2562-000001" in text
    assert "7KQ4-M2XD-9H3B-TWZE" in text
    assert "Somying Rakthin" in text
    assert "2562" in text


def test_pdf_is_one_a4_landscape_page_in_pdf_a_2a_and_small():
    load_demo_design()
    certificate = issue()
    pdf = pdf_of(certificate)
    reader = pdf_reader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="2"' in xmp and b'pdfaid:conformance="A"' in xmp
    assert reader.trailer["/Root"]["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    assert len(pdf) < 100 * 1024


@pytest.mark.parametrize(("title", "first", "last"), THAI_NAMES)
def test_every_character_of_the_printed_name_is_in_the_embedded_font(title, first, last):
    certificate = issue(title=title, first_name=first, last_name=last, name_en="Mixed Latin Name")
    fonts = embedded_fonts(pdf_of(certificate))
    # Only the Sarabun NPV shipped with the site: nothing from the machine's fonts.
    assert {name.split("+", 1)[1] for name in fonts} == {"Sarabun-NPV", "Sarabun-NPV-Bold"}
    drawable = next(chars for name, chars in fonts.items() if name.endswith("Sarabun-NPV-Bold"))
    name = certificate.current_version.holder_name
    for char in name.replace(" ", ""):
        # SARA AM may be drawn as NIKHAHIT + SARA AA (its compatibility decomposition).
        assert char in drawable or all(
            part in drawable for part in unicodedata.normalize("NFKD", char)
        ), f"{char!r} (U+{ord(char):04X}) of {name} is not in the embedded font"


def _assert_wraps_at_thai_word_boundaries(lines: list[str], name: str):
    assert "".join(lines).replace("\u200b", "").replace(" ", "") == name.replace(" ", "")
    boundaries = set()
    position = 0
    for part in name.split():
        for word in thai_words(part):
            position += len(word)
            boundaries.add(position)
    position = 0
    for line in lines[:-1]:
        position += len(line.replace("\u200b", "").replace(" ", ""))
        assert position in boundaries, f"line ends inside a word: {line!r}"
        assert line.rstrip()[-1] not in LEADING_VOWELS
    for line in lines[1:]:
        first = line.lstrip("\u200b ")[0]
        assert unicodedata.category(first) != "Mn" and first not in FOLLOWING_VOWELS


@pytest.mark.parametrize(
    ("title", "first", "last"),
    [
        *THAI_NAMES,
        ("นาย", "ปี่", "ศรีสุวรรณวิเศษกุลเจริญยิ่งใหญ่มหาศาลประชาธิปไตยรุ่งเรืองวัฒนากุลมหาสารคามบุรีรัมย์"),
    ],
)
def test_long_names_wrap_at_thai_word_boundaries_never_inside_a_cluster(title, first, last):
    certificate = issue(title=title, first_name=first, last_name=last)
    name = certificate.current_version.holder_name
    lines = text_lines(lifecycle.content_for(certificate.current_version), "holder")
    _assert_wraps_at_thai_word_boundaries(lines, name)
    assert len(pdf_reader(pdf_of(certificate)).pages) == 1


def test_name_too_long_for_one_line_breaks_between_first_name_and_surname():
    certificate = issue(
        title="นางสาว", first_name="กาญจนาภรณ์พิมพ์ประภาวรรณ", last_name="ศรีสุวรรณวิเศษกุลเจริญยิ่งใหญ่"
    )
    lines = text_lines(lifecycle.content_for(certificate.current_version), "holder")
    assert [line.strip() for line in lines] == [
        "นางสาวกาญจนาภรณ์พิมพ์ประภาวรรณ",
        "ศรีสุวรรณวิเศษกุลเจริญยิ่งใหญ่",
    ]


def test_short_name_stays_on_one_line():
    certificate = issue(title="นาย", first_name="ปี่", last_name="น้ำใส")
    lines = text_lines(lifecycle.content_for(certificate.current_version), "holder")
    assert [line.strip() for line in lines] == ["นายปี่ น้ำใส"]


def test_qr_code_decodes_to_the_absolute_verification_url():
    import zxingcpp

    require_poppler()
    certificate = issue()
    png = pdf_to_png(pdf_of(certificate), dpi=150)
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    urls = [result.text for result in results]
    assert urls == [f"{settings.WAGTAILADMIN_BASE_URL}/certificates/verify/7KQ4-M2XD-9H3B-TWZE/"]


def test_rendered_certificate_looks_like_the_reference_image():
    """Compared with tests/data/certificate_reference.png. After an intended
    change of the design, regenerate it with REGENERATE_CERTIFICATE_REFERENCE=1
    and look at it before committing."""
    require_poppler()
    load_demo_design()
    certificate = issue(
        title="นางสาว", first_name="กาญจนาภรณ์", last_name="ศรีสุวรรณ", name_en="Kanchanaporn Srisuwan"
    )
    png = pdf_to_png(pdf_of(certificate), dpi=REFERENCE_DPI)
    if os.environ.get("REGENERATE_CERTIFICATE_REFERENCE") == "1":
        REFERENCE.parent.mkdir(parents=True, exist_ok=True)
        REFERENCE.write_bytes(png)
    rendered = Image.open(io.BytesIO(png)).convert("RGB")
    reference = Image.open(REFERENCE).convert("RGB")
    assert rendered.size == reference.size
    difference = ImageChops.difference(rendered, reference).convert("L")
    mean = ImageStat.Stat(difference).mean[0]
    changed = sum(difference.point(lambda v: 255 if v > 64 else 0).histogram()[255:]) / (
        rendered.width * rendered.height
    )
    assert mean < 1.5 and changed < 0.004, (
        f"mean difference {mean:.2f}, {changed:.2%} pixels changed"
    )


def test_a_different_name_does_not_match_the_reference_image():
    """The comparison can fail: another name changes enough pixels."""
    require_poppler()
    load_demo_design()
    certificate = issue(
        title="นาย", first_name="ปิยะพงษ์", last_name="ทองประเสริฐ", name_en="Piyapong Thongprasert"
    )
    rendered = Image.open(io.BytesIO(pdf_to_png(pdf_of(certificate), dpi=REFERENCE_DPI))).convert(
        "RGB"
    )
    difference = ImageChops.difference(rendered, Image.open(REFERENCE).convert("RGB")).convert("L")
    changed = sum(difference.point(lambda v: 255 if v > 64 else 0).histogram()[255:]) / (
        rendered.width * rendered.height
    )
    assert changed > 0.004


def test_the_worker_renders_into_the_certificates_storage(settings, client):
    """Object storage works: the PDF and image copies go through the storage API."""
    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    load_demo_design()
    user, course = completed_enrolment()
    tasks.issue_certificate.run(user.pk, course.pk)
    certificate = Certificate.objects.get()
    assert not (Path(settings.MEDIA_ROOT) / "certificates").exists()
    client.force_login(user)
    response = client.get(f"/certificates/download/{certificate.display_code}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://example.org/font.ttf",
        "file:///etc/passwd",
        "ftp://example.org/x.css",
        f"{RENDER_ORIGIN}/static/../../../../etc/passwd",
        f"{RENDER_ORIGIN}/static/%2e%2e/%2e%2e/etc/passwd",
        f"{RENDER_ORIGIN}/media/secret.pdf",
        f"{RENDER_ORIGIN}/files/..%2fsettings.py",
    ],
)
def test_the_fetcher_refuses_everything_outside_static_and_certificate_files(url):
    from certificates.fetcher import DjangoURLFetcher

    with pytest.raises(ValueError):
        DjangoURLFetcher().fetch(url)


def test_the_fetcher_reads_static_files_through_django():
    from certificates.fetcher import DjangoURLFetcher

    response = DjangoURLFetcher().fetch(f"{RENDER_ORIGIN}/static/certificates/logo.svg")
    assert response.content_type == "image/svg+xml"
    assert b"<svg" in response.read()


def test_a_refused_image_in_the_html_is_left_out_not_fetched(caplog):
    from certificates.rendering import _get_engine

    require_poppler()
    engine = _get_engine()
    html = '<html lang="th"><body><p>ทดสอบ</p><img src="file:///etc/hostname"><img src="http://127.0.0.1:9/x.png"></body></html>'
    pdf = engine.weasyprint.HTML(
        string=html, base_url=RENDER_ORIGIN + "/", url_fetcher=engine.fetcher
    ).write_pdf(stylesheets=[engine.stylesheet], font_config=engine.font_config)
    assert pdf.startswith(b"%PDF")
    refused = [r.getMessage() for r in caplog.records if r.name == "certificates.fetcher"]
    assert refused == [
        "Certificate rendering refused file:///etc/hostname",
        "Certificate rendering refused http://127.0.0.1:9/x.png",
    ]


def test_many_renders_in_one_worker_process_keep_working(monkeypatch):
    """The per-process image cache is emptied between renders, never during one."""
    from certificates import rendering

    load_demo_design()
    monkeypatch.setattr(rendering, "IMAGE_CACHE_LIMIT", 1)
    for first_name in ("สมชาย", "สมหญิง", "สมศรี"):
        user, course = completed_enrolment(first_name=first_name)
        certificate = lifecycle.issue_certificate(user.pk, course.pk)
        assert pdf_of(certificate).startswith(b"%PDF")


# Names that put SARA AM (with each tone mark and none, after short, tall
# and descending consonants), SARA AA, stacked vowels with tone marks and the
# other vowels in one certificate, in both orders: which of two words is drawn
# first decides what a glyph reads as when a font gives one glyph two texts.
MIXED_NAMES = [
    ("นาย", "น้ำค้าง", "สำราญ"),
    ("นาง", "สำราญ", "น้ำค้าง"),
    ("นางสาว", "ปู่ญี่ปุ่น", "ค่ำก๋ำต๊ำน้ำใส"),
    ("นาย", "ฝ้ำป่ำฟ๊ำทิ้งถึ่ง", "พื้นปิ่นแก้วโพธิ์"),
    ("นาง", "เกื้อไหล่ฤๅ", "ผู้กุ้งปั้นน้ำทวีศักดิ์"),
]
PLACES = [
    {"village_name": "บ้านน้ำใส", "subdistrict": "ปี่ทอง", "district": "เมืองน่าน", "province": "น่าน"},
    {"village_name": "บ้านหมู่ที่ดี", "subdistrict": "น้ำพุ", "district": "ศรีสำโรง", "province": "สุโขทัย"},
]


def mixed_certificate(index: int):
    load_demo_design()
    title, first, last = MIXED_NAMES[index]
    return issue(
        title=title, first_name=first, last_name=last, name_en="Namkhang Samran",
        village_no=7, **PLACES[index % len(PLACES)],
    )


def printed_texts(content) -> list[str]:
    """Every text on the certificate, in reading order, as it is printed."""
    from certificates.rendering import certificate_html

    texts = [
        content.issuer_name, content.issuer_detail, content.title, content.statement,
        content.holder_name, content.holder_name_en, content.place, content.completion_text,
        content.course_title, content.closing_text, content.date_line,
        *(text for s in content.signatories for text in (f"({s.name})", s.position)),
        f"เลขที่ {content.number}", "ตรวจสอบเกียรติบัตร", content.code,
        content.verification_url.split("://", 1)[-1],
    ]
    html = certificate_html(content)
    assert all(unicodedata.normalize("NFC", t) in html for t in texts if t)
    return [unicodedata.normalize("NFC", " ".join(t.split())) for t in texts if t]


@pytest.mark.parametrize("index", range(len(MIXED_NAMES)))
def test_pdftotext_reads_every_text_of_the_certificate_as_printed(index):
    certificate = mixed_certificate(index)
    content = lifecycle.content_for(certificate.current_version)
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=pdf_of(certificate), capture_output=True, check=True,
    )
    # -raw: the text in the order it is drawn, which is the reading order, one
    # line of the page a line. (The default, physical, layout moves a tone
    # mark or a vowel drawn past its consonant's edge onto a line of its own,
    # whatever a font maps it to.) pdftotext also guesses a word space where
    # a mark shifted left leaves a gap: lines are compared without spaces.
    lines = [
        unicodedata.normalize("NFC", "".join(line.split()))
        for line in result.stdout.decode("utf-8").splitlines()
        if line.strip()
    ]
    assert lines == ["".join(text.split()) for text in printed_texts(content)]


@pytest.mark.parametrize("index", range(len(MIXED_NAMES)))
def test_pypdf_reads_every_text_of_the_certificate_as_printed(index):
    certificate = mixed_certificate(index)
    content = lifecycle.content_for(certificate.current_version)
    text = pdf_reader(pdf_of(certificate)).pages[0].extract_text()
    # pypdf puts a space before a raised mark whatever the font: whitespace
    # is left out of the comparison.
    expected = "".join("".join(printed_texts(content)).split())
    assert unicodedata.normalize("NFC", "".join(text.split())) == expected


def drawn_glyphs(pdf: bytes) -> list[tuple[str, int, str]]:
    """(BaseFont, glyph id, its text in the ToUnicode map) of every glyph the
    page draws, in order; text None when the map has no entry."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf))
    page = document.pages[0]
    maps = {}
    for key, font in page.Resources.Font.items():
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        maps[key] = (
            str(font.BaseFont),
            {
                int(glyph, 16): bytes.fromhex(text).decode("utf-16-be")
                for glyph, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]*)>", cmap)
            },
        )
    glyphs, current = [], None
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "Tf":
            current = str(operands[0])
        elif str(operator) in ("Tj", "TJ"):
            items = operands[0] if str(operator) == "TJ" else operands
            for item in items:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    for i in range(0, len(data), 2):
                        glyph = int.from_bytes(data[i : i + 2], "big")
                        name, mapping = maps[current]
                        glyphs.append((name, glyph, mapping.get(glyph)))
    return glyphs


@pytest.mark.parametrize("index", range(len(MIXED_NAMES)))
def test_every_glyph_drawn_maps_to_its_text(index):
    from fontTools.ttLib import TTFont

    from certificates import fonts

    names = {
        weight: TTFont(fonts.STATIC_FOLDER / path).getGlyphOrder()
        for weight, path in fonts.FONT_FILES.items()
    }
    glyphs = drawn_glyphs(pdf_of(mixed_certificate(index)))
    texts = {}
    for position, (font, glyph, text) in enumerate(glyphs):
        glyph_names = names["bold" if font.endswith("-Bold") else "regular"]
        name = glyph_names[glyph]
        texts[name] = text
        if name in ("uni0E4D.saraam", "uni0E4D.narrow.saraam"):
            # ำ is one character drawn as two glyphs: the NIKHAHIT stands for
            # nothing, the SARA AA after it for the whole ำ.
            assert glyph_names[glyphs[position + 1][1]] == "uni0E32.saraam"
            assert text == ""
        else:
            assert text and text != "\uffff", f"{name} (glyph {glyph}) reads {text!r}"
    assert texts["uni0E32.saraam"] == "ำ" and texts["uni0E32"] == "า"
    tones = {name: text for name, text in texts.items() if name.startswith("uni0E4D0E4")}
    assert tones, "no SARA AM with a tone mark drawn"
    assert all(text == fonts.GLYPH_TEXT.get(name, "?") for name, text in tones.items())


def marked_texts(pdf: bytes) -> dict[int, str]:
    """The text drawn in each marked-content sequence of the page, by MCID."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf))
    page = document.pages[0]
    maps = {}
    for key, font in page.Resources.Font.items():
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        maps[key] = {
            int(glyph, 16): bytes.fromhex(text).decode("utf-16-be")
            for glyph, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]*)>", cmap)
        }
    texts, open_ids, current = {}, [], None
    for operands, operator in pikepdf.parse_content_stream(page):
        operator = str(operator)
        if operator == "BDC":
            properties = operands[1]
            open_ids.append(int(properties.MCID) if "/MCID" in properties else None)
        elif operator == "BMC":
            open_ids.append(None)
        elif operator == "EMC":
            open_ids.pop()
        elif operator == "Tf":
            current = str(operands[0])
        elif operator in ("Tj", "TJ") and open_ids and open_ids[-1] is not None:
            items = operands[0] if operator == "TJ" else operands
            for item in items:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    texts[open_ids[-1]] = texts.get(open_ids[-1], "") + "".join(
                        maps[current][int.from_bytes(data[i : i + 2], "big")]
                        for i in range(0, len(data), 2)
                    )
    return texts


def structure(pdf: bytes) -> list[tuple[str, list[int], str | None]]:
    """The structure tree, depth first: (type, its marked-content ids, Alt)."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf))
    elements = []

    def walk(element):
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        own = [int(kid) for kid in kids if isinstance(kid, int)]
        alt = str(element["/Alt"]) if "/Alt" in element else None
        elements.append((str(element.get("/S", "")), own, alt))
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid)

    walk(document.Root.StructTreeRoot)
    return elements


@pytest.mark.parametrize("index", [0, 3])
def test_tagged_pdf_reads_every_text_in_thai_in_reading_order(index, caplog):
    """What a screen reader follows: the structure tree, in the language th."""
    import pikepdf

    certificate = mixed_certificate(index)
    content = lifecycle.content_for(certificate.current_version)
    pdf = pdf_of(certificate)
    document = pikepdf.open(io.BytesIO(pdf))
    assert document.Root.MarkInfo.Marked is True
    assert str(document.Root.Lang) == "th"
    assert [str(kid.S) for kid in document.Root.StructTreeRoot.K] == ["/Document"]

    texts = marked_texts(pdf)
    in_order = [texts[mcid] for _, ids, _ in structure(pdf) for mcid in ids if mcid in texts]
    # Every marked text is in the tree, once.
    assert sorted(mcid for _, ids, _ in structure(pdf) for mcid in ids if mcid in texts) == sorted(
        texts
    )
    read = unicodedata.normalize("NFC", "".join("".join(in_order).split()))
    assert read == "".join("".join(printed_texts(content)).split())

    figures = [alt for kind, _, alt in structure(pdf) if kind == "/Figure"]
    assert len(figures) == 2 + len(content.signatories)  # logo, QR code, signatures
    assert figures[0] == f"ตราสัญลักษณ์ {content.issuer_name}"
    assert f"ลายมือชื่อ {content.signatories[0].name}" in figures
    assert "คิวอาร์โค้ดสำหรับตรวจสอบเกียรติบัตร" in figures
    assert not [r for r in caplog.records if r.name == "weasyprint" and r.levelname == "ERROR"]


def test_pdf_a_2a_markers_are_declared():
    import pikepdf

    load_demo_design()
    pdf = pikepdf.open(io.BytesIO(pdf_of(issue())))
    with pdf.open_metadata() as xmp:
        assert xmp["pdfaid:part"] == "2" and xmp["pdfaid:conformance"] == "A"
    assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    assert pdf.pdf_version >= "1.7"
    for font in pdf.pages[0].Resources.Font.values():
        descendant = font.DescendantFonts[0]
        assert "/FontFile2" in descendant.FontDescriptor and "/ToUnicode" in font
