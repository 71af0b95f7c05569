"""Course pages take a fixed number of queries, whatever the number of lessons."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import LessonPage, ModulePage
from courses.progress import complete_lesson, enrol
from tests.factories import UserFactory, build_course


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Queries per page for a signed-in volunteer (session, user, site and routing
# included): lower a number when a change saves a query, never raise one to
# make this pass. A lesson is found in one query however deep it sits
# (HomePage.route), and a volunteer's page asks nothing about permissions.
# My learning's list of on-site notices (notifications) is one query, read or not.
EXPECTED_QUERIES = {"course": 13, "module": 15, "lesson": 13, "home": 12, "my_learning": 11}


@pytest.mark.django_db
@pytest.mark.parametrize("page_kind", sorted(EXPECTED_QUERIES))
def test_page_queries_do_not_grow_with_lessons_or_questions(client, page_kind):
    counts = []
    for size in (2, 6):
        course = build_course(modules=size // 2 + 1, lessons=size, questions=size)
        user = UserFactory()
        enrol(user, course)
        lesson = LessonPage.objects.descendant_of(course).order_by("path").last()
        complete_lesson(user, lesson)
        client.force_login(user)
        url = {
            "course": course.url,
            "module": ModulePage.objects.child_of(course).first().url,
            "lesson": lesson.url,
            "home": "/",
            "my_learning": "/learn/",
        }[page_kind]
        _queries(client, url)  # warm per-process caches (site root, content types)
        counts.append(_queries(client, url))
        course.get_parent().delete()
    assert counts == [EXPECTED_QUERIES[page_kind]] * 2, counts
