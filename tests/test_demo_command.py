"""`load_demo_course`, as `make run` calls it: the logins it prints name the address people
open (SITE_URL), and a second run keeps what the first made."""

import io

import pytest
from django.core.management import call_command

from courses.models import LessonPage


@pytest.mark.django_db
def test_the_demo_logins_name_the_address_the_site_is_served_on(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://192.168.1.20:8080"
    out = io.StringIO()
    call_command("load_demo_course", stdout=out)
    printed = out.getvalue()
    assert "Demo logins (http://192.168.1.20:8080/):" in printed
    assert "127.0.0.1:8000" not in printed
    assert "demo-trainer" in printed and "demo-volunteer" in printed

    lessons = LessonPage.objects.count()
    again = io.StringIO()
    call_command("load_demo_course", stdout=again)
    assert " 0 item(s) created" in again.getvalue()
    assert LessonPage.objects.count() == lessons > 0


@pytest.mark.django_db
def test_the_demo_course_asks_for_every_lesson_before_each_quiz(client):
    from django.urls import reverse

    from courses.models import CoursePage, ModulePage, QuizAttempt
    from tests.factories import UserFactory

    call_command("load_demo_course", stdout=io.StringIO())
    course = CoursePage.objects.get(slug="net-asa-pracharat")
    assert course.require_lessons_before_quiz
    module = ModulePage.objects.child_of(course).order_by("path").first()
    client.force_login(UserFactory())
    response = client.post(reverse("courses:quiz_start", args=[module.pk]))
    assert response.status_code == 403
    assert "อ่านบทเรียนให้ครบก่อนจึงจะเริ่มทำแบบทดสอบได้" in response.content.decode()
    assert not QuizAttempt.objects.exists()
