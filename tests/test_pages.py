import re

import pytest
import wagtail_factories
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils import WagtailPageTestCase

from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from home.models import HomePage
from tests.factories import (
    LessonPageFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)


class PageTreeTests(WagtailPageTestCase):
    def test_page_tree_allows_course_structure_only(self):
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_every_page_of_a_course_renders(self):
        course = build_course(modules=1, lessons=2, questions=1)
        module = course.get_children().first().specific
        lesson = module.get_children().first().specific
        for page in (course.get_parent().get_parent(), course.get_parent(), course, module, lesson):
            self.assertPageIsRenderable(page)

    def test_lesson_page_shows_its_body(self):
        course = build_course(modules=1, lessons=1, questions=0)
        lesson = LessonPage.objects.descendant_of(course).first()
        response = self.client.get(lesson.url)
        self.assertContains(response, "เน็ตประชารัฐคืออินเทอร์เน็ตของหมู่บ้าน")



# -- Routing: every page on the path in one query (HomePage.route) ---------------


@pytest.mark.django_db
def test_a_lesson_is_served_with_its_module_from_one_routing_query(client):
    course = build_course(modules=2, lessons=3, questions=0)
    module = ModulePage.objects.child_of(course).order_by("path").last()
    lesson = LessonPage.objects.child_of(module).order_by("path")[1]
    client.get(lesson.url)  # warm per-process caches (site root, content types)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(lesson.url)

    assert response.status_code == 200
    assert response.context["page"] == lesson
    assert response.context["module"] == module
    assert response.context["lesson_number"] == 2
    page_queries = [q for q in queries.captured_queries if '"wagtailcore_page"' in q["sql"]]
    # The site's root page and its specific object, the path, the lesson's own
    # fields, Wagtail's view-restriction check, and the course's modules and lessons.
    assert len(page_queries) == 7, "\n".join(q["sql"] for q in page_queries)


@pytest.mark.django_db
def test_routing_finds_a_page_only_at_its_own_place_and_only_when_live(client):
    course = build_course(modules=2, lessons=1, questions=0)
    first, second = ModulePage.objects.child_of(course).order_by("path")
    # Slugs are unique among siblings only: each module has a lesson "same".
    in_first = LessonPageFactory(parent=first, slug="same", title="บทเรียนในโมดูลแรก")
    in_second = LessonPageFactory(parent=second, slug="same", title="บทเรียนในโมดูลที่สอง")
    draft = LessonPageFactory(parent=first, slug="draft", live=False)

    assert client.get(in_first.url).context["page"] == in_first
    assert client.get(in_second.url).context["page"] == in_second
    assert client.get(f"{course.url}same/").status_code == 404  # a lesson is under a module
    assert client.get(f"{first.url}no-such-lesson/").status_code == 404
    assert client.get(f"{first.url}same/extra/").status_code == 404
    assert client.get(f"{first.url}{draft.slug}/").status_code == 404
    assert client.get(course.url).context["page"] == course
    assert client.get("/").context["page"] == course.get_parent().get_parent().specific


# -- Wagtail's user bar: for those who can edit, free for everyone else ------------


