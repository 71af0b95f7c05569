"""The English side of the site: the footer's language switch, and catalogues
that have an English text for every Thai string in the code: the site's
(site/locale/en) and each plugin's own (courses/locale/en,
certificates/locale/en, notifications/locale/en), which ship in the wheel so a host site gets them."""

import gettext
import os
import re
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from courses.models import CoursePage, LessonPage, ModulePage
from tests.factories import UserFactory, build_course
from tests.plugin_fixtures import skip_or_fail

pytestmark = pytest.mark.django_db

CATALOGUES = [
    settings.BASE_DIR / folder / "locale" / "en" / "LC_MESSAGES" / "django.po"
    for folder in ("site", "courses", "certificates", "notifications")
]
# What `makemessages` must not read (the same list as the README's command).
NOT_SCANNED = {".venv", "node_modules", "var", "test-artifacts", ".git", "staticfiles"}
NOT_SCANNED_PATHS = {os.path.join("site", "demo", "course")}
# Thai script; a translator comment starting with this allows it in an English text.
THAI = re.compile("[\u0e00-\u0e7f]")
THAI_KEPT = "# Thai kept on purpose"


@pytest.fixture
def english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def visible(response) -> str:
    return response.content.decode()


def test_language_switch_turns_the_home_page_english(english):
    page = visible(english.get("/"))
    assert '<html lang="en">' in page
    for text in ("Sign up for free", "Log in", "Skip to content", "Main menu", "Privacy notice"):
        assert text in page
    for text in ("สมัครเรียนฟรี", "เข้าสู่ระบบ", "ข้ามไปยังเนื้อหา", "ประกาศความเป็นส่วนตัว"):
        assert text not in page
    # The way back stays in Thai, so a Thai reader can find it.
    assert '<button type="submit" name="language" value="th" lang="th">ภาษาไทย</button>' in page


def test_home_page_stays_thai_without_a_choice(client):
    page = visible(client.get("/"))
    assert '<html lang="th">' in page
    assert "สมัครเรียนฟรี" in page
    assert "Sign up for free" not in page


def test_lesson_page_in_english(english):
    course = build_course(modules=1, lessons=2, questions=1)
    lesson = LessonPage.objects.descendant_of(course).first()
    page = visible(english.get(lesson.url))
    assert "Lesson 1 of 2 · about" in page
    assert "to save your progress" in page
    assert 'aria-label="Previous and next lessons"' in page
    assert "บทเรียนที่ 1 จาก 2" not in page
    assert "เพื่อบันทึกความก้าวหน้า" not in page
    # The lesson itself is Thai content: only the interface changes language.
    assert "เน็ตประชารัฐคืออินเทอร์เน็ตของหมู่บ้าน" in page


def test_lesson_page_in_english_for_a_volunteer(english):
    course = build_course(modules=1, lessons=2, questions=1)
    lesson = LessonPage.objects.descendant_of(course).first()
    english.force_login(UserFactory())
    page = visible(english.get(lesson.url))
    assert "Done reading, continue" in page
    assert "You are not enrolled in this course yet." in page
    assert "My learning" in page
    assert "อ่านจบแล้ว ไปต่อ" not in page
    assert "การเรียนของฉัน" not in page


def test_lessons_left_before_the_quiz_in_english(english):
    course = build_course(modules=1, lessons=2, questions=1)
    CoursePage.objects.filter(pk=course.pk).update(require_lessons_before_quiz=True)
    module = ModulePage.objects.child_of(course).get()
    english.force_login(UserFactory())
    page = visible(english.get(module.url))
    assert "Read every lesson before you start the quiz." in page
    assert "2 lessons left" in page
    refused = visible(english.post(reverse("courses:quiz_start", args=[module.pk])))
    assert "Read every lesson before you start the quiz. 2 lessons left" in refused
    assert "ยังเหลืออีก" not in page + refused


def test_login_page_in_english(english):
    page = visible(english.get("/accounts/login/"))
    assert "<h1>Log in</h1>" in page
    assert "Forgot your password?" in page
    assert "No account yet?" in page
    assert "ลืมรหัสผ่าน?" not in page
    assert "ยังไม่มีบัญชี?" not in page


def test_signup_page_in_english(english):
    page = visible(english.get("/accounts/signup/"))
    assert "<h1>Sign up</h1>" in page
    assert "Write your name as on your ID card: it is printed on your certificate." in page
    for label in ("First name (in Thai)", "Last name (in Thai)", "You log in with it next time"):
        assert label in page
    for label in ("ชื่อ (ภาษาไทย)", "นามสกุล (ภาษาไทย)", "ใช้เข้าสู่ระบบครั้งต่อไป", "สมัครเรียน"):
        assert label not in page


# The catalogue itself. polib is not installed: a small reader is enough for
# the files msgmerge writes.


