"""Running the project under production settings, in separate processes, as
a deployment would: `manage.py` commands, and gunicorn with site/gunicorn.conf.py.

A pytest plugin (listed in tests/conftest.py): `collected_static` is a fixture everywhere.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "elearning.example.th"


def production_env(tmp_dir: Path, **overrides: str | None) -> dict[str, str]:
    """The environment a production process gets: every required variable set,
    runtime folders under tmp_dir. An override of None removes the variable."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the test run's own configuration leaks in.
        if not key.startswith(("DJANGO_", "NPV_", "DATABASE_", "CELERY_", "CACHE_", "REDIS_"))
        and key
        not in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SITE_URL",
            "CSRF_TRUSTED_ORIGINS",
            "STATIC_ROOT",
            "MEDIA_ROOT",
            "PYTEST_CURRENT_TEST",
        )
    }
    env.update(
        DJANGO_SETTINGS_MODULE="npv_site.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        SITE_URL=f"https://{HOST}",
        DATABASE_URL="postgres://npv@127.0.0.1:5432/npv",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        CACHE_URL="redis://127.0.0.1:6379/1",
        NPV_VAR_DIR=str(tmp_dir / "var"),
        STATIC_ROOT=str(tmp_dir / "static"),
        MEDIA_ROOT=str(tmp_dir / "media"),
        PYTHONUNBUFFERED="1",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """STATIC_ROOT after `collectstatic` under production settings (hashed and
    compressed by WhiteNoise), shared by every test of the session."""
    tmp_dir = tmp_path_factory.mktemp("production")
    env = production_env(tmp_dir)
    result = manage(env, "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr
    return tmp_dir / "static"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Server:
    port: int
    log: Path

    def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        """A request as nginx forwards it: HTTPS already terminated."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "Host": HOST,
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": "203.0.113.7",
                    **(headers or {}),
                },
            )
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        text = body.decode("utf-8", errors="replace")
        return Response(response.status, response.headers, text)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[Server]:
    """gunicorn as the Procfile starts it, on a free port, one worker."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "site/gunicorn.conf.py", "npv_site.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{log.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not listen:\n{log.read_text()}")
            time.sleep(0.1)
        yield Server(port=port, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def database_url(database: dict, port: int | None = None) -> str:
    """DATABASE_URL for the test database (as pytest-django set it up), through
    `port` instead of the server's own when given."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = port or database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"
