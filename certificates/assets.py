"""Where the renderer finds what a certificate is drawn with.

The files ship in the app (certificates/static/certificates/), so a host renders
certificates without anything in its own static folder. The certificate HTML names
them under a private origin that can never resolve (https://render.invalid);
certificates.fetcher answers those URLs from Django's storages.
"""

from __future__ import annotations

from pathlib import Path

RENDER_ORIGIN = "https://render.invalid"
STATIC_PREFIX = "/static/"
FILES_PREFIX = "/files/"

# The app's static folder; the paths below are relative to it, as the
# staticfiles finders and collectstatic name them.
STATIC_FOLDER = Path(__file__).resolve().parent / "static"
STYLESHEET = "certificates/certificate.css"
DEFAULT_LOGO = "certificates/logo.svg"


def static_url(path: str) -> str:
    return f"{RENDER_ORIGIN}{STATIC_PREFIX}{path}"


def file_url(name: str) -> str:
    return f"{RENDER_ORIGIN}{FILES_PREFIX}{name}"
