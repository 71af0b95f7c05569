"""Fixtures and helpers that the plugins' tests need in any host: registered with
`pytest_plugins` by the site's tests/conftest.py and by the minimal host's
tests/minimal_host/conftest.py (which runs without the site's conftest)."""

import uuid

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, never into the repo."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Each test counts rate limits afresh (courses.ratelimits): counters are
    per user id or address, and ids repeat between tests."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


def skip_or_fail(reason: str):
    """Skip a test whose service or browser is missing, except where
    REQUIRE_SERVICES=1 (set by .ci/run): there the test fails instead."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"Required service missing: {reason}")
    pytest.skip(reason)
