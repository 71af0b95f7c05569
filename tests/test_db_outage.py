"""A lost database: pages answer 503 with a Thai message and no stack trace,
and the site recovers by itself when the database comes back."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import InterfaceError, OperationalError

from tests.production_server import (
    database_url,
    gunicorn,
    production_env,
)
from tests.tcp_proxy import TCPProxy

THAI_MESSAGE = "ขณะนี้ฐานข้อมูลของระบบไม่พร้อมให้บริการ"


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def assert_is_the_503_page(status: int, retry_after: str | None, text: str) -> None:
    assert status == 503
    assert retry_after == "30"
    assert "ระบบขัดข้องชั่วคราว" in text and THAI_MESSAGE in text
    for leak in ("Traceback", "OperationalError", "InterfaceError", "psycopg", "sqlite"):
        assert leak not in text


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
@pytest.mark.django_db
def test_a_database_error_in_a_view_answers_503_in_thai(client, error):
    with mock.patch("wagtail.models.Site.find_for_request",
                    side_effect=error("connection to server failed")):
        response = client.get("/")
    assert_is_the_503_page(response.status_code, response.get("Retry-After"), response.text)


@pytest.mark.django_db
def test_a_database_error_outside_a_view_answers_503_too(client):
    """Saving the session happens in a middleware, after the view: handler500."""
    client.raise_request_exception = False
    with mock.patch.object(SessionMiddleware, "process_response",
                           side_effect=OperationalError("server closed the connection")):
        response = client.get("/accounts/login/")
    assert_is_the_503_page(response.status_code, response.get("Retry-After"), response.text)


@pytest.mark.django_db
def test_other_errors_still_get_the_500_page(client):
    client.raise_request_exception = False
    with mock.patch("wagtail.models.Site.find_for_request", side_effect=ValueError("bug")):
        response = client.get("/")
    assert response.status_code == 500
    assert "ระบบมีปัญหาชั่วคราว" in response.text


@pytest.mark.postgres
@pytest.mark.django_db
def test_while_postgresql_is_unreachable_pages_answer_503_and_recover_by_themselves(
    collected_static, tmp_path
):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the outage is simulated in front of PostgreSQL (DATABASE_URL=postgres://...)")
    with TCPProxy(database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)) as proxy:
        env = production_env(
            tmp_path,
            STATIC_ROOT=str(collected_static),
            DATABASE_URL=database_url(database, port=proxy.port),
            DATABASE_CONNECT_TIMEOUT="2",
            CACHE_URL="locmemcache://",
        )
        with gunicorn(env, tmp_path / "gunicorn.log") as server:
            before = server.get("/")
            proxy.cut()
            during = [server.get("/"), server.get("/")]
            proxy.restore()
            after = server.get("/")
    assert before.status == 200
    for response in during:
        assert_is_the_503_page(response.status, response.headers["Retry-After"], response.text)
        # Still under the site's security headers.
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert after.status == 200 and title(after.text) == title(before.text)
    # The log says what happened in one line per request, without a traceback.
    log = server.log.read_text()
    assert log.count("Database unavailable on GET /") == 2
    assert "Traceback" not in log
