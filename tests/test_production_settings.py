"""Production settings as a sysadmin meets them: start-up refuses what is
missing, `check --deploy` is clean, static files are served for a year, both
brokers carry tasks, and the cache fails open."""

from __future__ import annotations

import json
import logging
import re
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from npv_site.cache import FailOpenRedisCache
from tests.factories import UserFactory, VolunteerProfileFactory
from tests.plugin_fixtures import skip_or_fail
from tests.production_server import (
    BASE_DIR,
    database_url,
    gunicorn,
    manage,
    production_env,
)
from tests.tcp_proxy import TCPProxy

ENV_MESSAGE = re.compile(r"Production settings need these environment variables: ([^.]*)\.")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_up(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def csp_directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def production_settings(env: dict, *names: str) -> dict:
    """Settings as a production process sees them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- start-up and checks -------------------------------------------------------


def test_check_deploy_passes_without_a_single_warning(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_missing_variables_stop_start_up_and_each_is_named(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=None, DATABASE_URL=None, CACHE_URL=None, SITE_URL="")
    result = manage(env, "check")
    assert result.returncode != 0
    named = ENV_MESSAGE.search(result.stderr).group(1).split(", ")
    assert named == ["SECRET_KEY", "DATABASE_URL", "SITE_URL", "CACHE_URL (or REDIS_URL)"]


def test_the_development_secret_key_is_refused(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY="dev-only-insecure-key-change-me"), "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be a random value of at least 50 characters" in result.stderr


def test_redis_url_serves_as_cache_and_sessions_stay_in_the_database(tmp_path):
    env = production_env(tmp_path, CACHE_URL=None, REDIS_URL="redis://127.0.0.1:6379/3")
    values = production_settings(env, "CACHES", "SESSION_ENGINE", "CSRF_TRUSTED_ORIGINS")
    assert values["CACHES"]["default"]["BACKEND"] == "npv_site.cache.FailOpenRedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://elearning.example.th"]


def test_media_storage_and_database_timeouts_come_from_the_environment(tmp_path):
    # Any Django storage backend is set the same way (django-storages' S3Storage
    # in docs/deploying.md); the file-system one needs nothing installed.
    env = production_env(
        tmp_path,
        MEDIA_STORAGE_BACKEND="django.core.files.storage.FileSystemStorage",
        MEDIA_STORAGE_OPTIONS=json.dumps({"location": "/srv/npv/media", "base_url": "/files/"}),
        CERTIFICATE_STORAGE_BACKEND="django.core.files.storage.FileSystemStorage",
        CERTIFICATE_STORAGE_OPTIONS=json.dumps({"location": "/srv/npv/private"}),
        DATABASE_CONNECT_TIMEOUT="3",
    )
    values = production_settings(env, "STORAGES", "DATABASES")
    assert values["STORAGES"]["default"]["OPTIONS"] == {
        "location": "/srv/npv/media",
        "base_url": "/files/",
    }
    assert values["STORAGES"]["certificates"]["OPTIONS"] == {"location": "/srv/npv/private"}
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    database = values["DATABASES"]["default"]
    assert database["OPTIONS"]["connect_timeout"] == 3
    assert database["CONN_HEALTH_CHECKS"] is True


# -- gunicorn, static files and security headers ---------------------------------


@pytest.mark.django_db
def test_gunicorn_serves_hashed_compressed_static_files_for_a_year(collected_static, tmp_path):
    manifest = json.loads((collected_static / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["css/site.css"]
    env = production_env(
        tmp_path,
        STATIC_ROOT=str(collected_static),
        DATABASE_URL=database_url(settings.DATABASES["default"]),
    )
    with gunicorn(env, tmp_path / "gunicorn.log") as server:
        hashed = server.get(f"/static/{hashed_css}", {"Accept-Encoding": "br, gzip"})
        plain = server.get("/static/css/site.css", {"Accept-Encoding": "gzip"})
        page = server.get("/accounts/login/")
    assert hashed.status == 200
    assert hashed.headers["Content-Encoding"] == "br"
    assert hashed.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    # Names without a hash may change content at the next release.
    assert plain.status == 200 and plain.headers["Content-Encoding"] == "gzip"
    assert "immutable" not in plain.headers["Cache-Control"]
    # The page links the hashed name.
    assert page.status == 200
    assert f"/static/{hashed_css}" in page.text


@pytest.mark.django_db
def test_production_pages_carry_hsts_csp_and_secure_cookies(collected_static, tmp_path):
    env = production_env(
        tmp_path,
        STATIC_ROOT=str(collected_static),
        DATABASE_URL=database_url(settings.DATABASES["default"]),
    )
    with gunicorn(env, tmp_path / "gunicorn.log") as server:
        page = server.get("/accounts/login/")
        admin = server.get("/admin/login/")
        plain_http = server.get("/accounts/login/", {"X-Forwarded-Proto": "http"})
    assert page.status == 200
    assert page.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    csp = csp_directives(page.headers["Content-Security-Policy"])
    assert csp["script-src"] == csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    admin_csp = csp_directives(admin.headers["Content-Security-Policy"])
    assert admin_csp["script-src"] == "'self' 'unsafe-inline'"
    cookies = page.headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)
    assert plain_http.status == 301
    assert plain_http.headers["Location"] == "https://elearning.example.th/accounts/login/"


# -- brokers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broker_url", "port"),
    [("redis://127.0.0.1:6379/15", 6379), ("amqp://127.0.0.1:5672//", 5672)],
    ids=["redis", "rabbitmq"],
)
def test_tasks_are_published_with_the_production_options_on_each_broker(tmp_path, broker_url, port):
    if not service_up(port):
        skip_or_fail(f"no broker at 127.0.0.1:{port}")
    queue = f"npv-test-{uuid.uuid4().hex[:12]}"
    code = f"""
import django
django.setup()
from npv_site.celery import app
app.send_task("courses.tasks.grade_attempt", args=[42], queue={queue!r})
with app.connection_for_read() as connection:
    with connection.SimpleQueue({queue!r}) as simple:
        message = simple.get(timeout=10)
        message.ack()
    connection.default_channel.queue_delete({queue!r})
print(message.headers["task"], message.payload[0])
"""
    env = production_env(tmp_path, CELERY_BROKER_URL=broker_url)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["courses.tasks.grade_attempt", "[42]"]


# -- the cache fails open ------------------------------------------------------------


def test_a_cache_on_a_closed_port_acts_as_an_empty_cache_and_warns_once(caplog):
    cache = FailOpenRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {})
    with caplog.at_level(logging.WARNING, logger="npv_site.cache"):
        assert cache.get("anything", "default") == "default"
        cache.set("key", "value")
        assert cache.add("key", "value") is False
        assert cache.get_or_set("key", lambda: "computed") == "computed"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.incr("counter", 3) == 3
        cache.delete("key")
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Cache unreachable" in warnings[0].getMessage()


@pytest.mark.django_db
def test_with_redis_unreachable_a_volunteer_stays_logged_in_and_pages_work(client):
    user = VolunteerProfileFactory(first_name="สมศรี").user
    closed = {
        "BACKEND": "npv_site.cache.FailOpenRedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
    }
    with override_settings(
        CACHES={"default": closed}, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"
    ):
        client.force_login(user)
        response = client.get(reverse("accounts_profile"))
        assert response.status_code == 200
        assert 'value="สมศรี"' in response.text


@pytest.mark.django_db
def test_a_logout_during_a_redis_outage_stays_a_logout_when_redis_returns(client):
    if not service_up(6379):
        skip_or_fail("no Redis at 127.0.0.1:6379")
    user = UserFactory(username="kanya")
    with TCPProxy("127.0.0.1", 6379) as proxy:
        cache_settings = {
            "BACKEND": "npv_site.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{proxy.port}/13",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            # Try Redis again at every call, so the test need not wait.
            "OPTIONS": {"retry_after": 0},
        }
        with override_settings(
            CACHES={"default": cache_settings},
            SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        ):
            from django.core.cache import cache

            client.force_login(user)
            session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
            assert cache.get(f"django.contrib.sessions.cached_db{session_key}")

            proxy.cut()
            assert client.get(reverse("accounts_profile")).status_code == 200
            client.post(reverse("account_logout"))

            proxy.restore()
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
            response = client.get(reverse("accounts_profile"))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