def read_catalogue(path) -> list[dict]:
    """Entries of a .po file as dicts: comments, flags, context, id, plural, strings."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {
            "comments": [],
            "flags": set(),
            "context": None,
            "id": None,
            "plural": None,
            "strings": {},
        }
        field = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                entry["comments"].append(line)
            elif line.startswith('"'):
                append(entry, field, unquote(line))
            else:
                keyword, _, value = line.partition(" ")
                field = keyword
                append(entry, field, unquote(value))
        if entry["id"] is not None and not entry.get("obsolete"):
            entries.append(entry)
    return entries


def append(entry, field, text):
    if field == "msgctxt":
        entry["context"] = (entry["context"] or "") + text
    elif field == "msgid":
        entry["id"] = (entry["id"] or "") + text
    elif field == "msgid_plural":
        entry["plural"] = (entry["plural"] or "") + text
    else:
        index = int(field[7:-1]) if field.startswith("msgstr[") else 0
        entry["strings"][index] = entry["strings"].get(index, "") + text


def unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text.strip()[1:-1])


def key(entry) -> str:
    return f"{entry['context']}\x04{entry['id']}" if entry["context"] else entry["id"]


def catalogue_entries(path) -> list[dict]:
    return [entry for entry in read_catalogue(path) if entry["id"]]


def all_catalogue_entries() -> list[dict]:
    return [entry for path in CATALOGUES for entry in catalogue_entries(path)]


def test_catalogue_reader_sees_every_entry():
    entries = all_catalogue_entries()
    assert len(entries) > 500
    assert any(entry["plural"] for entry in entries)
    assert {entry["id"] for entry in entries} >= {"เข้าสู่ระบบ", "บทเรียน", "แบบทดสอบ", "เกียรติบัตร"}
    # Each plugin's catalogue holds its own strings.
    own = ("บทเรียน", "เกียรติบัตร", "ผู้รับไม่ได้เชื่อมบัญชี LINE ไว้")
    for path, text in zip(CATALOGUES[1:], own, strict=True):
        assert text in {entry["id"] for entry in catalogue_entries(path)}, path


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-4])
def test_every_string_has_an_english_text(catalogue):
    untranslated = [
        entry["id"]
        for entry in catalogue_entries(catalogue)
        if "fuzzy" in entry["flags"]
        or not entry["strings"]
        or not all(text.strip() for text in entry["strings"].values())
        or (entry["plural"] and sorted(entry["strings"]) != [0, 1])
    ]
    assert untranslated == [], (
        f"{len(untranslated)} strings have no (or only a fuzzy) English text in {catalogue}: "
        f"{untranslated[:10]}"
    )


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-4])
def test_english_texts_are_english(catalogue):
    # A msgstr copied from its Thai msgid would pass the test above.
    still_thai = [
        entry["id"]
        for entry in catalogue_entries(catalogue)
        if any(THAI.search(text) for text in entry["strings"].values())
        and not any(comment.startswith(THAI_KEPT) for comment in entry["comments"])
    ]
    assert still_thai == []


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-4])
def test_compiled_catalogue_matches_the_po_file(catalogue):
    compiled_path = catalogue.with_suffix(".mo")
    with compiled_path.open("rb") as file:
        compiled = gettext.GNUTranslations(file)._catalog
    stale = []
    for entry in catalogue_entries(catalogue):
        if entry["plural"]:
            pairs = [((key(entry), n), text) for n, text in entry["strings"].items()]
        else:
            pairs = [(key(entry), entry["strings"].get(0))]
        stale += [entry["id"] for k, text in pairs if compiled.get(k) != text]
    assert stale == [], f"Run: msgfmt --check -o {compiled_path} {catalogue}"


def test_catalogue_has_every_string_in_the_code(tmp_path, settings, monkeypatch):
    """makemessages on a copy of the sources finds nothing the catalogues lack,
    and each plugin's strings in that plugin's own catalogue (a host site
    installs the plugins without the site's)."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        skip_or_fail("GNU gettext tools (xgettext, msgmerge) are not installed")
    # A copy, because makemessages writes temporary files beside each template.
    source = tmp_path / "source"
    for folder, subfolders, files in os.walk(settings.BASE_DIR):
        relative = os.path.relpath(folder, settings.BASE_DIR)
        subfolders[:] = [
            name
            for name in subfolders
            if name not in NOT_SCANNED
            and os.path.normpath(os.path.join(relative, name)) not in NOT_SCANNED_PATHS
        ]
        for name in files:
            if name.endswith((".py", ".html", ".txt")):
                (source / relative).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(os.path.join(folder, name), source / relative / name)
    # makemessages writes an app's strings into the locale folder it finds in the app.
    for app in ("courses", "certificates", "notifications"):
        (source / app / "locale").mkdir()
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)

    extracted = [
        tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po",
        *(
            source / app / "locale" / "en" / "LC_MESSAGES" / "django.po"
            for app in ("courses", "certificates", "notifications")
        ),
    ]
    counted = 0
    for in_code_path, catalogue in zip(extracted, CATALOGUES, strict=True):
        in_code = {key(entry) for entry in catalogue_entries(in_code_path)}
        counted += len(in_code)
        in_catalogue = {key(entry) for entry in catalogue_entries(catalogue)}
        missing = sorted(in_code - in_catalogue)
        assert missing == [], (
            f"Strings in the code but not in {catalogue}; run the makemessages command "
            f"in the README and translate them: {missing[:10]}"
        )
    assert counted > 500