@pytest.mark.django_db
def test_a_volunteer_gets_no_user_bar_and_no_permission_queries(client):
    course = build_course(modules=1, lessons=1, questions=0)
    lesson = LessonPage.objects.descendant_of(course).get()
    client.force_login(VolunteerProfileFactory().user)
    client.get(lesson.url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(lesson.url)

    assert response.status_code == 200
    assert "wagtail-userbar" not in response.text
    assert not [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"]]


@pytest.mark.django_db
def test_a_trainer_gets_the_user_bar_on_course_pages(client):
    course = build_course(modules=1, lessons=1, questions=0)
    lesson = LessonPage.objects.descendant_of(course).get()
    trainer = UserFactory(username="trainer-userbar")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    client.force_login(trainer)

    response = client.get(lesson.url)

    assert 'id="wagtail-userbar-template"' in response.text
    assert f"/admin/pages/{lesson.pk}/edit/" in response.text


# -- The lesson body, cached until the lesson is published again --------------------


def _lesson_with(blocks) -> LessonPage:
    course = build_course(modules=1, lessons=0, questions=0)
    module = ModulePage.objects.child_of(course).get()
    return LessonPageFactory(parent=module, body=blocks)


def _video(poster) -> dict:
    return {
        "type": "video",
        "value": {"title": "วิดีโอ", "url": "https://example.org/v", "poster": poster.pk},
    }


@pytest.mark.django_db
def test_a_republished_lesson_shows_its_new_body_at_once(client):
    lesson = _lesson_with([{"type": "paragraph", "value": "<p>ข้อความเดิม</p>"}])
    assert "ข้อความเดิม" in client.get(lesson.url).text

    lesson.body = [("paragraph", "<p>ข้อความใหม่หลังแก้ไข</p>")]
    lesson.save_revision().publish()
    text = client.get(lesson.url).text

    assert "ข้อความใหม่หลังแก้ไข" in text
    assert "ข้อความเดิม" not in text


@pytest.mark.django_db
def test_the_cached_lesson_body_follows_the_reader_language(client):
    image = wagtail_factories.ImageFactory(file__width=800, file__height=450)
    lesson = _lesson_with([_video(image)])

    thai = client.get(lesson.url, headers={"accept-language": "th"}).text
    english = client.get(lesson.url, headers={"accept-language": "en"}).text

    assert "แตะเพื่อเปิดวิดีโอ" in thai and "Tap to open the video" not in thai
    assert "Tap to open the video" in english and "แตะเพื่อเปิดวิดีโอ" not in english


def test_a_video_block_needs_a_link_or_a_file():
    from wagtail.blocks import StructBlockValidationError

    from courses.blocks import VideoBlock

    block = VideoBlock()
    with pytest.raises(StructBlockValidationError) as refused:
        block.clean(block.to_python({"title": "วิดีโอ", "url": "", "file": None}))
    assert "url" in refused.value.block_errors
    assert block.clean(block.to_python({"title": "วิดีโอ", "url": "https://example.org/v"}))


@pytest.mark.django_db
def test_a_video_kept_on_the_site_plays_in_the_page_only_when_tapped(client):
    clip = wagtail_factories.DocumentFactory(file__filename="clip.webm", file__data=b"\x1aE\xdf\xa3")
    lesson = _lesson_with(
        [{"type": "video", "value": {"title": "ดูไฟสถานะ", "url": "", "file": clip.pk}}]
    )

    html = client.get(lesson.url).text

    video = html[html.index("<video") : html.index("</video>")]
    assert 'preload="none"' in video
    assert f'<source src="{clip.url}" type="video/webm">' in video
    assert "<track" not in video


# -- Pictures: a phone of 360 px is offered a picture of 360 px ----------------------


@pytest.mark.django_db
def test_every_lesson_picture_offers_a_phone_sized_rendition(client):
    image = wagtail_factories.ImageFactory(file__width=1200, file__height=675)
    lesson = _lesson_with(
        [
            {"type": "image", "value": {"image": image.pk, "alt": "ตู้อุปกรณ์", "caption": ""}},
            _video(image),
            {
                "type": "steps",
                "value": {"title": "", "steps": [{"text": "<p>เปิดตู้</p>", "image": image.pk}]},
            },
        ]
    )

    images = re.findall(r"<img [^>]*>", client.get(lesson.url).text)

    assert len(images) == 3
    for tag in images:
        srcset = re.search(r'srcset="([^"]+)"', tag).group(1)
        widths = sorted(int(candidate.rsplit(" ", 1)[1][:-1]) for candidate in srcset.split(", "))
        assert widths[0] == 360, tag
        assert 'sizes="' in tag and 'loading="lazy"' in tag, tag
    assert [re.search(r'width="(\d+)"', tag).group(1) for tag in images] == ["720", "720", "480"]
