"""What the benchmark scripts share: a database of their own, production
settings for a gunicorn they start, and stopping what they started."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def use_own_test_database(name: str) -> None:
    """Test settings with a database of the script's own, never the
    developer's nor a test run's: call before django.setup()."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "npv_site.settings.test"
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["NPV_TEST_DB"] = f"bench_{name}_{os.getpid()}"
    else:
        os.environ["NPV_TEST_DB"] = str(BASE_DIR / "var" / f"bench-{name}-{os.getpid()}.sqlite3")


def run_in_test_database(run: Callable[[str], None]) -> None:
    """Create the script's database (see use_own_test_database), call
    run(its name) and drop it again, whatever happens."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(name)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def production_env(folder: Path, port: int, **overrides: str) -> dict[str, str]:
    """The environment of a production-settings process serving 127.0.0.1:port
    from `folder`: none of the caller's Django, database or broker settings
    leak in; SQLite and the filesystem broker unless `overrides` say otherwise."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "NPV_", "DATABASE_", "CELERY_", "CACHE_", "REDIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="npv_site.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="False",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        CELERY_BROKER_URL="filesystem://",
        CACHE_URL="locmemcache://",
        NPV_VAR_DIR=str(folder / "var"),
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG="/dev/null",
        PYTHONPATH=os.pathsep.join([str(BASE_DIR), str(BASE_DIR / "benchmarks")]),
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def stop_process(process: subprocess.Popen) -> None:
    """Stop a process started in a session of its own, with its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
