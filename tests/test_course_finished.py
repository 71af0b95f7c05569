"""The course finished page (courses:course_finished): what the learner passed and,
through the hook courses_course_finished_panels, the certificate: its number, the
download and the verification link, or that it is being made; reachable from the
course page and My learning; nobody else's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import format_html
from wagtail import hooks

from certificates import lifecycle, tasks
from certificates.models import Certificate
from courses.models import Enrolment
from tests.certificates_support import completed_enrolment, new_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def finished_url(course) -> str:
    return reverse("courses:course_finished", args=[course.pk])


def page_of(client, user, course):
    client.force_login(user)
    return client.get(finished_url(course))


def test_once_rendered_the_page_shows_the_number_the_download_and_the_verify_link(client):
    user, course = completed_enrolment()
    tasks.issue_certificate.run(user.pk, course.pk)
    certificate = Certificate.objects.select_related("current_version").get(user=user)
    assert certificate.current_version.pdf
    response = page_of(client, user, course)
    assert response.status_code == 200
    html = response.content.decode()
    assert "เรียนจบหลักสูตรแล้ว" in html and course.title in html
    assert "28 มกราคม 2562" in html  # completed on (tests.certificates_support)
    assert certificate.number in html
    download = reverse("certificates:download", args=[certificate.display_code])
    assert f'href="{download}" download>ดาวน์โหลดเกียรติบัตร (PDF)</a>' in html
    assert f'href="{certificate.get_absolute_url()}">หน้าตรวจสอบเกียรติบัตร</a>' in html
    assert certificate.display_code in html
    assert "data-certificate-pending" not in html
    # The download the button names works for the holder.
    assert client.get(download)["Content-Type"] == "application/pdf"


def test_before_the_certificate_is_issued_the_page_says_it_is_being_made(client):
    user, course = completed_enrolment()
    html = page_of(client, user, course).content.decode()
    assert "กำลังจัดทำเกียรติบัตรของคุณ โดยปกติใช้เวลาเพียงไม่กี่วินาที" in html
    assert "data-certificate-pending" in html
    assert "certificates/js/certificate-pending.js" in html
    # Without the script: a reload, and where it will be later.
    assert f'href="{finished_url(course)}">โหลดหน้านี้ใหม่</a>' in html
    assert f'href="{reverse("courses:my_learning")}">หรือดูภายหลังที่' in html
    assert "ดาวน์โหลดเกียรติบัตร" not in html


def test_issued_but_not_yet_rendered_the_page_shows_the_number_and_waits(client):
    user, course = completed_enrolment()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    html = page_of(client, user, course).content.decode()
    assert certificate.number in html
    assert "data-certificate-pending" in html
    assert "ดาวน์โหลดเกียรติบัตร" not in html


def test_a_revoked_certificate_is_said_to_be_revoked(client):
    user, course = completed_enrolment()
    tasks.issue_certificate.run(user.pk, course.pk)
    certificate = Certificate.objects.get(user=user)
    lifecycle.revoke_certificate(certificate, reason="ทดสอบ")
    html = page_of(client, user, course).content.decode()
    assert "เกียรติบัตรนี้ถูกเพิกถอนแล้ว" in html
    assert "ดาวน์โหลดเกียรติบัตร" not in html and "data-certificate-pending" not in html


def test_a_learner_who_has_not_finished_is_told_so_with_the_way_back(client):
    course = new_course()
    user = UserFactory()
    Enrolment.objects.create(user=user, course=course)
    response = page_of(client, user, course)
    assert response.status_code == 403
    html = response.content.decode()
    assert "ยังเรียนไม่จบหลักสูตรนี้" in html
    assert f'href="{course.url}"' in html
    assert "เรียนต่อ" in html
    assert "เกียรติบัตร" not in html


def test_someone_elses_completion_opens_nothing_for_another_learner(client):
    holder, course = completed_enrolment()
    tasks.issue_certificate.run(holder.pk, course.pk)
    number = Certificate.objects.get(user=holder).number
    response = page_of(client, UserFactory(), course)
    assert response.status_code == 403
    assert number not in response.content.decode()


def test_visitors_sign_in_first_and_unknown_courses_are_not_found(client):
    _user, course = completed_enrolment()
    response = client.get(finished_url(course))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(reverse("courses:course_finished", args=[987654])).status_code == 404


def test_the_course_page_and_my_learning_link_to_it_once_finished(client):
    user, course = completed_enrolment()
    client.force_login(user)
    link = f'href="{finished_url(course)}"'
    assert link in client.get(course.url).content.decode()
    assert link in client.get(reverse("courses:my_learning")).content.decode()


def test_an_unfinished_course_links_to_no_finished_page(client):
    course = new_course()
    user = UserFactory()
    Enrolment.objects.create(user=user, course=course)
    client.force_login(user)
    assert finished_url(course) not in client.get(course.url).content.decode()
    assert finished_url(course) not in client.get(reverse("courses:my_learning")).content.decode()


def greeting_panel(request, course):
    return format_html('<p class="host-finished">ยินดีด้วย {}</p>', course.title)


def test_a_hosts_panel_on_the_finished_page_gets_the_course(client):
    user, course = completed_enrolment()
    with hooks.register_temporarily("courses_course_finished_panels", greeting_panel):
        html = page_of(client, user, course).content.decode()
    assert f'<p class="host-finished">ยินดีด้วย {course.title}</p>' in html


def queries(client, url) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_finished_page_takes_the_same_queries_however_many_modules(client):
    counts = []
    for modules in (1, 4):
        user, course = completed_enrolment(course=new_course(modules=modules, lessons=2))
        tasks.issue_certificate.run(user.pk, course.pk)
        client.force_login(user)
        counts.append(queries(client, finished_url(course)))
    assert counts[0] == counts[1], counts


def test_the_finished_page_and_its_certificate_block_in_english(client):
    user, course = completed_enrolment()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(finished_url(course)).content.decode()
    assert "Course finished" in html and "Modules passed" in html
    assert "Your certificate is being made" in html and "Reload this page" in html
    assert "กำลังจัดทำ" not in html
