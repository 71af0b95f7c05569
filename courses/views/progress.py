from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import CoursePage, LessonPage
from courses.progress import complete_lesson, course_progress, enrol, learning_overview
from courses.shortcuts import render


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would take "²" or "x" for the name
    # of a URL pattern and fail to reverse it.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def enrol_in_course(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    enrol(request.user, course)
    messages.success(request, _("ลงทะเบียนเรียน “%(course)s” แล้ว") % {"course": course.title})
    return redirect(_next_url(request, course.url))


@login_required
@require_POST
def mark_lesson_read(request, lesson_id: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    complete_lesson(request.user, lesson)
    return redirect(_next_url(request, lesson.url))


@login_required
def my_learning(request):
    return render(
        request, "courses/my_learning.html", {"course_progress": learning_overview(request.user)}
    )


@login_required
def course_finished(request, course_id: int):
    """The course finished moment: what the learner passed and, through the
    hook courses_course_finished_panels, what other apps give for it (the
    certificate). Someone who has not finished the course is told so, with
    the way back to it."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    progress = course_progress(request.user, course)
    return render(
        request,
        "courses/course_finished.html",
        {"course": course, "progress": progress},
        status=200 if progress.completed else 403,
    )
