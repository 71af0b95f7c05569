"""How WeasyPrint reaches fonts, images and CSS: through Django, never the network.

Imported only when rendering (it imports WeasyPrint).

The certificate HTML names its resources under a private origin
(https://render.invalid, a name that can never resolve):

- /static/<path> is read through the staticfiles finders, then the
  staticfiles storage (collected files in production): the stylesheet, logo
  and fonts the app ships in certificates/static/certificates/
  (certificates.assets, certificates.fonts);
- /files/<name> is read through the certificates storage (signature and logo
  copies), so object storage works as well as a local folder.

Every other URL is refused: no http(s) elsewhere, no file://, no ftp.
"""

from __future__ import annotations

import logging
import mimetypes
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from certificates.assets import FILES_PREFIX, RENDER_ORIGIN, STATIC_PREFIX

logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A URL the certificate renderer does not fetch."""


def _safe_relative(path: str) -> str:
    segments = path.split("/")
    if (
        not path
        or "\\" in path
        or path.startswith("/")
        or any(s in ("", ".", "..") for s in segments)
    ):
        raise RefusedURL(f"Unsafe path: {path!r}")
    return path


class DjangoURLFetcher(URLFetcher):
    """A WeasyPrint 70 URL fetcher that answers only from Django's storages."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allowed_protocols", ("https", "data"))
        kwargs.setdefault("allow_redirects", False)
        super().__init__(**kwargs)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            # Inline data needs no I/O; urllib's data: handler decodes it.
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != RENDER_ORIGIN or parts.query:
            logger.warning("Certificate rendering refused %s", url[:200])
            raise RefusedURL(f"Refused: {url[:200]}")
        path = unquote(parts.path)
        if path.startswith(STATIC_PREFIX):
            return self._response(
                url, self._read_static(_safe_relative(path[len(STATIC_PREFIX) :]))
            )
        if path.startswith(FILES_PREFIX):
            return self._response(url, self._read_file(_safe_relative(path[len(FILES_PREFIX) :])))
        raise RefusedURL(f"Refused: {url[:200]}")

    @staticmethod
    def _response(url: str, body: bytes) -> URLFetcherResponse:
        content_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _read_static(path: str) -> bytes:
        from django.contrib.staticfiles import finders
        from django.contrib.staticfiles.storage import staticfiles_storage

        found = finders.find(path)
        try:
            if found:
                with open(found, "rb") as handle:
                    return handle.read()
            with staticfiles_storage.open(path) as handle:
                return handle.read()
        except OSError as error:
            # A missing font or stylesheet would silently print in another
            # font: stop the rendering instead.
            raise FatalURLFetchingError(f"Static file missing: {path}") from error

    @staticmethod
    def _read_file(name: str) -> bytes:
        from certificates.models import certificate_storage

        with certificate_storage().open(name) as handle:
            return handle.read()
