import uuid

import pytest
from django.conf import settings

# A real Celery worker process for integration tests (see tests/celery_worker.py);
# headless Chromium for browser tests (see tests/browser.py); the project under
# production settings in gunicorn (see tests/production_server.py).
pytest_plugins = ["tests.celery_worker", "tests.browser", "tests.production_server"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, never into the repo."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Each test counts rate limits afresh (npv_site.ratelimits): counters are
    per user id or address, and ids repeat between tests."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _fresh_invitation_notices(settings):
    """Each test reads cohort-invitation notices afresh
    (courses.cohorts.invitation_notices): they are cached per user id."""
    settings.COHORT_NOTICE_CACHE_PREFIX = f"ci:{uuid.uuid4().hex}"


def skip_or_fail(reason: str):
    """Skip a test whose service or browser is missing, except where
    REQUIRE_SERVICES=1 (set by .ci/run): there the test fails instead."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"Required service missing: {reason}")
    pytest.skip(reason)
