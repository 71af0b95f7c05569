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


def skip_or_fail(reason: str):
    """Skip a test whose service or browser is missing, except where
    REQUIRE_SERVICES=1 (set by .ci/run): there the test fails instead."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"Required service missing: {reason}")
    pytest.skip(reason)
