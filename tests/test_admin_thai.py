"""The Wagtail admin screens a trainer uses most are in Thai.

Wagtail's own Thai catalogue covers about a third of the admin; the rest comes
from site/locale_admin. These tests open the screens as a trainer and look for
the Thai labels and for English ones that would mean a missing translation.
"""

import json
import re

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Collection
from wagtail.users.models import UserProfile
from wagtail_factories import ImageFactory

from courses.models import LessonPage, ModulePage
from tests.factories import UserFactory, build_course

# Labels a trainer sees on every editing screen; any of them in English means
# the Thai catalogue is missing or not loaded.
ENGLISH_LABELS = [
    "Dashboard",
    "Pages",
    "Images",
    "Documents",
    "Reports",
    "Search",
    "Save draft",
    "Publish",
    "Unpublish",
    "Preview",
    "History",
    "Add child page",
    "Edit",
    "Delete",
    "Collapse all",
    "Page title",
    "Title",
    "Updated",
    "Status",
    "Add an image",
    "Sort by",
    "Log out",
]


# English written into Wagtail's templates without gettext: only screen
# readers meet it, and no catalogue can change it.
UNTRANSLATABLE_MARKUP = [
    '<nav aria-label="Actions"',
    '<input type="submit" value="Search" class="button" />',
]


def english_labels_in(html: str) -> list[str]:
    """English labels standing as words of their own in the page (in text,
    attributes or the JSON that Wagtail's scripts read)."""
    for markup in UNTRANSLATABLE_MARKUP:
        html = html.replace(markup, "")
    return [
        label
        for label in ENGLISH_LABELS
        if re.search(rf"(?<![\w/.-]){re.escape(label)}(?![\w/.-])", html)
    ]


@pytest.fixture
def trainer(db):
    user = UserFactory(username="trainer-thai")
    user.groups.add(Group.objects.get(name="Trainers"))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "th"
    profile.save()
    return user


@pytest.fixture
def trainer_client(client, trainer):
    # An English browser: the trainer's Thai preference must win over it.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    client.force_login(trainer)
    return client


@pytest.fixture
def course(db):
    return build_course(modules=1, lessons=2, questions=1)


def page_html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_dashboard_is_thai(trainer_client, course):
    html = page_html(trainer_client, "/admin/")
    for label in ["ค้นหาทุกหน้า…", "หน้า", "รูปภาพ", "เอกสาร", "บัญชี", "คู่มือผู้แก้ไขเนื้อหา"]:
        assert label in html, label
    assert english_labels_in(html) == []


def test_page_explorer_is_thai(trainer_client, course):
    module = ModulePage.objects.descendant_of(course).first()
    html = page_html(trainer_client, f"/admin/pages/{module.pk}/")
    for label in ["ชื่อเรื่อง", "อัปเดต", "ประเภท", "สถานะ", "เผยแพร่อยู่", "เพิ่มหน้าย่อย", "แก้ไข"]:
        assert label in html, label
    assert english_labels_in(html) == []


def test_lesson_editor_is_thai(trainer_client, course):
    lesson = LessonPage.objects.descendant_of(course).first()
    html = page_html(trainer_client, f"/admin/pages/{lesson.pk}/edit/")
    for label in [
        "บันทึกฉบับร่าง",
        "เผยแพร่",
        "ยกเลิกการเผยแพร่",
        "แสดงตัวอย่าง",
        "ประวัติ",
        "เนื้อหา",
        "การโปรโมต",
        "ชื่อเรื่องของหน้า",
        "เผยแพร่อยู่",
        "ตั้งเวลาเผยแพร่",
        "ทุกคนมองเห็น",
    ]:
        assert label in html, label
    assert english_labels_in(html) == []


def test_new_lesson_form_is_thai(trainer_client, course):
    module = ModulePage.objects.descendant_of(course).first()
    html = page_html(trainer_client, f"/admin/pages/add/courses/lessonpage/{module.pk}/")
    assert "บันทึกฉบับร่าง" in html
    assert english_labels_in(html) == []


def test_image_library_is_thai(trainer_client, db):
    ImageFactory(title="แผนผังจุดกระจายสัญญาณ", collection=Collection.get_first_root_node())
    html = page_html(trainer_client, "/admin/images/")
    for label in ["รูปภาพ", "เพิ่มรูปภาพ", "เรียงตาม", "ใหม่สุด", "แผนผังจุดกระจายสัญญาณ"]:
        assert label in html, label
    assert english_labels_in(html) == []


def test_editor_javascript_strings_are_thai(trainer_client):
    """The StreamField and sidebar widgets take their labels from the admin's
    JavaScript catalogue, which must carry the Thai completion too."""
    body = trainer_client.get("/admin/jsi18n/").content.decode()
    for label in ["ทำสำเนา", "เลื่อนขึ้น", "เลื่อนลง", "ย่อทั้งหมด", "ค้นหาตัวเลือก…", "แทรกบล็อก"]:
        # The catalogue is JSON with non-ASCII characters escaped.
        assert json.dumps(label)[1:-1] in body, label


def test_admin_login_page_is_thai(client, db):
    html = page_html(client, "/admin/login/")
    for label in ["เข้าสู่ระบบ", "ชื่อผู้ใช้", "รหัสผ่าน", "ลืมรหัสผ่าน?", "จดจำการเข้าสู่ระบบ"]:
        assert label in html, label
    # Wagtail's own form leaves the password label untranslatable ("Password").
    assert re.search(r">\s*Password\b", html) is None
    assert "Sign in" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admin_draws_thai_with_the_shipped_font_on_a_machine_without_one(desktop):
    """This machine, like a fresh Linux desktop, has no Thai system font: the
    admin must draw its Thai with the Sarabun it ships, not as empty boxes."""
    from tests.browser import log_in

    trainer = UserFactory(username="trainer-font")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    profile = UserProfile.get_for_user(trainer)
    profile.preferred_language = "th"
    profile.save()
    log_in(desktop, trainer)
    desktop.goto("/admin/")
    loaded = desktop.evaluate(
        """async () => {
            await document.fonts.ready;
            return [...document.fonts]
                .filter(face => face.family.replace(/"/g, "") === "Sarabun Thai")
                .map(face => face.status);
        }"""
    )
    assert "loaded" in loaded
    heading = desktop.locator("h1").first
    assert re.search(r"[\u0E00-\u0E7F]", heading.inner_text())
    assert heading.evaluate("h => getComputedStyle(h).fontFamily").startswith('"Sarabun Thai"')


@pytest.mark.django_db
def test_the_page_search_header_names_what_it_lists(client):
    """Wagtail's search without a query put a literal None in its header."""
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    text = re.sub(r"<[^>]+>", " ", client.get("/admin/pages/search/?q=").content.decode())
    header = re.search(r"\d+-\d+ จาก \d+ \S+", text)
    assert header and "None" not in header.group(0)
    assert header.group(0).endswith("หน้า")
