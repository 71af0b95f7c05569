""""My learning" shows what a host site adds with the hook courses_my_learning_panels
(courses/templatetags/courses_panels.py); Net Pracharat adds the cohort invitations."""

import pytest
from django.utils.html import format_html
from wagtail import hooks

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def greeting_panel(request):
    return format_html('<p class="host-panel">สวัสดี {}</p>', request.user.get_username())


def unsafe_panel(request):
    return "<script>alert(1)</script>"


def test_a_hosts_panel_is_shown_on_my_learning(client):
    client.force_login(UserFactory(username="somsri"))
    with hooks.register_temporarily("courses_my_learning_panels", greeting_panel):
        page = client.get("/learn/").content.decode()
    assert '<p class="host-panel">สวัสดี somsri</p>' in page
    assert page.index("host-panel") < page.index("card-list")


def test_a_panel_returned_as_plain_text_is_escaped(client):
    client.force_login(UserFactory())
    with hooks.register_temporarily("courses_my_learning_panels", unsafe_panel):
        page = client.get("/learn/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_without_invitations_the_site_adds_no_invitations_panel(client):
    client.force_login(UserFactory())
    assert "my-invitations-heading" not in client.get("/learn/").content.decode()
