"""Thai search across the course, on whichever database DATABASE_URL names
(SQLite by default; run again with DATABASE_URL=postgres://... for PostgreSQL)."""

import os
import subprocess
import sys
import textwrap
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail.search.models import IndexEntry

from courses.models import LessonPage, ModulePage
from courses.search import thai
from courses.search.snippets import Matcher, SegmentedText, highlight, snippet
from courses.search.sqlite_fts import (
    FTS_TABLE,
    ensure_thai_tokenizer,
    ensure_thai_tokenizer_after_migrate,
    fts_table_sql,
)
from courses.searching import search_course, suggest
from tests.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    QuizChoiceFactory,
    QuizQuestionFactory,
    build_course,
    home_page,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _empty_cache():
    # The vocabulary for typing mistakes is cached; each test starts without it.
    cache.clear()


# Segmentation ------------------------------------------------------------------


def test_course_terms_are_single_words():
    assert thai.words("การดูแลรักษาอุปกรณ์เน็ตประชารัฐ") == [
        "การ",
        "ดูแลรักษา",
        "อุปกรณ์",
        "เน็ตประชารัฐ",
    ]
    assert thai.words("เน็ตอาสาประชารัฐคือใคร") == ["เน็ตอาสาประชารัฐ", "คือ", "ใคร"]


def test_index_text_adds_the_parts_of_compounds_but_not_of_plain_words():
    indexed = thai.index_text("การดูแลรักษาอุปกรณ์เน็ตอาสาประชารัฐ").split()
    assert {"ดูแลรักษา", "ดูแล", "รักษา", "เน็ตอาสา", "ประชารัฐ"} <= set(indexed)
    # อุปกรณ์ is one word: อุ + ปกรณ์ would make a search for ปกรณ์ find it.
    assert "อุ" not in indexed and "ปกรณ์" not in indexed


def test_unfinished_word_is_cut_wrongly_but_also_read_as_a_prefix():
    assert thai.words("อุปก") == ["อุ", "ปก"]
    assert thai.PrefixReading(words=(), prefix="อุปก") in thai.prefix_readings("อุปก")
    assert thai.PrefixReading(words=("ดูแล",), prefix="อุปก") in thai.prefix_readings("ดูแลอุปก")


