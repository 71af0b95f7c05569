"""The live preview of the certificate settings in the Wagtail admin: a
sample certificate drawn from the unsaved form, as a picture or a PDF,
marked ตัวอย่าง (sample) so that it can never pass for a real one."""

from __future__ import annotations

import base64
import logging
import subprocess

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from certificates import conf
from certificates.assets import DEFAULT_LOGO, file_url, static_url
from certificates.codes import format_code
from certificates.design import design_snapshot
from certificates.numbering import format_number
from certificates.rendering import (
    CertificateContent,
    Signatory,
    pdf_to_png,
    place_line,
    render_pdf,
    thai_long_date,
)
from courses.models import CoursePage
from courses.thai_dates import buddhist_year

logger = logging.getLogger(__name__)

SAMPLE_CODE = "0" * 16
SAMPLE_SERIAL = 311


def sample_content(design) -> CertificateContent:
    snapshot = design_snapshot(design)
    today = timezone.localdate()
    course = CoursePage.objects.live().order_by("path").first()
    with translation.override("th"):
        return CertificateContent(
            title=snapshot["title"],
            statement=snapshot["statement"],
            holder_name="นางสาวกาญจนาภรณ์ ศรีสุวรรณ",
            holder_name_en="Kanchanaporn Srisuwan",
            place=place_line(
                village_no=7,
                village_name="บ้านน้ำใส",
                subdistrict="ปี่ทอง",
                district="เมืองน่าน",
                province="น่าน",
            ),
            completion_text=snapshot["completion_text"],
            course_title=course.title if course else "การดูแลอินเทอร์เน็ตหมู่บ้าน",
            closing_text=snapshot["closing_text"],
            date_line=f"{snapshot['date_prefix']} {thai_long_date(today)}".strip(),
            issuer_name=snapshot["issuer_name"],
            issuer_detail=snapshot["issuer_detail"],
            logo_url=file_url(snapshot["logo"]) if snapshot["logo"] else static_url(DEFAULT_LOGO),
            number=format_number(snapshot["number_prefix"], buddhist_year(today), SAMPLE_SERIAL),
            code=format_code(SAMPLE_CODE),
            verification_url=conf.base_url()
            + reverse("certificates:verify", args=[format_code(SAMPLE_CODE)]),
            signatories=[
                Signatory(
                    name=s["name"],
                    position=s["position"],
                    signature_url=file_url(s["signature"]) if s["signature"] else "",
                )
                for s in snapshot["signatories"]
            ],
            sample=True,
        )


def preview_response(design, mode_name: str) -> HttpResponse:
    pdf = render_pdf(sample_content(design), pdf_variant=None)
    if mode_name == "pdf":
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="certificate-preview.pdf"'
        return response
    try:
        png = pdf_to_png(pdf, dpi=110)
    except (OSError, subprocess.SubprocessError):
        # No poppler on this machine: the PDF itself is the preview.
        logger.warning("pdftoppm is not available; previewing the certificate as PDF")
        return HttpResponse(pdf, content_type="application/pdf")
    html = render_to_string(
        "certificates/admin/preview.html",
        {"image": "data:image/png;base64," + base64.b64encode(png).decode("ascii")},
    )
    return HttpResponse(html)
