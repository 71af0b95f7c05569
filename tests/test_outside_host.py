"""The plugin set where a Wagtail developer puts it: a site made with `wagtail start`
in a temporary folder, its `home` app renamed `base` (so a leftover `home.HomePage`
in the plugins cannot pass by accident), the built wheel installed into a virtualenv
of its own, the apps, URLs and Celery set up as docs/plugins.md says, migrated, and a
real Celery worker of that site grading the quiz and rendering the certificate.

The host's virtualenv sees the project's locked dependencies (a .pth line naming the
project virtualenv's site-packages) but not its editable installs, so neither the
checkout's `courses` nor `npv_site` nor `home` can be imported there: only the wheel."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the outside host has its own SQLite database: run once, in the embedded pass",
    ),
]

HERE = Path(__file__).resolve().parent / "outside_host"
BASE_URL = "http://outside-host.example"
QUEUES = "grading,certificates,default"


def run(command, cwd, env, timeout=300):
    # Hidden from the traceback: its locals hold the whole environment.
    __tracebackhide__ = True
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} failed in the outside host:\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return result.stdout


def make_venv(folder: Path, wheel: Path) -> Path:
    """A virtualenv holding only the wheel, with the project's dependencies visible."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # A path named in a .pth file is added to sys.path; the .pth files inside it (the
    # editable installs of the checkout) are not run.
    Path(purelib, "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            purelib,
            str(wheel),
        ],
        check=True,
    )
    return python


def rename_home_to_base(project: Path) -> None:
    (project / "home").rename(project / "base")
    (project / "base" / "tests.py").unlink()
    (project / "base" / "templates" / "home").rename(project / "base" / "templates" / "base")
    replacements = {
        project / "base" / "apps.py": [('name = "home"', 'name = "base"')],
        project / "base" / "migrations" / "0002_create_homepage.py": [
            ('"home.HomePage"', '"base.HomePage"'),
            ('app_label="home"', 'app_label="base"'),
            ('("home", "0001_initial")', '("base", "0001_initial")'),
        ],
        project / "base" / "templates" / "base" / "home_page.html": [
            ("'home/welcome_page.html'", "'base/welcome_page.html'")
        ],
        project / "hostsite" / "settings" / "base.py": [('    "home",\n', '    "base",\n')],
    }
    for path, pairs in replacements.items():
        text = path.read_text()
        for old, new in pairs:
            assert old in text, f"`wagtail start` changed: {old!r} not in {path.name}"
            text = text.replace(old, new)
        path.write_text(text)


def add_the_plugins(project: Path) -> None:
    """docs/plugins.md: INSTALLED_APPS, Celery, the URLs."""
    settings = project / "hostsite" / "settings" / "base.py"
    settings.write_text(settings.read_text() + "\n" + (HERE / "host_settings.py").read_text())
    shutil.copy(HERE / "celery_app.py", project / "hostsite" / "celery.py")
    init = project / "hostsite" / "__init__.py"
    init.write_text(init.read_text() + "from .celery import app as celery_app  # noqa: F401\n")
    urls = project / "hostsite" / "urls.py"
    text = urls.read_text()
    anchor = '    path("search/", search_views.search, name="search"),\n'
    assert anchor in text
    urls.write_text(
        text.replace(
            anchor,
            anchor
            + '    path("learn/", include("courses.urls")),\n'
            + '    path("certificates/", include("certificates.urls")),\n',
        )
    )
    shutil.copy(HERE / "journey.py", project / "journey.py")


def test_a_site_made_with_wagtail_start_runs_the_plugins_from_the_wheel(
    plugin_distributions, tmp_path
):
    timings = {}
    started = time.monotonic()
    wheel, _ = plugin_distributions
    timings["wheel"] = time.monotonic() - started

    mark = time.monotonic()
    python = make_venv(tmp_path / "venv", wheel)
    project = tmp_path / "hostsite"
    project.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "NPV_", "PYTHON", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="hostsite.settings.dev",
        OUTSIDE_HOST_BASE_URL=BASE_URL,
        OUTSIDE_HOST_WORKER_LOG=str(tmp_path / "worker.log"),
        PYTHONUNBUFFERED="1",
    )
    run(
        [Path(sys.executable).with_name("wagtail"), "start", "hostsite", str(project)],
        tmp_path,
        env,
    )
    rename_home_to_base(project)
    add_the_plugins(project)
    timings["host"] = time.monotonic() - mark

    mark = time.monotonic()
    run([python, "manage.py", "check"], project, env)
    run([python, "manage.py", "migrate", "--noinput"], project, env)
    timings["migrate"] = time.monotonic() - mark

    mark = time.monotonic()
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            python,
            "-m",
            "celery",
            "-A",
            "hostsite",
            "worker",
            "-Q",
            QUEUES,
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        result = subprocess.run(
            [python, "journey.py"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
    timings["journey"] = time.monotonic() - mark
    worker_log = (tmp_path / "worker.log").read_text(errors="replace")
    if result.returncode != 0:
        pytest.fail(
            f"the journey failed:\n{result.stderr[-4000:]}\nworker log:\n{worker_log[-3000:]}",
            pytrace=False,
        )
    seen = json.loads(result.stdout)
    print("outside-host timings (s):", {k: round(v, 1) for k, v in timings.items()})

    venv = str((tmp_path / "venv").resolve())
    assert seen["courses_file"].startswith(venv), seen["courses_file"]
    assert seen["certificates_file"].startswith(venv), seen["certificates_file"]
    assert seen["site_importable"] == []
    assert seen["home_page_model"] == "base.HomePage"
    assert (seen["enrol"], seen["lesson"], seen["read"]) == (302, 200, 302)
    assert seen["lesson_text_shown"]
    assert (seen["quiz_start"], seen["quiz_page"], seen["submit"]) == (302, 200, 302)
    assert seen["passed"] is True
    assert "courses.tasks.grade_attempt" in worker_log
    assert re.search(r"certificates\.tasks\.\w+.*succeeded", worker_log)
    assert seen["holder_name"] == "สมศรี มีสุข"
    assert seen["pdf_bytes"] > 10_000
    assert seen["pdf_path"].startswith(str(project.resolve()))
    assert seen["qr_texts"] == [seen["expected_verify_url"]]
    assert seen["expected_verify_url"].startswith(BASE_URL + "/certificates/verify/")
    assert (seen["verify"], seen["verify_shows_name"]) == (200, True)
