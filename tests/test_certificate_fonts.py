"""The prepared Sarabun NPV: made from upstream Sarabun, renamed, drawing as it."""

import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from certificates import fonts
from certificates.assets import RENDER_ORIGIN
from certificates.rendering import pdf_to_png
from tests.certificates_support import require_poppler

STATIC = fonts.STATIC_FOLDER
WEIGHTS = sorted(fonts.FONT_FILES)

# Every SARA AM context the copies serve (after a short, a tall and a
# descending consonant, with each tone mark), next to the same glyphs in
# other words, stacked vowels with tone marks, and the other vowels.
TEXTS = [
    "น้ำค้าง สำราญ ค่ำ ต๊ำ ก๋ำ ป่ำ ฝ้ำ ฟ๊ำ ป๋ำ ปำ ฎำ ญ้ำ",
    "สำราญ น้ำค้าง นางสาว บ้านน้ำใส อำเภอเมืองน่าน ตำบลปี่ทอง",
    "หมู่ที่ ศรีสุวรรณ ปู่ ญี่ปุ่น ผู้ กุ้ง ทิ้ง ถึ่ง พื้น ปิ่น ปื้น ฟื้น ฝั่ง",
    "เกื้อ แก้ว โพธิ์ ใจ ไหล่ ฤๅษี ฦๅ ทวีศักดิ์ ก็ ๆ ฯ สํ กํ่ ปั้นน้ำ",
    # ำ after every consonant: where its NIKHAHIT goes depends on the consonant.
    " ".join(chr(code) + "ำ" for code in range(0x0E01, 0x0E2F)),
    " ".join(chr(code) + "ำา" for code in range(0x0E01, 0x0E2F)),
]


def shipped(weight: str) -> bytes:
    return (STATIC / fonts.FONT_FILES[weight]).read_bytes()


def prepared(weight: str) -> TTFont:
    return TTFont(io.BytesIO(shipped(weight)))


@pytest.mark.parametrize("weight", WEIGHTS)
def test_shipped_fonts_are_what_the_build_makes_from_the_upstream_files(weight):
    built = io.BytesIO()
    fonts.prepare(STATIC / fonts.UPSTREAM_FILES[weight]).save(built)
    assert built.getvalue() == shipped(weight), "run manage.py build_certificate_fonts"


@pytest.mark.parametrize("weight", WEIGHTS)
def test_prepared_fonts_have_a_name_of_their_own_and_keep_the_licence(weight):
    names = prepared(weight)["name"]
    upstream = TTFont(STATIC / fonts.UPSTREAM_FILES[weight])["name"]
    style = upstream.getDebugName(2)
    assert names.getDebugName(1) == "Sarabun NPV"
    assert names.getDebugName(4) == f"Sarabun NPV {style}"
    assert names.getDebugName(6) == f"SarabunNPV-{style}"
    for name_id in (0, 13, 14):  # copyright, licence, licence URL
        assert names.getDebugName(name_id) == upstream.getDebugName(name_id)
    folder = (STATIC / fonts.FONT_FILES[weight]).parent
    assert (folder / "OFL.txt").read_bytes() == (
        STATIC / fonts.UPSTREAM_FILES[weight]
    ).parent.joinpath("OFL.txt").read_bytes()


def test_the_certificate_stylesheet_loads_the_prepared_fonts():
    css = (STATIC / "certificates" / "certificate.css").read_text()
    faces = re.findall(r'font-family: "([^"]+)";\s*src: url\("\.\./([^"]+)"\)', css)
    assert sorted(path for _, path in faces) == sorted(fonts.FONT_FILES.values())
    assert {family for family, _ in faces} == {fonts.FAMILY}


@pytest.mark.parametrize("weight", WEIGHTS)
def test_each_copy_is_drawn_measured_classed_and_positioned_as_its_original(weight):
    font = prepared(weight)
    gdef = font["GDEF"].table
    gpos = font["GPOS"].table

    def positioning(name):
        found = []
        for index, lookup in enumerate(gpos.LookupList.Lookup):
            for table in lookup.SubTable:
                for coverage, records in (
                    ("MarkCoverage", ("MarkArray", "MarkRecord")),
                    ("BaseCoverage", ("BaseArray", "BaseRecord")),
                    ("Mark1Coverage", ("Mark1Array", "MarkRecord")),
                    ("Mark2Coverage", ("Mark2Array", "Mark2Record")),
                ):
                    glyphs = getattr(getattr(table, coverage, None), "glyphs", [])
                    if name in glyphs:
                        array = getattr(getattr(table, records[0]), records[1])
                        found.append((index, coverage, array[glyphs.index(name)]))
                if getattr(table, "Format", None) == 2 and hasattr(table, "ClassDef2"):
                    found.append((index, table.ClassDef1.classDefs.get(name),
                                  table.ClassDef2.classDefs.get(name),
                                  name in table.Coverage.glyphs))
        return found

    copies = [name for name in font.getGlyphOrder() if name.endswith(fonts.SUFFIX)]
    assert len(copies) == len(fonts.GLYPH_TEXT) == 11
    glyf = font["glyf"]
    for name in copies:
        original = name.removesuffix(fonts.SUFFIX)
        assert glyf[name].getCoordinates(glyf) == glyf[original].getCoordinates(glyf)
        assert font["hmtx"][name] == font["hmtx"][original]
        for class_def in (gdef.GlyphClassDef, gdef.MarkAttachClassDef):
            assert class_def.classDefs.get(name) == class_def.classDefs.get(original)
        assert positioning(name) == positioning(original)
    # The marks are marks with their anchors (the SARA AA is, as upstream,
    # a glyph with no class and no positioning).
    assert gdef.GlyphClassDef.classDefs["uni0E4D0E49.saraam"] == 3
    assert positioning("uni0E4D.saraam")


