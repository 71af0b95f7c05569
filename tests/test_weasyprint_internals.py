"""The WeasyPrint and pydyf internals certificates/weasyprint_internals.py relies on.

Each test names one thing that module reaches into; a WeasyPrint or pydyf upgrade that
changes it fails here, before a certificate silently loses its text map, its shared
images or its single serialisation."""

import inspect

import pydyf
import pytest
import weasyprint
from weasyprint.images import RasterImage

from certificates import weasyprint_internals
from certificates.assets import RENDER_ORIGIN
from certificates.rendering import _get_engine, certificate_html, render_pdf
from tests.certificates_support import completed_enrolment, load_demo_design

pytestmark = pytest.mark.django_db


def test_the_versions_are_the_ones_the_module_was_written_for():
    assert weasyprint.__version__.split(".")[0] == weasyprint_internals.WEASYPRINT_VERSION
    assert ".".join(pydyf.__version__.split(".")[:2]) in weasyprint_internals.PYDYF_VERSIONS
    assert weasyprint_internals.WEASYPRINT_VERSION in weasyprint_internals.__doc__


def test_a_raster_image_still_makes_its_pdf_stream_in_get_x_object():
    parameters = list(inspect.signature(RasterImage.get_x_object).parameters)
    assert parameters == ["self", "interpolate", "dpi_ratio"]


def test_a_pdf_stream_still_keeps_its_parts_where_the_copy_reads_them():
    stream = pydyf.Stream([b"q Q"], pydyf.Dictionary({"Type": "/XObject"}), compress=True)
    assert (stream.stream, stream.extra["Type"], stream.compress) == ([b"q Q"], "/XObject", True)
    copy = weasyprint_internals._detached(stream)
    assert copy is not stream and copy.data == stream.data
    assert isinstance(pydyf.PDF().objects, list)


def test_write_pdf_still_takes_a_finisher():
    assert "finisher" in inspect.signature(weasyprint.Document.write_pdf).parameters


def test_a_document_still_hands_each_font_and_its_glyph_texts_through_fonts(monkeypatch):
    from certificates.fonts import FAMILY

    load_demo_design()
    user, course = completed_enrolment(first_name="น้ำค้าง", last_name="สำราญ")
    from certificates import lifecycle

    content = lifecycle.content_for(lifecycle.issue_certificate(user.pk, course.pk).current_version)
    engine = _get_engine()
    document = engine.weasyprint.HTML(
        string=certificate_html(content), base_url=RENDER_ORIGIN + "/", url_fetcher=engine.fetcher
    ).render(stylesheets=[engine.stylesheet], font_config=engine.font_config)
    assert isinstance(document.fonts, dict)
    weasyprint_internals.map_glyph_texts(document)
    assert isinstance(document.fonts, weasyprint_internals._FontsWithGlyphTexts)
    document.write_pdf()
    fonts = list(document.fonts.values())
    assert fonts and {font.family for font in fonts} == {FAMILY}
    for font in fonts:
        assert isinstance(font.file_content, bytes)
        assert isinstance(font.to_unicode, weasyprint_internals._GlyphTexts)
        assert font.to_unicode, "WeasyPrint wrote no glyph text into Font.to_unicode"


def test_the_shared_image_streams_and_single_serialisation_still_give_a_pdf():
    load_demo_design()
    user, course = completed_enrolment()
    from certificates import lifecycle

    content = lifecycle.content_for(lifecycle.issue_certificate(user.pk, course.pk).current_version)
    pdf = render_pdf(content)
    assert pdf.startswith(b"%PDF-")
    shared = [
        image
        for url, image in _get_engine().image_cache.items()
        if isinstance(image, RasterImage) and not url.startswith("data:")
    ]
    assert shared and all(
        isinstance(image.get_x_object, weasyprint_internals._ReusedImageStream) for image in shared
    )