def test_segmenter_needs_no_network_and_writes_nothing(tmp_path):
    """newmm's dictionary ships in the wheel: a fresh process with every
    socket refused segments Thai and leaves no ~/pythainlp-data behind."""
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network used")

        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from courses.search import thai
        print(" ".join(thai.words("การดูแลรักษาอุปกรณ์เน็ตประชารัฐ")))
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHAINLP")}
    env["HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["การ", "ดูแลรักษา", "อุปกรณ์", "เน็ตประชารัฐ"]
    assert list(tmp_path.iterdir()) == []


# Course terms: spellings of one term ---------------------------------------------


def test_course_terms_line_with_equals_signs_is_one_term_in_several_spellings():
    terms = thai.parse_course_terms(
        "# a comment = not a term\nเน็ตอาสา\nเราเตอร์ = Router = เร้าเตอร์\nWi-Fi = ไวไฟ\n"
    )
    assert terms.words == ("เน็ตอาสา", "เราเตอร์", "เร้าเตอร์", "ไวไฟ")
    assert terms.groups == (("เราเตอร์", "router", "เร้าเตอร์"), ("wifi", "ไวไฟ"))
    assert terms.spellings["router"] == ("เราเตอร์", "เร้าเตอร์")
    assert terms.spellings["ไวไฟ"] == ("wifi",)


def test_every_thai_spelling_of_the_course_terms_is_one_word():
    for group in thai.course_terms().groups:
        for spelling in group:
            if thai.is_thai(spelling):
                assert thai.words(spelling) == [spelling]


def test_text_is_indexed_with_every_spelling_of_a_course_term():
    indexed = thai.index_text("ไฟบน ONU หรือเราเตอร์ และ Wi-Fi").split()
    assert {"เราเตอร์", "router", "เร้าเตอร์", "onu", "โอเอ็นยู", "wifi", "ไวไฟ"} <= set(indexed)
    # A word of no group is indexed as it is, alone.
    assert thai.synonyms("ไฟบน") == () and thai.synonyms("ไฟ") == ()


def test_highlight_marks_the_text_spelling_of_the_term_asked_for():
    assert highlight("ตู้ ONU/เราเตอร์", Matcher(frozenset({"router"}))) == (
        "ตู้ ONU/<mark>เราเตอร์</mark>"
    )
    assert highlight("เชื่อมต่อ Wi-Fi ฟรี", Matcher(frozenset({"ไวไฟ"}))) == (
        "เชื่อมต่อ <mark>Wi-Fi</mark> ฟรี"
    )
    assert highlight("ไฟ LAN ติด", Matcher(frozenset(), ("แล",))) == "ไฟ <mark>LAN</mark> ติด"


# Numbers ----------------------------------------------------------------------------


def test_a_number_is_one_word_with_or_without_separators_in_thai_or_arabic_digits():
    assert thai.words("24,700 หมู่บ้าน") == ["24700", "หมู่บ้าน"]
    assert thai.words("๒๔,๗๐๐") == thai.words("24700") == ["24700"]
    assert thai.words("1,000,000 คน") == ["1000000", "คน"]
    # Commas between numbers that are not thousands stay separators.
    assert thai.words("1,2,3") == ["1", "2", "3"]
    assert thai.words("3.5") == ["3", "5"]


def test_highlight_marks_the_number_as_written():
    matcher = Matcher(frozenset(thai.query_words("๒๔,๗๐๐")))
    assert highlight("ครบ 24,700 หมู่บ้าน", matcher) == "ครบ <mark>24,700</mark> หมู่บ้าน"
    assert highlight("ครบ ๒๔,๗๐๐ หมู่บ้าน", matcher) == "ครบ <mark>๒๔,๗๐๐</mark> หมู่บ้าน"
    assert "<mark>" not in highlight("ครบ 700 หมู่บ้าน", matcher)


# Warming up -------------------------------------------------------------------------


def _dictionary_built_after(code: str) -> bool:
    script = (
        code + "\nfrom courses.search import thai\nprint(thai.dictionary.cache_info().currsize)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "npv_site.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-1] == "1"


def test_a_web_process_builds_the_dictionary_before_its_first_search():
    assert _dictionary_built_after("import npv_site.wsgi")


def test_django_setup_alone_does_not_build_the_dictionary():
    # Management commands and Celery workers set Django up without the WSGI
    # module, and should not pay a second for a search they never run.
    assert not _dictionary_built_after("import django\ndjango.setup()")


# Highlighting -------------------------------------------------------------------


def test_highlight_marks_whole_words_and_escapes_the_rest():
    html = highlight("<b>อุปกรณ์</b> & ปกติ", Matcher(frozenset({"อุปกรณ์"})))
    assert html == "&lt;b&gt;<mark>อุปกรณ์</mark>&lt;/b&gt; &amp; ปกติ"
    # ปก is inside อุปกรณ์ and ปกติ but is neither word.
    assert "<mark>" not in highlight("อุปกรณ์ ปกติ", Matcher(frozenset({"ปก"})))


def test_highlight_marks_the_part_of_a_compound_and_a_typed_prefix():
    assert highlight("ดูแลรักษา", Matcher(frozenset({"รักษา"}))) == "ดูแล<mark>รักษา</mark>"
    assert highlight("ตู้อุปกรณ์", Matcher(frozenset(), ("อุปก",))) == "ตู้<mark>อุปกรณ์</mark>"


def test_snippet_is_taken_around_the_match():
    text = "ก่อนหน้า " * 40 + "ให้ตรวจไฟสถานะทุกเดือน " + "หลังจากนั้น " * 40
    html = snippet(SegmentedText.of(text), Matcher(frozenset({"ไฟสถานะ"})))
    assert "<mark>ไฟสถานะ</mark>" in html
    assert html.startswith("… ") and html.endswith(" …")
    assert len(html) < 260


# The index ------------------------------------------------------------------------


def test_course_pages_index_thai_fields_and_no_quiz_content():
    for model in (ModulePage, LessonPage):
        fields = model.get_search_fields()
        assert not any(isinstance(f, index.RelatedFields) for f in fields)
        titles = {type(f).__name__ for f in fields if f.field_name == "title"}
        assert {"ThaiSearchField", "ThaiAutocompleteField"} <= titles


@pytest.mark.django_db
def test_quiz_questions_choices_and_explanations_are_never_found():
    course = build_course(modules=1, lessons=1, questions=0)
    module = ModulePage.objects.descendant_of(course).get()
    question = QuizQuestionFactory(
        module=module, text="ข้อใดคือคำตอบลับสุดยอด quizsecret", explanation="เฉลยอธิบายละเอียด"
    )
    QuizChoiceFactory(question=question, text="ตัวเลือกถูกต้องคือหลักล่อฟ้า", is_correct=True)
    module.save_revision().publish()

    for words in ("quizsecret", "คำตอบลับ", "เฉลยอธิบาย", "หลักล่อฟ้า"):
        assert search_course(words).hits == [], words
        assert suggest(words) == [], words
    indexed = " ".join(
        str(f.get_value(module.specific))
        for f in module.specific.get_search_fields()
        if isinstance(f, (index.SearchField, index.AutocompleteField))
    )
    assert "quizsecret" not in indexed and "หลักล่อฟ้า" not in indexed
    # The lesson's own text is found, so the search itself works.
    assert search_course("อินเทอร์เน็ต").hits


@pytest.mark.django_db
def test_index_follows_what_a_trainer_publishes():
    course = build_course(modules=1, lessons=1, questions=0)
    lesson = LessonPage.objects.descendant_of(course).get()
    lesson.body = [{"type": "paragraph", "value": "<p>ตรวจหลักล่อฟ้าหลังพายุทุกครั้ง</p>"}]
    revision = lesson.save_revision()
    assert search_course("หลักล่อฟ้า").hits == []  # a draft is not searchable

    revision.publish()
    assert [hit.page.pk for hit in search_course("หลักล่อฟ้า").hits] == [lesson.pk]
    assert [hit.page.pk for hit in suggest("หลักล่อ")] == [lesson.pk]

    LessonPage.objects.get(pk=lesson.pk).unpublish()
    assert search_course("หลักล่อฟ้า").hits == []


@pytest.mark.django_db
def test_block_choices_and_links_are_not_indexed_as_text():
    course = build_course(modules=1, lessons=0, questions=0)
    module = ModulePage.objects.descendant_of(course).get()
    LessonPageFactory(
        parent=module,
        title="ข้อควรระวัง",
        body=[
            {"type": "heading", "value": {"text": "ตู้อุปกรณ์", "level": "h2"}},
            {
                "type": "callout",
                "value": {"kind": "tip", "title": "", "text": "<p>ปิดตู้ทุกครั้ง</p>"},
            },
            {
                "type": "video",
                "value": {"title": "ดูไฟ", "url": "https://example.org/youtube", "duration": ""},
            },
        ],
    )
    assert search_course("ตู้อุปกรณ์").hits
    for hidden in ("เคล็ดลับ", "หัวข้อหลัก", "youtube", "h2"):
        assert search_course(hidden).hits == [], hidden


@pytest.mark.django_db
def test_search_syntax_in_a_query_is_read_as_words():
    build_course(modules=1, lessons=1, questions=0)
    for query in ('"', "NOT", "อุปกรณ์ OR", "AND (", "*", "a:b", "'; DROP", "ไฟ\\"):
        search_course(query)  # no error from either backend
        suggest(query)


@pytest.mark.django_db
def test_sqlite_index_keeps_thai_vowel_marks_inside_words():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 tokenizer only")
    assert "categories" in fts_table_sql()
    course = build_course(modules=1, lessons=0, questions=0)
    module = ModulePage.objects.descendant_of(course).get()
    LessonPageFactory(parent=module, title="อุปกรณ์", body=[])
    # Wagtail's own table (unicode61 without M*) cut อุปกรณ์ into อ + ปกรณ.
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {FTS_TABLE}")
        cursor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(autocomplete, body, title)")
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, body, autocomplete) "  # noqa: S608
            "SELECT id, title, body, autocomplete FROM wagtailsearch_indexentry"
        )
    assert LessonPage.objects.search("ปกรณ").count() == 1

    assert ensure_thai_tokenizer() is True
    assert ensure_thai_tokenizer() is False  # already rebuilt
    assert LessonPage.objects.search("ปกรณ").count() == 0
    assert LessonPage.objects.search("อุปกรณ์").count() == 1