def test_the_sara_am_lookup_is_part_of_the_thai_ccmp_feature():
    for weight in WEIGHTS:
        gsub = prepared(weight)["GSUB"].table
        last = len(gsub.LookupList.Lookup) - 1
        thai = next(s for s in gsub.ScriptList.ScriptRecord if s.ScriptTag == "thai")
        features = [gsub.FeatureList.FeatureRecord[i] for i in thai.Script.DefaultLangSys.FeatureIndex]
        ccmp = [f.Feature.LookupListIndex for f in features if f.FeatureTag == "ccmp"]
        assert len(ccmp) == 1 and ccmp[0][-1] == last


def _page(family: str, family_faces: str, text_html: str) -> str:
    return f"""<!doctype html><html lang="th"><head><style>
{family_faces}
@page {{ size: 297mm 700mm; margin: 1cm; }}
body {{ font-family: {family}; font-size: 22pt; line-height: 1.5; }}
.b {{ font-weight: 700; }}
</style></head><body>{text_html}</body></html>"""


def _glyphs_drawn(pdf: bytes) -> set[int]:
    """The ids of the glyphs the PDF's only page draws."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(pdf))  # kept open while its page is read
    assert len(document.pages) == 1, "every text on the one page that is compared"
    glyphs = set()
    for operands, operator in pikepdf.parse_content_stream(document.pages[0]):
        if str(operator) in ("Tj", "TJ"):
            items = operands[0] if str(operator) == "TJ" else operands
            for item in items:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    glyphs.update(
                        int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)
                    )
    return glyphs


def test_the_prepared_fonts_draw_thai_exactly_as_upstream_sarabun():
    """Pixel for pixel, at print resolution, in both weights."""
    from weasyprint.text.fonts import FontConfiguration

    from certificates.rendering import _get_engine

    require_poppler()
    engine = _get_engine()
    text_html = "".join(f"<p>{t}</p><p class=b>{t}</p>" for t in TEXTS)

    def drawn(family, files):
        # A family name and a font configuration of its own: with one name in
        # one configuration, the second page would be set in the first fonts.
        faces = "".join(
            f'@font-face {{ font-family: {family}; src: url("/static/{files[w]}"); '
            f"font-weight: {400 if w == 'regular' else 700}; }}"
            for w in WEIGHTS
        )
        pdf = engine.weasyprint.HTML(
            string=_page(family, faces, text_html), base_url=RENDER_ORIGIN + "/",
            url_fetcher=engine.fetcher,
        ).write_pdf(font_config=FontConfiguration())
        return Image.open(io.BytesIO(pdf_to_png(pdf, dpi=200))).convert("L"), _glyphs_drawn(pdf)

    upstream, upstream_glyphs = drawn("ProbeUpstream", fonts.UPSTREAM_FILES)
    prepared_, prepared_glyphs = drawn("ProbePrepared", fonts.FONT_FILES)
    # Each page is set in its own fonts: only the prepared ones have the SARA AM
    # copies, appended after the upstream glyphs.
    upstream_count = max(
        len(TTFont(STATIC / path).getGlyphOrder()) for path in fonts.UPSTREAM_FILES.values()
    )
    assert max(upstream_glyphs) < upstream_count <= max(prepared_glyphs)
    assert upstream.size == prepared_.size
    assert ImageChops.difference(upstream, prepared_).getbbox() is None
    # The comparison can fail: another text shows.
    assert ImageChops.difference(upstream, Image.new("L", upstream.size, 255)).getbbox()


def test_build_command_writes_the_prepared_fonts(tmp_path, monkeypatch):
    from django.core.management import call_command

    static = tmp_path / "static"
    for path in fonts.UPSTREAM_FILES.values():
        (static / path).parent.mkdir(parents=True, exist_ok=True)
        (static / path).write_bytes((STATIC / path).read_bytes())
    monkeypatch.setattr(
        "certificates.management.commands.build_certificate_fonts.STATIC_FOLDER", static
    )
    out = io.StringIO()
    call_command("build_certificate_fonts", stdout=out)
    call_command("build_certificate_fonts", stdout=out)  # again: the same files
    for weight, path in fonts.FONT_FILES.items():
        assert (static / path).read_bytes() == shipped(weight)
    assert "SarabunNPV-Bold.ttf" in out.getvalue()
    assert Path(static / fonts.FONT_FILES["regular"]).exists()
