"""Certificate PDF rendering with WeasyPrint.

WeasyPrint is imported on first use, so that the web process and freshly
forked workers start fast. Each process keeps one font configuration, one
parsed print stylesheet, one URL fetcher and the PDF streams of the images
every certificate shares (logo, signatures), and reuses them for every
certificate it renders. Where the time of a render goes is measured by
benchmarks/certificates.py.
"""

from __future__ import annotations

import base64
import gc
import io
import logging
import os
import re
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from certificates import weasyprint_internals
from certificates.assets import DEFAULT_LOGO, RENDER_ORIGIN, STYLESHEET, static_url
from courses.thai_dates import THAI_MONTHS, buddhist_year

logger = logging.getLogger(__name__)

IMAGE_CACHE_LIMIT = 200

# PDF/A-2a: archival PDF whose look is fixed (fonts embedded, colours
# defined), whose every glyph maps to its text (Sarabun NPV, certificates/
# fonts.py, with certificates.weasyprint_internals) and which is tagged (the variant turns on
# WeasyPrint's pdf_tags): a structure tree in reading order, in the
# document's language, th, so that a screen reader reads it in Thai.
PDF_VARIANT = "pdf/a-2a"

# Layout figures shared by the template and the line-breaking code (points).
CONTENT_WIDTH_PT = 640
LINE_HEIGHT = 1.3
# Height left for the name, place and course lines above the signatures;
# longer texts are set smaller until they fit.
TEXT_BUDGET_PT = 132
NAME_SIZES_PT = (30, 28, 26, 24, 22, 20, 18)
COURSE_SIZES_PT = (21, 19, 17, 15)
PLACE_SIZES_PT = (14, 12.5, 11)


def thai_long_date(day) -> str:
    """28 มกราคม พ.ศ. 2562, as an official document writes it."""
    return f"{day.day} {THAI_MONTHS[day.month - 1]} พ.ศ. {buddhist_year(day)}"


def place_line(*, village_no, village_name, subdistrict, district, province) -> str:
    """หมู่ที่ 2 บ้านหาดกลาง ตำบลหาดพันไกร อำเภอเมืองชุมพร จังหวัดชุมพร; Bangkok
    has แขวง and เขต instead of ตำบล and อำเภอ, and no จังหวัด."""
    bangkok = province == "กรุงเทพมหานคร"
    parts = []
    if village_no:
        parts.append(f"หมู่ที่ {village_no}")
    if village_name:
        parts.append(village_name)
    if subdistrict:
        parts.append(("แขวง" if bangkok else "ตำบล") + subdistrict)
    if district:
        parts.append(("เขต" if bangkok else "อำเภอ") + district)
    if province:
        parts.append(province if bangkok else "จังหวัด" + province)
    return " ".join(parts)


@dataclass
class Signatory:
    name: str
    position: str
    signature_url: str = ""


@dataclass
class CertificateContent:
    """Everything printed on one certificate, as plain text."""

    title: str
    statement: str
    holder_name: str
    holder_name_en: str
    place: str
    completion_text: str
    course_title: str
    closing_text: str
    date_line: str
    issuer_name: str
    issuer_detail: str
    logo_url: str
    number: str
    code: str
    verification_url: str
    signatories: list[Signatory] = field(default_factory=list)
    sample: bool = False

    @property
    def subject(self) -> str:
        """The certificate's text in one sentence (the PDF's Subject)."""
        name = self.holder_name + (f" ({self.holder_name_en})" if self.holder_name_en else "")
        parts = [
            self.statement,
            name,
            self.place,
            self.completion_text,
            self.course_title,
            self.date_line,
            _("เลขที่ %(number)s") % {"number": self.number},
            _("รหัสตรวจสอบ %(code)s") % {"code": self.code},
        ]
        return " ".join(part for part in parts if part)

    @property
    def pdf_title(self) -> str:
        return f"{self.title} {self.holder_name} {self.number}"

    @property
    def keywords(self) -> str:
        return ", ".join(
            part
            for part in (
                self.number,
                self.code,
                self.holder_name,
                self.holder_name_en,
                self.course_title,
            )
            if part
        )

    def text_sizes(self) -> tuple[float, float, float]:
        """Font sizes of the name, course and place lines: the largest that
        fit above the signatures, the name shrinking last."""
        from certificates.thai_text import line_count

        def height(text, size, weight):
            if not text:
                return 0.0
            lines = line_count(text, size_pt=size, width_pt=CONTENT_WIDTH_PT, weight=weight)
            return lines * size * LINE_HEIGHT

        choices = [
            (name, course, place)
            for name in NAME_SIZES_PT
            for course in COURSE_SIZES_PT
            for place in PLACE_SIZES_PT
        ]
        for name, course, place in choices:
            total = (
                height(self.holder_name, name, "bold")
                + height(self.course_title, course, "bold")
                + height(self.place, place, "regular")
            )
            if total <= TEXT_BUDGET_PT:
                return name, course, place
        return choices[-1]

    def context(self) -> dict:
        from certificates.thai_text import wrap_markup

        name_size, course_size, place_size = self.text_sizes()
        return {
            "c": self,
            "stylesheet_url": static_url(STYLESHEET),
            "name_size": name_size,
            "name_html": wrap_markup(
                self.holder_name, size_pt=name_size, width_pt=CONTENT_WIDTH_PT, weight="bold"
            ),
            "course_size": course_size,
            "course_html": wrap_markup(
                self.course_title, size_pt=course_size, width_pt=CONTENT_WIDTH_PT, weight="bold"
            ),
            "place_size": place_size,
            "place_html": wrap_markup(self.place, size_pt=place_size, width_pt=CONTENT_WIDTH_PT),
            "content_width": CONTENT_WIDTH_PT,
            "qr_data_uri": qr_data_uri(self.verification_url),
            "verification_hint": self.verification_url.split("://", 1)[-1],
        }


