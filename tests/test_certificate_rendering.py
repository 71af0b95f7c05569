"""What a worker process reuses between certificate renders changes nothing in the PDF."""

import io

import pytest
from pypdf import PdfReader

from certificates import lifecycle, rendering, weasyprint_internals
from tests.certificates_support import completed_enrolment, load_demo_design

pytestmark = pytest.mark.django_db


def image_masks(pdf: bytes) -> list[bytes]:
    """The alpha masks of the page's images (the signatures), decoded."""
    resources = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]
    masks = []
    for image in resources["/XObject"].values():
        image = image.get_object()
        if "/SMask" in image:
            masks.append(image["/SMask"].get_object().get_data())
    return masks


def test_later_renders_in_a_process_give_the_same_pdf_with_every_signature(monkeypatch):
    load_demo_design()
    user, course = completed_enrolment(first_name="น้ำทิพย์", last_name="ญี่ปุ่น")
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    content = lifecycle.content_for(certificate.current_version)
    monkeypatch.setattr(rendering, "_engine", None)  # a freshly started worker

    first = rendering.render_pdf(content)
    # Image streams now come from the process's own copies.
    second = rendering.render_pdf(content)
    third = rendering.render_pdf(content)

    assert second == first and third == first
    masks = image_masks(first)
    assert len(masks) == 3 and all(any(mask) for mask in masks)


def test_a_render_leaves_the_garbage_collector_as_it_found_it():
    import gc

    load_demo_design()
    user, course = completed_enrolment()
    content = lifecycle.content_for(lifecycle.issue_certificate(user.pk, course.pk).current_version)
    assert gc.isenabled()
    rendering.render_pdf(content)
    assert gc.isenabled()
    gc.disable()
    try:
        rendering.render_pdf(content)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_weasyprint_still_hands_each_font_and_glyph_text_to_the_renderer(monkeypatch):
    """The prepared fonts' glyph texts reach the PDF through WeasyPrint 70's
    `Document.fonts` and `Font.to_unicode` (certificates/weasyprint_internals.py); this
    fails if WeasyPrint stops filling them as it does."""
    from certificates.fonts import FAMILY, GLYPH_TEXT

    seen = []
    original = weasyprint_internals._FontsWithGlyphTexts.__setitem__

    def spy(self, key, font):
        original(self, key, font)
        seen.append(font)

    monkeypatch.setattr(weasyprint_internals._FontsWithGlyphTexts, "__setitem__", spy)
    user, course = completed_enrolment(first_name="น้ำค้าง", last_name="สำราญ")
    content = lifecycle.content_for(lifecycle.issue_certificate(user.pk, course.pk).current_version)
    rendering.render_pdf(content)

    assert {font.family for font in seen} == {FAMILY}
    assert {font.weight for font in seen} == {400, 700}
    for font in seen:
        assert isinstance(font.to_unicode, weasyprint_internals._GlyphTexts)
        # WeasyPrint wrote what it drew into the map: the SARA AA of ำ among it.
        assert set(GLYPH_TEXT.values()) & set(font.to_unicode.values())
    bold = next(font for font in seen if font.weight == 700)
    assert "ำ" in bold.to_unicode.values() and "า" in bold.to_unicode.values()


def test_a_certificate_renders_from_the_apps_own_static_files(monkeypatch, settings):
    """Stylesheet, logo and fonts ship in certificates/static/certificates/: a host
    with no static folder of its own renders the same certificate."""
    from django.contrib.staticfiles import finders

    from certificates.assets import STATIC_FOLDER, STYLESHEET
    from certificates.fonts import FONT_FILES

    load_demo_design()
    user, course = completed_enrolment()
    content = lifecycle.content_for(lifecycle.issue_certificate(user.pk, course.pk).current_version)
    monkeypatch.setattr(rendering, "_engine", None)
    expected = rendering.render_pdf(content)

    settings.STATICFILES_DIRS = []
    finders.get_finder.cache_clear()
    monkeypatch.setattr(rendering, "_engine", None)
    try:
        for path in (STYLESHEET, *FONT_FILES.values()):
            assert finders.find(path) == str(STATIC_FOLDER / path)
        assert rendering.render_pdf(content) == expected
    finally:
        finders.get_finder.cache_clear()


class _Worker:
    """What certificates.worker reads of Celery's worker: the queues it consumes."""

    def __init__(self, *queues):
        self.app = type("App", (), {})()
        self.app.amqp = type("AMQP", (), {})()
        self.app.amqp.queues = type("Queues", (), {"consume_from": dict.fromkeys(queues)})()


def test_only_a_worker_on_the_certificates_queue_warms_its_pool_processes(monkeypatch):
    from certificates import worker

    rendered = []
    monkeypatch.setattr(rendering, "warm_up", lambda: rendered.append(True))
    monkeypatch.setattr(worker.gc, "freeze", lambda: None)
    monkeypatch.setitem(worker._warm, "enabled", False)

    worker.import_renderer(sender=_Worker("grading", "default"))
    worker.warm_renderer()
    assert rendered == []

    worker.import_renderer(sender=_Worker("certificates"))
    worker.warm_renderer()
    assert rendered == [True]


def test_warming_up_makes_this_process_engine_without_a_query(monkeypatch):
    import os

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(rendering, "_engine", None)  # a freshly forked pool process
    # No query: a pool process warms up before its first task opens a connection.
    with CaptureQueriesContext(connection) as queries:
        rendering.warm_up()
    assert rendering._engine is not None
    assert rendering._engine.pid == os.getpid()
    assert len(queries) == 0
