"""A lost database answers 503 with a Thai page, never a stack trace.

Django closes a broken connection at the end of the request (and checks a
persistent one before reuse, CONN_HEALTH_CHECKS), so the first request after
the database returns is served normally: nothing needs restarting.
"""

from __future__ import annotations

import logging
import sys

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable_response() -> HttpResponse:
    # Rendered without the request: the page must not touch the database
    # (no user, no site settings), and tells the browser when to try again.
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        # One line, not a traceback per request while the database is away.
        logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response()


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database error raised outside a view (in a middleware,
    say) also gets the 503 page; anything else Django's 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        return database_unavailable_response()
    return defaults.server_error(request, template_name)
