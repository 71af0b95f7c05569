"""Reading counts when it happens: a lesson delivered to an enrolled learner is read.

A GET with a side effect, on purpose. It records that the page was delivered to its
reader, as Moodle's "view" completion does, so reading counts however the learner
moves on (the next-lesson link, the module's list, a bookmark), with or without
JavaScript. It is idempotent, written only the first time (the progress the page
reads anyway says whether the lesson is done, so a repeat visit costs nothing), and
changes nothing a third party could trick a learner into harming: at worst a lesson
counts as read that a forged link opened, which the learner could do with one tap.

What does not count: Wagtail's preview (it calls serve_preview, never the serve
chain this wraps), a password-protected lesson's form (answered before the chain),
a request that only asks (HEAD), a browser fetching ahead of the reader (prefetch,
prerender), and a learner who is not enrolled: a visit does not enrol (a trainer
browsing the course is not a learner); the page offers them the button, whose POST
(courses:mark_lesson_read) enrols and records, as the offline layer will send it.
A page fetched ahead and later shown from that copy (no such prefetching today) is
recorded only by that POST: whatever fetches ahead must send it when the page is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from courses.models import LessonPage
from courses.progress import record_lesson_opened

# Headers with which browsers ask for a page nobody is looking at yet: Chromium's
# speculation rules and <link rel=prefetch> (Sec-Purpose, and Purpose before it),
# Firefox (X-Moz) and Safari (X-Purpose).
PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Moz", "X-Purpose")
PREFETCH_WORDS = ("prefetch", "prerender", "preview")


def is_prefetch(request: HttpRequest) -> bool:
    return any(
        word in request.headers.get(header, "").lower()
        for header in PREFETCH_HEADERS
        for word in PREFETCH_WORDS
    )


def record_delivered_lesson(
    request: HttpRequest, lesson: LessonPage, response: HttpResponse
) -> None:
    """Record the lesson read if this response delivers it to an enrolled learner
    who has not read it, and let the page say so."""
    if request.method != "GET" or not isinstance(response, TemplateResponse):
        return
    context = response.context_data or {}
    if not context.get("enrolled") or context.get("lesson_done", True) or is_prefetch(request):
        return
    record_lesson_opened(request.user, lesson, context["module_progress"])
    context["lesson_done"] = True


def serve_recording_reading(serve_page: Callable) -> Callable:
    """Wraps Wagtail's serve chain (the on_serve_page hook, courses/wagtail_hooks.py)."""

    def serve(page, request, args, kwargs):
        response = serve_page(page, request, args, kwargs)
        if isinstance(page, LessonPage) and response.status_code == 200:
            record_delivered_lesson(request, page, response)
        return response

    return serve
