"""The plugin set as a Wagtail developer gets it: `python -m build` at the top of the
repository makes an sdist and, from it, a wheel of the apps `courses`, `certificates` and `notifications`
with everything they need at run time, and never the Net Pracharat site."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

APPS = ("courses", "certificates", "notifications")
# The site's import names and folders: the plugin wheel must never carry them, or it
# would shadow the host's own `home` app.
SITE = ("npv_site/", "home/", "site/", "tests/", "benchmarks/")


@pytest.fixture(scope="module")
def built(plugin_distributions):
    return plugin_distributions


def source_files(app: str) -> set[str]:
    root = Path(settings.BASE_DIR)
    return {
        path.relative_to(root).as_posix()
        for path in (root / app).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_wheel_holds_every_file_of_the_apps(built):
    wheel, _ = built
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set().union(*(source_files(app) for app in APPS))
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel: {missing[:20]}"
    # The kinds that a list of top-level packages alone used to leave out.
    for name in (
        "courses/searching.py",
        "courses/migrations/0001_initial.py",
        "courses/templates/courses/quiz/result.html",
        "courses/search/course_terms.txt",
        "certificates/templates/certificates/certificate.html",
        "certificates/migrations/0001_initial.py",
        "certificates/demo/signature-1.png",
        "notifications/migrations/0001_outbox.py",
        "notifications/templates/notifications/email.txt",
        "notifications/locale/en/LC_MESSAGES/django.mo",
    ):
        assert name in names


def test_wheel_never_ships_the_site(built):
    wheel, _ = built
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(name for name in names if name.startswith(SITE))
    assert shipped == []
    # The demo course is Net Pracharat's (site/demo/), not the plugins'.
    assert not [name for name in names if name.startswith("courses/demo")]
    top_level = {name.split("/")[0] for name in names if not name.endswith(".dist-info/")}
    assert {name for name in top_level if not name.endswith(".dist-info")} == set(APPS)


def test_twine_finds_the_distribution_clean(built):
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2