@pytest.mark.django_db
def test_sqlite_search_table_is_rebuilt_only_for_a_host_that_asks(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's FTS5 tokenizer only")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {FTS_TABLE}")
        cursor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(autocomplete, body, title)")
    settings.COURSES_SQLITE_THAI_TOKENIZER = False
    ensure_thai_tokenizer_after_migrate(sender=None)
    assert "categories" not in fts_table_sql()  # Wagtail's own table, untouched
    settings.COURSES_SQLITE_THAI_TOKENIZER = True
    ensure_thai_tokenizer_after_migrate(sender=None)
    assert "categories" in fts_table_sql()


@pytest.mark.django_db
def test_search_page_without_a_query_and_with_nothing_found(client):
    response = client.get(reverse("courses:search"))
    assert response.status_code == 200
    assert "search-count" not in response.content.decode()
    response = client.get(reverse("courses:search"), {"q": "<script>ภูเขาไฟ"})
    html = response.content.decode()
    assert "ไม่พบบทเรียนที่มีคำว่า “&lt;script&gt;ภูเขาไฟ”" in html
    assert "<script>ภูเขาไฟ" not in html


@pytest.mark.django_db
def test_header_links_to_search(client):
    html = client.get("/").content.decode()
    assert f'href="{reverse("courses:search")}"' in html


@pytest.mark.django_db
def test_unpublished_and_private_pages_are_not_found():
    index_page = CourseIndexPageFactory(parent=home_page())
    course = CoursePageFactory(parent=index_page, title="หลักสูตรลับ")
    module = ModulePageFactory(parent=course, title="โมดูลหลักล่อฟ้า")
    draft = LessonPageFactory(parent=module, title="บทเรียนหลักล่อฟ้าฉบับร่าง", live=False)
    assert draft.pk not in [hit.page.pk for hit in search_course("หลักล่อฟ้า").hits]
    PageViewRestriction.objects.create(page=course, restriction_type="login")
    assert search_course("หลักล่อฟ้า").hits == []
    assert Page.objects.filter(pk=module.pk).exists()


@pytest.mark.django_db
def test_update_index_rebuilds_the_thai_index():
    course = build_course(modules=1, lessons=1, questions=0)
    IndexEntry.objects.all().delete()
    assert search_course("อินเทอร์เน็ต").hits == []
    call_command("update_index", stdout=StringIO())
    found = {hit.page.pk for hit in search_course("อินเทอร์เน็ต").hits}
    assert LessonPage.objects.descendant_of(course).get().pk in found


def test_a_correction_is_remembered_per_vocabulary(monkeypatch):
    """The closest course word of a mistyped word is worked out once per
    vocabulary (difflib over the course's words), and a new vocabulary, read
    after a page is published, works it out again from its own words."""
    import difflib

    from courses import searching

    calls = []
    real = difflib.get_close_matches

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(searching.difflib, "get_close_matches", counted)
    words = searching.Vocabulary(frozenset({"อุปกรณ์", "เราเตอร์"}))
    assert words.closest("อุปกรน") == "อุปกรณ์"
    assert words.closest("อุปกรน") == "อุปกรณ์"
    assert words.closest("ซซซซซซ") is None
    assert words.closest("ซซซซซซ") is None
    assert calls == ["อุปกรน", "ซซซซซซ"]
    newer = searching.Vocabulary(frozenset({"อุปกรม"}))
    assert newer.closest("อุปกรน") == "อุปกรม"
    assert calls == ["อุปกรน", "ซซซซซซ", "อุปกรน"]
