"""The base-template contract: the plugins' pages extend the host's base template
named by COURSES_BASE_TEMPLATE, fill its `title` and `content`, keep their scripts
inside `content`, and the system checks name a base that lacks a block."""

import pytest
from django.core import checks
from django.urls import reverse

from courses import attempts as quiz
from tests.factories import UserFactory
from tests.quiz_helpers import quiz_module

pytestmark = pytest.mark.django_db

# A host whose blocks are not the Net Pracharat site's: its script block is `js`.
HOST_BASE = (
    "<!doctype html><title>{% block title %}{% endblock %} · Host</title>"
    '<div class="host">{% block content %}{% endblock %}</div>{% block js %}{% endblock %}'
)


@pytest.fixture
def host_templates(settings, tmp_path):
    def use(source: str, name: str = "host/base.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source, encoding="utf-8")
        engine = settings.TEMPLATES[0]
        settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine.get("DIRS", [])]}]
        settings.COURSES_BASE_TEMPLATE = name

    return use


def errors(prefix: str = "courses.E"):
    return {m.id: m.msg for m in checks.run_checks() if m.id and m.id.startswith(prefix)}


def test_quiz_pages_keep_their_script_in_a_host_whose_script_block_has_another_name(
    client, host_templates, monkeypatch
):
    host_templates(HOST_BASE)
    monkeypatch.setattr(quiz, "send_grading_job", lambda job_id: True)
    module = quiz_module()
    user = UserFactory()
    client.force_login(user)
    attempt = quiz.start_attempt(user, module)
    html = client.get(reverse("courses:quiz_attempt", args=[attempt.pk])).content.decode()
    assert '<div class="host">' in html and "· Host</title>" in html
    assert "courses/js/quiz.js" in html.split('<div class="host">', 1)[1]
    assert errors() == {}


def test_course_pages_and_verification_extend_the_hosts_base(client, host_templates):
    host_templates(HOST_BASE)
    module = quiz_module()
    for url in (module.url, module.get_parent().url, reverse("certificates:verify_lookup")):
        html = client.get(url).content.decode()
        assert '<div class="host">' in html, url


def test_a_base_template_without_content_is_named_in_one_sentence(host_templates):
    host_templates("<title>{% block title %}{% endblock %}</title>{% block main %}{% endblock %}")
    assert errors() == {
        "courses.E004": "The base template 'host/base.html' has no {% block content %}, which "
        "the courses and certificates pages fill: add it, or name another base in "
        "COURSES_BASE_TEMPLATE."
    }


def test_blocks_of_the_bases_own_parent_count(host_templates):
    host_templates(HOST_BASE, name="host/layout.html")
    host_templates('{% extends "host/layout.html" %}{% block title %}x{% endblock %}')
    assert errors() == {}


def test_a_missing_base_template_is_an_error(settings):
    settings.COURSES_BASE_TEMPLATE = "no/such/base.html"
    assert "no/such/base.html" in errors()["courses.E003"]
