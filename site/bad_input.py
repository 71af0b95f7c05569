"""Requests no form or filter can use are answered 400 before any view runs.

A NUL character in a query string, a path or a form field reaches the
database as it is: PostgreSQL refuses a string with NUL in it (ValueError, a
500, or a CSV download cut off mid-stream), and Wagtail's own searches (its
admin API's ?search=, its listing filters) pass it on unchecked upstream.
Percent-escapes that are not UTF-8 are turned into U+FFFD by Django and
would be searched for or saved as that. A number past 64 bits overflows
SQLite wherever a form hands it to the database as an id. Nobody types these,
so the request is refused as a whole, with a Thai page, and nothing is
changed. A path
naming an id no database column can hold is a 404 for the same reason.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, unquote_to_bytes

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from npv_site.input_rules import MAX_ID, parse_id

logger = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Views of these packages read some submitted fields without checking them, so a
# hand-made request makes them raise (upstream bugs, each found by
# tests/test_hostile_input.py): Wagtail's StreamBlock.value_from_datadict raises
# KeyError without the "<name>-count" field; its page chooser widget calls int() on
# the posted value (sites, redirects); its bulk actions filter pk__in on the raw
# ?id= values; django-taggit's merge-tags view calls int() on the posted tag ids.
# A browser using those screens never sends such a request, so there the error is
# the request's, answered 400, and logged with its traceback so a real bug still shows.
UPSTREAM_VIEW_PACKAGES = ("wagtail.", "taggit.", "django.contrib.admin.")
UPSTREAM_INPUT_ERRORS = (KeyError, ValueError, TypeError)
ADMIN_PATHS = ("/admin/", "/django-admin/")


def _too_big(value: str) -> bool:
    """A number past the 64-bit range: no id, count or code of the site is
    one, and Django's choice fields hand it to the database, where SQLite
    raises OverflowError (ModelMultipleChoiceField checks only ValueError)."""
    if len(value) < 19 or not value.isascii() or not value.isdigit():
        return False
    return len(value) > 19 or int(value) > MAX_ID


def _unreadable(encoded: str) -> bool:
    """A query string or form body with NUL, invalid UTF-8 or a number no
    database column holds in it."""
    if not encoded:
        return False
    raw = unquote_to_bytes(encoded.replace("+", " "))
    if b"\x00" in raw:
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(
        _too_big(value) for _name, value in parse_qsl(encoded, keep_blank_values=True)
    )


def _unreadable_values(values) -> bool:
    return any(
        isinstance(value, str) and ("\x00" in value or _too_big(value)) for value in values
    )


def unreadable_input(request: HttpRequest) -> bool:
    if "\x00" in request.path or _unreadable(request.META.get("QUERY_STRING", "")):
        return True
    if request.method != "POST":
        return False
    content_type = request.content_type or ""
    if content_type == "application/x-www-form-urlencoded":
        try:
            body = request.body
        except Exception:
            return False  # too big: Django answers 400 itself when the view reads it
        return _unreadable(body.decode("latin-1"))
    if content_type == "multipart/form-data":
        try:
            post = request.POST
        except Exception:
            return False  # a broken multipart body: Django answers 400 itself
        return any(_unreadable_values([key, *post.getlist(key)]) for key in post) or any(
            "\x00" in (upload.name or "") for upload in request.FILES.values()
        )
    return False


def bad_input_response(request: HttpRequest) -> HttpResponse:
    message = _(
        "คำขอนี้มีสิ่งที่ระบบอ่านไม่ได้ (อักขระว่าง NUL ข้อความที่ไม่ใช่ UTF-8 "
        "หรือตัวเลขยาวเกินกว่าที่ระบบรับได้) กรุณากลับไปแก้ข้อความที่พิมพ์แล้วลองใหม่"
    )
    return HttpResponseBadRequest(
        render_to_string("400.html", {"message": message}, request=request)
    )


def names_impossible_id(path: str) -> bool:
    """A path segment of digits past the 64-bit range names no object: Django's
    `<int:...>` converter (ours and Wagtail's) hands it to the database as it
    is, where SQLite raises OverflowError."""
    return any(
        segment.isascii() and segment.isdigit() and parse_id(segment) is None
        for segment in path.split("/")
        if len(segment) > 18
    )


class UnreadableInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if unreadable_input(request):
            return bad_input_response(request)
        if names_impossible_id(request.path_info):
            raise Http404
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, UPSTREAM_INPUT_ERRORS):
            return None
        # The editors' screens only: a public page's error stays a 500.
        if not request.path_info.startswith(ADMIN_PATHS):
            return None
        match = request.resolver_match
        view = getattr(match, "func", None)
        module = getattr(getattr(view, "view_class", view), "__module__", "") or ""
        if not module.startswith(UPSTREAM_VIEW_PACKAGES):
            return None
        logger.warning(
            "Bad input to %s (%s) answered 400", request.path, module, exc_info=exception
        )
        return bad_input_response(request)
