"""The design a certificate version keeps: issuer, wording and signatories as they
stand when it is issued, with copies of the images, so that a later change of the
settings never changes a certificate already issued."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile

from certificates.models import CertificateSettings, certificate_storage

ASSET_FOLDER = "certificates/assets"
# About 200 dpi at the printed sizes: sharp on paper, a few KB in the PDF.
SIGNATURE_BOX = (360, 120)
LOGO_BOX = (240, 240)


def _store_image_copy(image, box: tuple[int, int], single_ink: bool) -> str:
    """A small PNG copy of a Wagtail image in the certificates storage, named
    by its content: the certificate keeps it even if the image is later
    replaced or deleted, and a thousand certificates share one file."""
    from PIL import Image as PILImage
    from PIL import ImageStat

    with image.open_file() as handle:
        picture = PILImage.open(handle)
        picture.load()
    picture = picture.convert("RGBA")
    picture.thumbnail(box)
    if single_ink:
        # A signature is one ink on a transparent ground: give every pixel
        # the ink's colour and keep the shape in the alpha channel. The PDF
        # then holds a near-empty colour image and a small mask (a few KB).
        alpha = picture.getchannel("A")
        opaque = alpha.point(lambda value: 255 if value > 128 else 0)
        if opaque.getbbox():
            ink = tuple(round(v) for v in ImageStat.Stat(picture.convert("RGB"), mask=opaque).mean)
            picture = PILImage.new("RGBA", picture.size, (*ink, 0))
            picture.putalpha(alpha)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    name = f"{ASSET_FOLDER}/{hashlib.sha256(data).hexdigest()[:32]}.png"
    storage = certificate_storage()
    if not storage.exists(name):
        storage.save(name, ContentFile(data))
    return name


_image_copies: dict[tuple, str] = {}


def _image_copy(image, box: tuple[int, int], single_ink: bool = False) -> str:
    key = (image.pk, image.file.name, box, single_ink)
    if key not in _image_copies or not certificate_storage().exists(_image_copies[key]):
        _image_copies[key] = _store_image_copy(image, box, single_ink)
    return _image_copies[key]


def design_snapshot(design: CertificateSettings) -> dict:
    """Issuer, wording and signatories as they stand now, with copies of the
    images, to be stored with a certificate version."""
    signatories = []
    for block in design.signatories:
        if block.block_type != "signatory":
            continue
        value = block.value
        signature = value.get("signature")
        signatories.append(
            {
                "name": value.get("name", ""),
                "position": value.get("position", ""),
                "signature": _image_copy(signature, SIGNATURE_BOX, single_ink=True)
                if signature
                else "",
            }
        )
    return {
        "issuer_name": design.issuer_name,
        "issuer_detail": design.issuer_detail,
        "logo": _image_copy(design.logo, LOGO_BOX) if design.logo_id else "",
        "title": design.title,
        "statement": design.statement,
        "completion_text": design.completion_text,
        "closing_text": design.closing_text,
        "date_prefix": design.date_prefix,
        "number_prefix": design.number_prefix,
        "signatories": signatories,
    }
