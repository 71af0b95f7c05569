"""What a worker process reuses between certificate renders changes nothing in the PDF."""

import io

import pytest
from pypdf import PdfReader

from certificates import rendering, services
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
    certificate = services.issue_certificate(user.pk, course.pk)
    content = services.content_for(certificate.current_version)
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
    content = services.content_for(services.issue_certificate(user.pk, course.pk).current_version)
    assert gc.isenabled()
    rendering.render_pdf(content)
    assert gc.isenabled()
    gc.disable()
    try:
        rendering.render_pdf(content)
        assert not gc.isenabled()
    finally:
        gc.enable()
