import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page

from courses.models import LessonPage
from tests.factories import UserFactory, build_course


@pytest.fixture
def trainer(db):
    user = UserFactory(username="trainer1")
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


def test_trainers_may_edit_and_publish_course_pages(trainer):
    course = build_course(modules=1, lessons=1, questions=0)
    lesson = LessonPage.objects.descendant_of(course).first()
    perms = lesson.permissions_for_user(trainer)
    assert perms.can_edit() and perms.can_publish()
    assert course.permissions_for_user(trainer).can_add_subpage()


def test_trainer_opens_the_lesson_editor(client, trainer):
    course = build_course(modules=1, lessons=1, questions=0)
    lesson = LessonPage.objects.descendant_of(course).first()
    client.force_login(trainer)
    assert client.get("/admin/").status_code == 200
    assert client.get(f"/admin/pages/{lesson.pk}/edit/").status_code == 200
    assert client.get("/admin/images/").status_code == 200
    assert client.get("/admin/documents/").status_code == 200


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/groups/", "/admin/sites/", "/django-admin/"])
def test_trainer_cannot_reach_user_group_or_site_management(client, trainer, url):
    client.force_login(trainer)
    response = client.get(url)
    # Wagtail redirects a user without permission back to the dashboard;
    # Django's admin sends non-staff users to its login page.
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or "/users/" not in response.get("Location", "")


def test_volunteer_cannot_reach_the_admin(client, db):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_trainer_can_not_delete_the_site_root(trainer):
    root = Page.get_first_root_node()
    assert not root.permissions_for_user(trainer).can_delete()
