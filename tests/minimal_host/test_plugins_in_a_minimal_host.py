"""The plugin set in a host that is not the Net Pracharat site: its own home page
(`host.HostHomePage`), its own user model without first/last name (`host.User`), its
own base.html whose blocks are `page_title`, `main` and `js` (COURSES_BASE_TEMPLATE names
a bridge to them), no npv_site, no home, no allauth (tests/minimal_host/settings.py). A
learner goes from the course to a verified certificate through the plugins' own URLs;
Celery runs the tasks eagerly."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from wagtail import hooks
from wagtail.models import Page, Site

from certificates.models import Certificate
from courses.models import (
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    ModulePage,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)
from tests.minimal_host.host.models import HostHomePage

LESSON_TEXT = "เราเตอร์ของหมู่บ้านต่อกับสายใยแก้วที่ช่อง PON"
LEARNER_NAME = "สมศรี มีสุข"


def test_system_checks_pass_in_the_minimal_host():
    # Raises SystemCheckError on any error (a page type naming home.HomePage, say).
    call_command("check", fail_level="ERROR")


def test_the_host_installs_none_of_the_site(settings):
    site_apps = [
        app
        for app in settings.INSTALLED_APPS
        if app.split(".")[0] in ("npv_site", "home", "allauth")
    ]
    assert site_apps == []
    # Installed in the project's virtualenv, yet unimportable here (site_blocker.py).
    with pytest.raises(ModuleNotFoundError):
        __import__("npv_site")


def host_home() -> HostHomePage:
    root = Page.get_first_root_node()
    home = root.add_child(instance=HostHomePage(title="Host home", slug="host-home"))
    # Saved, not updated: the save clears Wagtail's cached site root paths, which the
    # tests run before this one have filled with the old root.
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


def one_course(home: HostHomePage) -> tuple[CoursePage, ModulePage, LessonPage]:
    assert CourseIndexPage.can_create_at(home), (
        "CourseIndexPage cannot be created under the host's own home page "
        f"(parent_page_types = {CourseIndexPage.parent_page_types})"
    )
    index = home.add_child(instance=CourseIndexPage(title="หลักสูตร", slug="courses"))
    course = index.add_child(instance=CoursePage(title="การดูแลเราเตอร์", slug="router"))
    module = course.add_child(
        instance=ModulePage(title="รู้จักเราเตอร์", slug="router-basics", pass_mark=60)
    )
    lesson = module.add_child(
        instance=LessonPage(
            title="ช่องต่อสาย",
            slug="ports",
            body=[{"type": "paragraph", "value": f"<p>{LESSON_TEXT}</p>"}],
        )
    )
    for number, (text, right, wrong) in enumerate(
        [
            ("ไฟ PON สีแดงกะพริบหมายถึงอะไร", "สายใยแก้วมีปัญหา", "ปกติ"),
            ("ห้ามแตะสายไฟฟ้าบนเสา", "ถูก", "ผิด"),
        ]
    ):
        question = QuizQuestion.objects.create(
            module=module, kind="single", text=text, points=1, sort_order=number
        )
        QuizChoice.objects.create(question=question, text=right, is_correct=True, sort_order=0)
        QuizChoice.objects.create(question=question, text=wrong, sort_order=1)
    return course, module, lesson


def main_of(response) -> str:
    html = response.content.decode()
    found = re.search(r'<main id="host-main">(.*?)</main>', html, re.S)
    assert found, "the page is not drawn in the host's base.html"
    return found.group(1)


@pytest.mark.django_db(transaction=True)
def test_a_learner_passes_and_gets_a_verified_certificate_in_the_minimal_host():
    course, module, lesson = one_course(host_home())
    learner = get_user_model().objects.create_user(
        username="somsri", email="", password="x", full_name=LEARNER_NAME
    )
    client = Client()
    client.force_login(learner)

    assert client.post(f"/learn/courses/{course.pk}/enrol/").status_code == 302
    page = client.get(lesson.url)
    assert page.status_code == 200
    assert LESSON_TEXT in main_of(page), (
        "the lesson's text is not inside the host's <main> block: the plugin's templates "
        "fill blocks the host's base.html does not have"
    )
    # Opening it counted as reading it (the plugin's on_serve_page hook, in any host);
    # the button's POST, which the offline layer uses too, changes nothing then.
    assert lesson.completions.filter(user=learner).exists()
    assert client.post(f"/learn/lessons/{lesson.pk}/read/").status_code == 302
    assert lesson.completions.filter(user=learner).count() == 1

    started = client.post(f"/learn/modules/{module.pk}/quiz/start/")
    assert started.status_code == 302, started.content[:500]
    attempt = QuizAttempt.objects.get(user=learner)
    quiz_page = client.get(started["Location"])
    assert quiz_page.status_code == 200
    # The host's script block is `js`, not the site's `extra_js`: the quiz script is there all
    # the same (the plugins keep their scripts inside `content`).
    assert "quiz.js" in main_of(quiz_page), "the quiz script is not on the quiz page"
    form = {"question": [], "action": "submit"}
    for question in attempt.questions:
        form["question"].append(str(question["id"]))
        form[f"answer-{question['id']}"] = [
            str(c["id"]) for c in question["choices"] if c["is_correct"]
        ]
    assert client.post(f"/learn/quiz/{attempt.pk}/submit/", form).status_code == 302

    attempt.refresh_from_db()
    assert attempt.passed, f"graded {attempt.score_percent}% ({attempt.status})"
    certificate = Certificate.objects.get(user=learner, course=course)
    # The pass finished the course: the result leads to the finished page, which shows
    # the certificate (the tasks ran eagerly) through the courses' own hook.
    finished_url = f"/learn/courses/{course.pk}/finished/"
    assert f'href="{finished_url}"' in main_of(client.get(f"/learn/quiz/{attempt.pk}/"))
    finished = main_of(client.get(finished_url))
    assert certificate.number in finished
    assert f'href="/certificates/download/{certificate.display_code}/" download' in finished
    assert f'href="/certificates/verify/{certificate.display_code}/"' in finished
    version = certificate.current_version
    assert version.holder_name == LEARNER_NAME
    pdf = version.pdf.open("rb").read()
    assert pdf.startswith(b"%PDF")

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert LEARNER_NAME.replace(" ", "") in text.replace(" ", "").replace("\n", "")

    verify_url = f"http://host.example/certificates/verify/{certificate.display_code}/"
    assert certificate.get_verification_url() == verify_url
    verify = Client().get(f"/certificates/verify/{certificate.display_code}/")
    assert verify.status_code == 200
    assert LEARNER_NAME in main_of(verify)

    # The notifications plugin told the learner on My learning (no e-mail address: no e-mail),
    # with links back into this host.
    my_learning = main_of(client.get("/learn/"))
    assert "คุณสอบผ่าน" in my_learning
    assert f"เกียรติบัตร {course.title} พร้อมแล้ว" in my_learning
    assert f"http://host.example/learn/quiz/{attempt.pk}/" in my_learning
    assert "/notifications/preferences/" in my_learning


@pytest.mark.django_db(transaction=True)
def test_notifications_reach_a_host_user_by_email_with_one_click_unsubscribe():
    from django.core import mail

    import notifications
    from notifications.models import Delivery

    learner = get_user_model().objects.create_user(
        username="malee", email="malee@host.example", password="x", full_name=LEARNER_NAME
    )
    # Tasks run eagerly in this host: the e-mail goes when the event commits.
    notifications.notify(
        "courses.grade_ready",
        [learner.pk],
        key="minimal-host-grade",
        context={"attempt_id": 1, "passed": True, "percent": "100", "module_title": "บทที่ 1"},
    )
    assert set(Delivery.objects.values_list("channel", "status")) == {
        ("email", "sent"),
        ("site", "sent"),
    }
    (email,) = mail.outbox
    assert email.to == ["malee@host.example"] and email.subject == "คุณสอบผ่าน บทที่ 1 แล้ว"
    unsubscribe = re.search(
        r"<http://host\.example(/notifications/unsubscribe/[^>]+)>",
        email.extra_headers["List-Unsubscribe"],
    ).group(1)
    assert Client(enforce_csrf_checks=True).post(unsubscribe).status_code == 200
    notifications.notify(
        "courses.grade_ready", [learner.pk], key="again", context={"attempt_id": 2}
    )
    assert len(mail.outbox) == 1


def test_the_plugins_bring_their_own_english():
    # The host has no catalogue of its own: the texts come from the plugins'
    # locale folders, which the wheel ships.
    from django.utils import translation

    # The msgids are passed as variables, so makemessages does not take
    # them for strings of this host's own.
    expected = {"บทเรียน": "Lessons", "เกียรติบัตร": "Certificate"}
    with translation.override("en"):
        assert {thai: translation.gettext(thai) for thai in expected} == expected


@pytest.fixture
def _site_root_paths_forgotten():
    # The test's new site root is rolled back, Wagtail's cache of it must go too.
    yield
    Site.clear_site_root_paths_cache()


@pytest.mark.django_db
@pytest.mark.usefixtures("_site_root_paths_forgotten")
def test_a_visitor_is_sent_to_the_hosts_own_login_and_offered_no_signup():
    # The host has no allauth: the plugins' pages link to its LOGIN_URL ("/login/") and,
    # without COURSES_SIGNUP_URL, to no signup page.
    course, module, lesson = one_course(host_home())
    for page in (course, module, lesson):
        html = main_of(Client().get(page.url))
        assert 'href="/login/?next=' in html, page.url
        assert "สมัครเรียนฟรี" not in html, page.url
    response = Client().get("/certificates/download/ABCD-EFGH/")
    assert response.status_code == 403
    assert 'href="/login/?next=' in response.content.decode()


@pytest.fixture
def without_certificates_hooks(monkeypatch):
    """The host as if `certificates` were not installed: its panels on the courses'
    pages are its hooks (courses never imports it), so they go."""
    from wagtail.hooks import _hooks

    hooks.search_for_hooks()
    for name in list(_hooks):
        kept = [
            (fn, order)
            for fn, order in _hooks[name]
            if not fn.__module__.startswith("certificates.")
        ]
        monkeypatch.setitem(_hooks, name, kept)
    assert not any(
        fn.__module__.startswith("certificates.")
        for fn in hooks.get_hooks("courses_course_finished_panels")
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("_site_root_paths_forgotten", "without_certificates_hooks")
def test_the_finished_page_stands_without_the_certificates():
    course, _module, _lesson = one_course(host_home())
    learner = get_user_model().objects.create_user(
        username="somchai", email="", password="x", full_name=LEARNER_NAME
    )
    Enrolment.objects.create(user=learner, course=course, completed_at="2026-01-28T10:00+07:00")
    client = Client()
    client.force_login(learner)
    response = client.get(f"/learn/courses/{course.pk}/finished/")
    assert response.status_code == 200
    html = main_of(response)
    assert "เรียนจบหลักสูตรแล้ว" in html and course.title in html
    assert "รู้จักเราเตอร์" in html  # the module passed
    assert "เกียรติบัตร" not in html and "certificate" not in html
    assert 'href="/learn/"' in html
