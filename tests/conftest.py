import shutil
import subprocess
import uuid

import pytest
from django.conf import settings

# A real Celery worker process for integration tests (see tests/celery_worker.py);
# headless Chromium for browser tests (see tests/browser.py); the project under
# production settings in gunicorn (see tests/production_server.py); the fixtures the
# plugins' tests need in any host, the minimal one too (see tests/plugin_fixtures.py).
pytest_plugins = [
    "tests.plugin_fixtures",
    "tests.celery_worker",
    "tests.browser",
    "tests.production_server",
]

# The minimal host runs in a pytest of its own, under its own settings and without this
# conftest (`make test`'s second step: --confcutdir=tests/minimal_host).
collect_ignore = ["minimal_host"]

# What the lock files cannot pin: the Debian packages the certificate reference image
# (Pango, HarfBuzz, fontconfig, fonts), the PDF checks (poppler) and the browser tests
# (Chromium) depend on. Printed at the start of every run, so a failure can be traced to
# an upgrade of one of them.
FLOATING_DEBIAN_PACKAGES = (
    "chromium",
    "libpango-1.0-0",
    "libharfbuzz0b",
    "libfontconfig1",
    "poppler-utils",
    "fonts-*",
)


def pytest_collection_modifyitems(config, items):
    """A transactional test without serialized_rollback flushes the database and
    lets post_migrate make the content types again, so the next test that restores
    its serialized rows meets them twice (IntegrityError at setup, every later
    transactional test of the run with it): refused here, where it is one line."""
    wrong = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get(
            "serialized_rollback"
        ):
            wrong.append(item.nodeid)
    if wrong:
        raise pytest.UsageError(
            "transaction=True needs serialized_rollback=True here (tests/browser.py says why): "
            + ", ".join(wrong)
        )


def pytest_report_header(config):
    if not shutil.which("dpkg-query"):
        return "Debian packages: dpkg-query not found, versions unknown"
    listing = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Package} ${Version}\\n",
         *FLOATING_DEBIAN_PACKAGES],
        capture_output=True, text=True, check=False,
    ).stdout
    installed = [line[3:].strip() for line in listing.splitlines() if line.startswith("ii ")]
    missing = [name for name in FLOATING_DEBIAN_PACKAGES[:-1]
               if not any(line.split()[0] == name for line in installed)]
    lines = ["Debian packages the lock does not pin: " + ", ".join(installed)]
    if missing:
        lines.append("  not installed: " + ", ".join(missing))
    return lines


@pytest.fixture(autouse=True)
def _fresh_invitation_notices(settings):
    """Each test reads cohort-invitation notices afresh
    (npv_site.cohorts.invitation_notices): they are cached per user id."""
    settings.COHORT_NOTICE_CACHE_PREFIX = f"ci:{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _fresh_cohort_stats(settings):
    """Each test works out a cohort's per-question figures afresh
    (npv_site.cohorts.reports.module_stats): on SQLite a rolled-back test
    gives its primary keys to the next, and the cache key holds them."""
    settings.COHORT_STATS_CACHE_PREFIX = f"cs:{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _fresh_place_suggestions(settings):
    """Each test reads the village register's place names afresh
    (npv_site.cohorts.places): they are cached per province for minutes."""
    settings.PLACES_CACHE_PREFIX = f"pl:{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def plugin_distributions(tmp_path_factory):
    """The plugin set's sdist and wheel as `python -m build` makes them at the top of
    the repository (tests/test_packaging.py lists them, tests/test_outside_host.py
    installs the wheel)."""
    import sys

    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: build with the locked setuptools already installed (no download).
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), "."],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist
