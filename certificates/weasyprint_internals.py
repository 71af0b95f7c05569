"""Every place where the certificate renderer reaches into WeasyPrint or pydyf
beyond their public API, so that an upgrade is checked in one file.

Written for WeasyPrint 70.0 and pydyf 0.13 (pyproject.toml holds
``weasyprint>=70,<71`` and ``pydyf>=0.11,<0.14``). What is relied on:

- ``weasyprint.images.RasterImage.get_x_object(interpolate, dpi_ratio)``
  returning a ``pydyf.Stream`` (``extra``, ``stream``, ``compress``), replaced
  per image by a cached stand-in (`reuse_shared_image_streams`);
- ``Document.fonts``, the dict WeasyPrint's PDF writer adds each ``Font`` to
  before drawing with it, and ``Font.to_unicode`` / ``family`` /
  ``file_content``, the glyph-to-text map behind the PDF's ToUnicode CMap
  (`map_glyph_texts`), which makes the prepared Sarabun NPV's SARA AM glyphs
  read back as printed: the PDF/A-2a text a screen reader and a search read;
- ``write_pdf(finisher=...)`` and ``pydyf.PDF.objects``, whose streams are
  serialised once for the PDF/A file identifier (`serialize_streams_once`).

tests/test_weasyprint_internals.py fails when any of these changes shape;
after an upgrade, run it and tests/test_certificate_rendering.py first.
"""

from __future__ import annotations

import io

# The versions this module was written and tested against.
WEASYPRINT_VERSION = "70"
PYDYF_VERSIONS = ("0.11", "0.12", "0.13")


def map_glyph_texts(document) -> None:
    """Give the prepared font's SARA AM glyphs their own texts in the PDF's
    ToUnicode map (call after `render()`, before `write_pdf()`)."""
    document.fonts = _FontsWithGlyphTexts(document.fonts)


class _ReusedImageStream:
    """Stands in for a raster image's `get_x_object`: WeasyPrint turns the
    image into a PDF stream on every render (decode, split off the alpha
    channel, encode both again: about 1.5 ms per signature); the logo
    and signatures are the same on every certificate, so this is done once
    per process. Each PDF gets fresh stream objects over the same bytes.
    `get_x_object` is WeasyPrint 70's own;
    tests/test_weasyprint_internals.py fails if it changes shape."""

    def __init__(self, make_stream):
        self._make_stream = make_stream
        self._streams: dict = {}

    def __call__(self, interpolate, dpi_ratio):
        key = (interpolate, dpi_ratio)
        if key not in self._streams:
            self._streams[key] = _detached(self._make_stream(interpolate, dpi_ratio))
        return _detached(self._streams[key])


def _detached(stream):
    """A copy of an image stream (and its alpha mask) holding plain bytes, not
    references into WeasyPrint's image cache, which is emptied now and then."""
    import pydyf

    extra = pydyf.Dictionary(stream.extra)
    if isinstance(extra.get("SMask"), pydyf.Stream):
        extra["SMask"] = _detached(extra["SMask"])
    data = [item.data if isinstance(item, pydyf.Object) else item for item in stream.stream]
    return pydyf.Stream(data, extra, stream.compress)


def reuse_shared_image_streams(image_cache: dict) -> None:
    from weasyprint.images import RasterImage

    for url, image in image_cache.items():
        # data: URLs are this certificate's own QR code: nothing to share.
        if (
            isinstance(image, RasterImage)
            and not url.startswith("data:")
            and not isinstance(image.get_x_object, _ReusedImageStream)
        ):
            image.get_x_object = _ReusedImageStream(image.get_x_object)


def serialize_streams_once(document, pdf) -> None:
    """A WeasyPrint finisher. PDF/A requires a file identifier, which pydyf
    makes by serialising every object a second time to hash it, compressing
    every stream (fonts, page content, colour profile) again; here each
    stream is serialised once and the bytes reused."""
    import pydyf

    class SerializedOnce(pydyf.Object):
        compressible = False  # a stream never goes into an object stream

        def __init__(self, stream):
            super().__init__()
            self.number, self.generation, self.free = stream.number, stream.generation, stream.free
            self._stream = stream
            self._data = None

        @property
        def data(self):
            if self._data is None:
                self._data = self._stream.data
            return self._data

    for index, item in enumerate(pdf.objects):
        if isinstance(item, pydyf.Stream) and item.compress:
            pdf.objects[index] = SerializedOnce(item)


class _GlyphTexts(dict):
    """A font's glyph-to-text map (WeasyPrint 70's `Font.to_unicode`) that
    gives the prepared font's SARA AM glyphs their own text.

    WeasyPrint maps a glyph to text the first time it draws it, giving a
    cluster's whole text to one of the cluster's glyphs and nothing to the
    others; for ำ, ่ำ, ้ำ it would write "ำ" or "่ำ" for a SARA AA and nothing
    for the tone mark. The copies in certificates/fonts.py exist so that each
    of those glyphs stands for one text, which is set here."""

    def __init__(self, texts: dict[int, str]):
        super().__init__()
        self._texts = texts

    def __setitem__(self, glyph_id, text):
        super().__setitem__(glyph_id, self._texts.get(glyph_id, text))


class _FontsWithGlyphTexts(dict):
    """Stands in for WeasyPrint 70's `Document.fonts`, to which its PDF
    stream adds each font before drawing with it: each font of the prepared
    family gets a `_GlyphTexts` map. tests/test_certificate_rendering.py and
    tests/test_weasyprint_internals.py fail if WeasyPrint stops filling `fonts`
    and `to_unicode` this way."""

    def __setitem__(self, key, font):
        from certificates.fonts import FAMILY

        if font.family == FAMILY and not isinstance(font.to_unicode, _GlyphTexts):
            texts = _glyph_texts(font.file_content)
            font.to_unicode = _GlyphTexts(texts) if texts else font.to_unicode
        super().__setitem__(key, font)


_glyph_texts_by_file: dict[int, dict[int, str]] = {}


def _glyph_texts(file_content: bytes) -> dict[int, str]:
    """Glyph id → text of the prepared font's SARA AM glyphs, read once per
    font file and process."""
    key = hash(file_content)
    if key not in _glyph_texts_by_file:
        from fontTools.ttLib import TTFont

        from certificates.fonts import GLYPH_TEXT

        font = TTFont(io.BytesIO(file_content), lazy=True)
        order = font.getGlyphOrder()
        _glyph_texts_by_file[key] = {
            index: GLYPH_TEXT[name] for index, name in enumerate(order) if name in GLYPH_TEXT
        }
    return _glyph_texts_by_file[key]
