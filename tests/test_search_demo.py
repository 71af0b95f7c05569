"""Thai search against the demo course (site/demo/course/course.json), on whichever
database DATABASE_URL names. Each query states the page it must find first."""

import json

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse

from courses.searching import Mode, search_course
from npv_site.demo.loader import DemoLoader

# Queries a volunteer might type, each with the demo course page it must find first.
FINDS_FIRST = [
    ("อุปกรณ์", "know-the-equipment"),
    ("ไฟสถานะ", "reading-status-lights"),
    ("รหัสผ่าน", "surveys-privacy-passwords"),
    ("ข่าวปลอม", "digital-literacy-and-safety"),
    ("มิจฉาชีพ", "digital-literacy-and-safety"),
    ("กลโกง", "digital-literacy-and-safety"),
    ("เน็ตอาสาคือใคร", "who-is-net-asa"),
    ("เน็ตประชารัฐคืออะไร", "what-is-net-pracharat"),
    ("แจ้งเหตุขัดข้อง", "fault-check-and-report"),
    ("ขั้นตอนแจ้งเหตุ", "fault-check-and-report"),
    ("ตรวจอุปกรณ์ประจำเดือน", "monthly-check-and-weather"),
    ("ดินฟ้าอากาศ", "monthly-check-and-weather"),
    ("ตัวกระจายสัญญาณ", "reading-status-lights"),
    ("การดูแลรักษาอุปกรณ์", "equipment-care"),
    ("แบบสำรวจ", "surveys-privacy-passwords"),
    ("ความเป็นส่วนตัว", "surveys-privacy-passwords"),
    ("ศาลาหมู่บ้าน", "duties-in-the-village"),
    ("ผู้นำการเปลี่ยนแปลง", "digital-change-leader"),
    ("ติดตั้งแอป", "app-getting-started"),
    ("ส่งรายงาน", "news-and-reports"),
    ("ข่าวสาร", "news-and-reports"),
    ("แอปพลิเคชัน", "volunteer-app"),
    ("เน็ตอาสา ภารกิจ", "duties-in-the-village"),
    ("ชุมพร", "who-is-net-asa"),
    # English and mixed queries.
    ("Wi-Fi", "village-free-wifi"),
    ("wifi", "village-free-wifi"),
    ("LOS", "reading-status-lights"),
    ("LED", "reading-status-lights"),
    # English terms of the course in Thai spellings, and the other way round
    # (course_terms.txt lists the spellings of each term).
    ("แลน", "reading-status-lights"),
    ("แอลอีดี", "reading-status-lights"),
    ("ไวไฟ", "village-free-wifi"),
    ("application", "volunteer-app"),
    ("แอพพลิเคชั่น", "volunteer-app"),
    # Numbers, as the course writes them or not: the lesson about the number first.
    ("24,700", "what-is-net-pracharat"),
    ("24700", "what-is-net-pracharat"),
    ("๒๔,๗๐๐", "what-is-net-pracharat"),
    ("77", "who-is-net-asa"),
    ("311", "who-is-net-asa"),
    # Unfinished words, as typed on a phone.
    ("อุปก", "know-the-equipment"),
    ("ดูแลอุปก", "equipment-care"),
    ("มิจฉา", "digital-literacy-and-safety"),
    # Typing mistakes.
    ("อุปกรน", "know-the-equipment"),
    ("รหัสผาน", "surveys-privacy-passwords"),
    ("เเบบสำรวจ", "surveys-privacy-passwords"),
]
# Queries that must find nothing; the last four are words that appear only in
# the demo quizzes' questions and choices, which are never indexed.
FINDS_NOTHING = [
    "ภูเขาไฟ",
    "ต้มยำกุ้ง",
    "ฟุตบอลโลก",
    "bitcoin",
    "กระทรวงศึกษาธิการ",
    "การไฟฟ้าส่วนภูมิภาค",
    "คนแปลกหน้า",
    "กรมการปกครอง",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture(scope="module")
def demo_course(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo course loaded once for this module's tests, rolled back after them."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        DemoLoader().load()
        yield
        transaction.set_rollback(True)


def first_slug(query: str) -> str | None:
    hits = search_course(query).hits
    return hits[0].page.slug if hits else None


@pytest.mark.django_db
@pytest.mark.parametrize("query, slug", FINDS_FIRST)
def test_demo_query_finds_its_page_first(demo_course, query, slug):
    assert first_slug(query) == slug


@pytest.mark.django_db
@pytest.mark.parametrize("query", FINDS_NOTHING)
def test_demo_query_finds_nothing(demo_course, query):
    assert search_course(query).hits == []


@pytest.mark.django_db
def test_demo_partial_word_finds_the_whole_word_highlighted(demo_course):
    outcome = search_course("อุปก")
    assert outcome.mode == Mode.PREFIX
    assert "<mark>อุปกรณ์</mark>" in outcome.hits[0].title_html
    assert all("<mark>" in hit.snippet_html or "<mark>" in hit.title_html for hit in outcome.hits)


@pytest.mark.django_db
def test_demo_typing_mistake_is_corrected_and_said(demo_course, client):
    response = client.get(reverse("courses:search"), {"q": "อุปกรน"})
    assert response.context["outcome"].mode == Mode.CORRECTED
    assert "ไม่พบ “อุปกรน” จึงแสดงผลของ “อุปกรณ์” แทน" in response.content.decode()


@pytest.mark.django_db
def test_demo_results_are_grouped_by_course_and_module(demo_course):
    outcome = search_course("อุปกรณ์")
    [group] = outcome.groups
    assert group.course.slug == "net-asa-pracharat"
    modules = [module_group.module.slug for module_group in group.modules]
    assert len(modules) == len(set(modules))
    for module_group in group.modules:
        for hit in module_group.lessons:
            assert hit.page.get_parent().pk == module_group.module.pk
    grouped = sum(len(m.lessons) + bool(m.hit) for m in group.modules) + bool(group.hit)
    assert grouped == len(outcome.hits)


@pytest.mark.django_db
def test_demo_search_page_shows_highlighted_results(
    demo_course, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get(reverse("courses:search"), {"q": "ไฟสถานะ"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/courses/net-asa-pracharat/equipment-care/reading-status-lights/"' in html
    assert "อ่าน<mark>ไฟสถานะ</mark> LED ให้เป็น" in html
    assert "การดูแลรักษาอุปกรณ์เน็ตประชารัฐในหมู่บ้าน" in html  # its module heading
    # The page works without JavaScript: a plain GET form.
    assert 'method="get" action="/learn/search/"' in html


@pytest.mark.django_db
def test_demo_search_page_query_count_does_not_grow_with_results(
    demo_course, client, django_assert_max_num_queries
):
    assert len(search_course("เน็ตประชารัฐ").hits) >= 10
    with django_assert_max_num_queries(10):
        client.get(reverse("courses:search"), {"q": "เน็ตประชารัฐ"})


@pytest.mark.django_db
def test_demo_suggestions_answer_a_partial_word(demo_course, client):
    response = client.get(reverse("courses:search_suggestions"), {"q": "ไฟสถา"})
    suggestions = json.loads(response.content)["suggestions"]
    assert suggestions[0] == {
        "title": "อ่านไฟสถานะ LED ให้เป็น",
        "url": "/courses/net-asa-pracharat/equipment-care/reading-status-lights/",
        "context": "การดูแลรักษาอุปกรณ์เน็ตประชารัฐในหมู่บ้าน",
    }


def found_slugs(query: str) -> set[str]:
    return {hit.page.slug for hit in search_course(query).hits}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spellings",
    [
        ("เราเตอร์", "router", "Router", "เร้าเตอร์"),
        ("อินเทอร์เน็ต", "internet", "อินเตอร์เน็ต"),
        ("แอป", "app", "แอพ"),
        ("LAN", "แลน"),
        ("Google", "กูเกิ้ล", "กูเกิล"),
        ("วิดีโอ", "video", "วีดีโอ"),
    ],
)
def test_demo_every_spelling_of_a_course_term_finds_the_same_lessons(demo_course, spellings):
    found = [found_slugs(spelling) for spelling in spellings]
    assert found[0]
    assert all(pages == found[0] for pages in found)


@pytest.mark.django_db
def test_demo_english_term_finds_and_marks_the_thai_spelling_the_course_uses(demo_course):
    outcome = search_course("router")
    assert outcome.mode == Mode.WORDS
    assert {"know-the-equipment", "village-free-wifi", "reading-status-lights"} <= {
        hit.page.slug for hit in outcome.hits
    }
    assert all("<mark>เราเตอร์</mark>" in hit.snippet_html for hit in outcome.hits)


@pytest.mark.django_db
def test_demo_prefix_and_typo_tiers_reach_every_spelling(demo_course):
    typed = search_course("rout")
    assert typed.mode == Mode.PREFIX
    assert "reading-status-lights" in {hit.page.slug for hit in typed.hits}
    mistyped = search_course("routr")
    assert mistyped.mode == Mode.CORRECTED
    assert mistyped.corrected_query == "router"


@pytest.mark.django_db
def test_demo_number_lesson_ranks_above_a_lesson_that_mentions_it(demo_course):
    outcome = search_course("24,700")
    assert [hit.page.slug for hit in outcome.hits][:2] == [
        "what-is-net-pracharat",
        "who-is-net-asa",
    ]
    assert "<mark>24,700</mark>" in outcome.hits[1].snippet_html
    # 700 alone is another number.
    assert "what-is-net-pracharat" not in found_slugs("700")
