"""The settings of the certificates app, each read here with its default.

A host sets them in its Django settings with the ``CERTIFICATES_`` prefix
(docs/plugins.md lists them). The names used before the prefix are still read, for a
while, and ``manage.py check`` warns about them (certificates.W001).
"""

from __future__ import annotations

from django.conf import settings

from courses.conf import configured_rates

RENAMED = {
    "CERTIFICATE_SWEEP_AFTER_SECONDS": "CERTIFICATES_SWEEP_AFTER_SECONDS",
    "SITE_URL": "CERTIFICATES_BASE_URL",
}
OLD_NAME = {new: old for old, new in RENAMED.items()}


def _read(name: str, default):
    # At call time, so override_settings and a host's late configuration are seen.
    if hasattr(settings, name):
        return getattr(settings, name)
    return getattr(settings, OLD_NAME.get(name, name), default)


def sweep_after_seconds() -> int:
    """How long the normal path gets before the sweep issues a certificate or renders
    its PDF. Keep it above the Celery hard time limit of a render."""
    return _read("CERTIFICATES_SWEEP_AFTER_SECONDS", 120)


# Verification is public, so it counts per address: a room of 311 behind one address,
# every phone scanning its QR code and opening the lookup form, the redirect and the
# page in the same minute, makes 933 requests. A host changes it in
# CERTIFICATES_RATE_LIMITS.
RATE_LIMIT_DEFAULTS = {"certificate-verify": "1000/m"}


def rate_limits() -> dict[str, str]:
    """The rate of verification, the lookup form and the page together, per address."""
    return configured_rates("CERTIFICATES_RATE_LIMITS", RATE_LIMIT_DEFAULTS)


def base_url() -> str:
    """The public address (scheme and host, no trailing slash) the QR code and the
    printed verification link start with. Defaults to Wagtail's WAGTAILADMIN_BASE_URL."""
    url = _read("CERTIFICATES_BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return (url or "").rstrip("/")