def qr_data_uri(url: str) -> str:
    """The QR code as a tiny PNG, one pixel per module, drawn without
    smoothing: the PDF shows sharp modules, and an image is much cheaper for
    WeasyPrint to draw than the same code as hundreds of SVG path segments."""
    import segno

    buffer = io.BytesIO()
    # Level M survives a crease or a smudge on a printed copy.
    segno.make(url, error="m", micro=False).save(
        buffer, kind="png", scale=1, border=0, dark="#1d232a", light="#ffffff"
    )
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# The template's line breaks and indentation between tags; never a space
# within a line, such as the one between a name's parts.
TEMPLATE_INDENTATION = re.compile(r">\s*\n\s*<")


def certificate_html(content: CertificateContent) -> SafeString:
    # A certificate is a Thai document whatever language the admin uses.
    with translation.override("th"):
        html = render_to_string("certificates/certificate.html", content.context())
    # Each run of indentation would be a text node for WeasyPrint to parse,
    # style and lay out as nothing (about 3% of a render's work).
    return mark_safe(TEMPLATE_INDENTATION.sub("><", html))  # noqa: S308  (rendered template)


class _Engine:
    """One per process: WeasyPrint's font configuration, the parsed print
    stylesheet and the URL fetcher, made on first use after a fork."""

    def __init__(self):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        from certificates.fetcher import DjangoURLFetcher

        self.pid = os.getpid()
        self.weasyprint = weasyprint
        self.fetcher = DjangoURLFetcher(fail_on_errors=False)
        self.font_config = FontConfiguration()
        self.stylesheet = weasyprint.CSS(
            url=static_url(STYLESHEET), url_fetcher=self.fetcher, font_config=self.font_config
        )
        # Logo and signatures are fetched and decoded once per process.
        self.image_cache: dict = {}


_engine: _Engine | None = None
# Pango and fontconfig objects are not shared between threads (runserver,
# a threaded web server rendering previews): one render at a time per process.
_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    if _engine is None or _engine.pid != os.getpid():
        _engine = _Engine()
    return _engine


@contextmanager
def _without_cyclic_gc():
    """With the cyclic garbage collector on, a render triggers about five
    collections and, every few dozen renders, a collection of the whole
    worker's heap (over 100 ms). Off during the render, the 4,500 or so
    objects a render leaves in reference cycles are collected afterwards in
    one pass: about 4 ms less per certificate on average."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render_pdf(content: CertificateContent, *, pdf_variant: str | None = PDF_VARIANT) -> bytes:
    """The certificate as PDF bytes."""
    html = certificate_html(content)
    with _lock, _without_cyclic_gc():
        engine = _get_engine()
        if len(engine.image_cache) > IMAGE_CACHE_LIMIT:
            # Each certificate adds its QR code; emptied between renders,
            # never during one (WeasyPrint reads it back while writing).
            engine.image_cache.clear()
        document = engine.weasyprint.HTML(
            string=html, base_url=RENDER_ORIGIN + "/", url_fetcher=engine.fetcher
        ).render(
            stylesheets=[engine.stylesheet],
            font_config=engine.font_config,
            pdf_variant=pdf_variant,
            cache=engine.image_cache,
        )
        weasyprint_internals.reuse_shared_image_streams(engine.image_cache)
        weasyprint_internals.map_glyph_texts(document)
        return document.write_pdf(
            pdf_variant=pdf_variant,
            cache=engine.image_cache,
            finisher=weasyprint_internals.serialize_streams_once,
        )


def warm_up() -> None:
    """Render a sample certificate, without the database, so that the first
    volunteer's render in this process does not also load the engine, the
    fonts and the Thai word list (certificates.worker calls it)."""
    render_pdf(
        CertificateContent(
            title="เกียรติบัตร",
            statement="ขอมอบเกียรติบัตรฉบับนี้ไว้เพื่อแสดงว่า",
            holder_name="นางสาวกาญจนาภรณ์ ศรีสุวรรณ",
            holder_name_en="Kanchanaporn Srisuwan",
            place="หมู่ที่ 7 บ้านน้ำใส ตำบลปี่ทอง อำเภอเมืองน่าน จังหวัดน่าน",
            completion_text="ได้ผ่านการอบรมหลักสูตร",
            course_title="การดูแลอินเทอร์เน็ตหมู่บ้าน",
            closing_text="ขอให้มีความสุขความเจริญ",
            date_line="ให้ไว้ ณ วันที่ 28 มกราคม พ.ศ. 2562",
            issuer_name="เน็ตอาสาประชารัฐ",
            issuer_detail="",
            logo_url=static_url(DEFAULT_LOGO),
            number="NPV-2562-000000",
            code="0000-0000-0000-0000",
            verification_url=RENDER_ORIGIN + "/certificates/verify/0000-0000-0000-0000/",
            sample=True,
        )
    )


def pdf_to_png(pdf: bytes, *, dpi: int = 60) -> bytes:
    """The first page as PNG, through poppler's pdftoppm (previews, tests,
    the README picture)."""
    with tempfile.TemporaryDirectory(prefix="certificate-") as folder:
        source = Path(folder) / "certificate.pdf"
        source.write_bytes(pdf)
        subprocess.run(  # noqa: S603
            [  # noqa: S607  (poppler from the system's PATH)
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-singlefile",
                str(source),
                str(Path(folder) / "page"),
            ],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=60,
        )
        return (Path(folder) / "page.png").read_bytes()
