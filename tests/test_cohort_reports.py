"""Cohort reports in the Wagtail admin: the figures against a small cohort
worked out by hand, the CSV and XLSX exports, questions and modules, village
coverage, the dashboard panel, the certificates ZIP and who may see what."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.lifecycle import issue_certificate
from courses.models import (
    AttemptStatus,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModuleCompletion,
    ModulePage,
    QuizAttempt,
    QuizQuestion,
)
from npv_site.cohorts import reports
from npv_site.cohorts.exports import neutralise, run_report_export
from npv_site.cohorts.models import CohortMembership, ReportExport, Village
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)

UTC = datetime.UTC
# 03:30 UTC is 10:30 in Bangkok.
COMPLETED_AT = datetime.datetime(2019, 1, 28, 3, 30, tzinfo=UTC)
PDF_BYTES = b"%PDF-1.4\n% a certificate\n%%EOF\n"


def make_trainer(username: str):
    user = UserFactory(username=username, first_name="วิทยากร", last_name=username)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


def village(province, district, no, name="บ้านทดสอบ", subdistrict="ตำบลทดสอบ") -> Village:
    return Village.objects.create(
        province=province, district=district, subdistrict=subdistrict, village_no=no, name=name
    )


def volunteer(cohort, place: Village, first_name="สมหญิง", last_name="รักถิ่น"):
    profile = VolunteerProfileFactory(
        first_name=first_name,
        last_name=last_name,
        province=place.province,
        district=place.district,
        subdistrict=place.subdistrict,
        village_no=place.village_no,
        village_name=place.name,
    )
    CohortMembership.objects.create(
        cohort=cohort, user=profile.user, village=place, roster_phone=profile.phone
    )
    return profile.user


def attempt(user, module, number, percent, passed, rights: dict, answered=None):
    """A graded attempt; `rights` maps question id to right/wrong, `answered`
    the ids the volunteer answered (all of them unless given)."""
    questions = list(QuizQuestion.objects.filter(module=module).order_by("sort_order"))
    answered = [q.pk for q in questions] if answered is None else answered
    return QuizAttempt.objects.create(
        user=user,
        module=module,
        number=number,
        status=AttemptStatus.GRADED,
        pass_mark=70,
        questions=[{"id": q.pk, "text": q.text, "choices": []} for q in questions],
        answers={str(q): [1] for q in answered},
        results={str(q): {"correct": right, "points": "1"} for q, right in rights.items()},
        score_percent=Decimal(percent),
        passed=passed,
        submitted_at=timezone.now(),
        graded_at=timezone.now(),
    )


def attach_pdf(certificate, content=PDF_BYTES):
    version = certificate.current_version
    version.pdf.save(f"{certificate.number}.pdf", ContentFile(content), save=False)
    version.rendered_at = timezone.now()
    version.save()


@pytest.fixture
def trainer(db):
    return make_trainer("trainer-chumphon")


@pytest.fixture
def other_trainer(db):
    return make_trainer("trainer-nan")


@pytest.fixture
def setup(trainer, other_trainer):
    """Five volunteers of Chumphon and Ranong, at every stage:

    u1 เมืองชุมพร  passed both modules, completed, certified (PDF rendered)
    u2 เมืองชุมพร  passed module 1 (its name starts with "=")
    u3 หลังสวน     read a lesson only
    u4 เมืองระนอง  enrolled, nothing done
    u5 กระบุรี     not enrolled
    and u6, of another cohort, certified in หลังสวน's other village.
    """
    course = build_course(modules=2, lessons=1, questions=2)
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    cohort = TrainingCohortFactory(
        name="ชุมพร 28 ม.ค. 2562",
        trainers=[trainer],
        courses=[course],
        provinces=["ชุมพร", "ระนอง"],
    )
    other = TrainingCohortFactory(
        name="น่าน 4 ก.พ. 2562", trainers=[other_trainer], courses=[course], provinces=["ชุมพร"]
    )
    v1 = village("ชุมพร", "เมืองชุมพร", 1, "บ้านหาดกลาง")
    v2 = village("ชุมพร", "เมืองชุมพร", 2, "บ้านท่ายาง")
    v3 = village("ชุมพร", "หลังสวน", 1, "บ้านขันเงิน")
    v3b = village("ชุมพร", "หลังสวน", 2, "บ้านนาพญา")
    v4 = village("ระนอง", "เมืองระนอง", 1, "บ้านบางริ้น")
    v5 = village("ระนอง", "กระบุรี", 1, "บ้านน้ำจืด")
    village("น่าน", "เมืองน่าน", 1, "บ้านดู่")  # not one of the cohort's provinces

    u1 = volunteer(cohort, v1, "สมศรี", "ใจดี")
    u2 = volunteer(cohort, v2, '=HYPERLINK("http://x")', "@ลบ")
    u3 = volunteer(cohort, v3, "สมชาย", "ขยัน")
    u4 = volunteer(cohort, v4, "มานี", "มีนา")
    u5 = volunteer(cohort, v5, "ปิติ", "ยินดี")
    u6 = volunteer(other, v3b, "ชูใจ", "ใจงาม")

    for user in (u1, u2, u3, u4, u6):
        Enrolment.objects.create(user=user, course=course)
    Enrolment.objects.filter(user__in=[u1, u6]).update(completed_at=COMPLETED_AT)
    for user, module in [(u1, modules[0]), (u1, modules[1]), (u2, modules[0])]:
        ModuleCompletion.objects.create(user=user, module=module, score_percent=100)
    for module in modules:
        ModuleCompletion.objects.create(user=u6, module=module)
    lesson = LessonPage.objects.descendant_of(modules[0]).first()
    LessonCompletion.objects.create(user=u3, lesson=lesson)

    qa, qb = QuizQuestion.objects.filter(module=modules[0]).order_by("sort_order")
    attempt(u1, modules[0], 1, 40, False, {qa.pk: False, qb.pk: False}, answered=[qa.pk])
    attempt(u1, modules[0], 2, 100, True, {qa.pk: True, qb.pk: True})
    attempt(u2, modules[0], 1, 80, True, {qa.pk: True, qb.pk: False})
    m2 = list(QuizQuestion.objects.filter(module=modules[1]))
    attempt(u1, modules[1], 1, 100, True, {q.pk: True for q in m2})
    # Someone outside the cohort, and u6 of the other cohort: not in this cohort's figures.
    attempt(UserFactory(), modules[0], 1, 0, False, {qa.pk: False, qb.pk: False})
    attempt(u6, modules[0], 1, 0, False, {qa.pk: False, qb.pk: False})

    certificate = issue_certificate(u1.pk, course.pk)
    attach_pdf(certificate)
    attach_pdf(issue_certificate(u6.pk, course.pk))
    return {
        "course": course,
        "modules": modules,
        "cohort": cohort,
        "other": other,
        "users": [u1, u2, u3, u4, u5],
        "u6": u6,
        "questions": (qa, qb),
        "certificate": certificate,
    }


def outline_of(setup):
    return reports.CourseOutline.of(setup["course"])


# ---------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------


def test_place_summaries_match_the_hand_counted_figures(setup):
    places = reports.place_summaries(setup["cohort"], outline_of(setup), by_district=True)
    got = {
        (p.province, p.district): (
            p.volunteers,
            p.enrolled,
            p.started,
            p.passed,
            p.completed,
            p.certified,
        )
        for p in places
    }
    assert got == {
        ("ชุมพร", "เมืองชุมพร"): (2, 2, 2, [2, 1], 1, 1),
        ("ชุมพร", "หลังสวน"): (1, 1, 1, [0, 0], 0, 0),
        ("ระนอง", "เมืองระนอง"): (1, 1, 0, [0, 0], 0, 0),
        ("ระนอง", "กระบุรี"): (1, 0, 0, [0, 0], 0, 0),
    }
    by_province = reports.place_summaries(setup["cohort"], outline_of(setup))
    assert [(p.province, p.volunteers, p.passed, p.certified) for p in by_province] == [
        ("ชุมพร", 3, [2, 1], 1),
        ("ระนอง", 2, [0, 0], 0),
    ]
    total = reports.total_summary(places, 2)
    assert (total.volunteers, total.enrolled, total.started, total.passed) == (5, 4, 3, [2, 1])
    assert (total.completed, total.certified) == (1, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grouped join is PostgreSQL's")
@pytest.mark.parametrize(
    "filters",
    [{}, {"province": "ชุมพร"}, {"status": "in_progress"}, {"status": "not_started"}],
)
def test_the_grouped_place_summaries_are_the_orms(setup, monkeypatch, filters):
    """On PostgreSQL the summaries count passes from one grouped scan joined
    by volunteer; they are the figures of the ORM's query (one IN list per
    module, as SQLite's path has it), by province and by district."""
    cohort, outline = setup["cohort"], outline_of(setup)
    chosen = reports.ReportFilters.from_query(filters)
    grouped = [
        reports.place_summaries(cohort, outline, chosen, by_district)
        for by_district in (False, True)
    ]

    class OtherDatabase:
        vendor = "other"

        def __getattr__(self, name):
            return getattr(connection, name)

    monkeypatch.setattr(reports, "connection", OtherDatabase())
    by_orm = [
        reports.place_summaries(cohort, outline, chosen, by_district)
        for by_district in (False, True)
    ]
    assert grouped == by_orm and grouped[1]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"status": "not_started"}, {"มานี", "ปิติ"}),
        ({"status": "in_progress"}, {'=HYPERLINK("http://x")', "สมชาย"}),
        ({"status": "completed"}, {"สมศรี"}),
        ({"status": "certified"}, {"สมศรี"}),
        ({"province": "ระนอง"}, {"มานี", "ปิติ"}),
        ({"province": "ชุมพร", "district": "หลังสวน"}, {"สมชาย"}),
        ({}, {"สมศรี", '=HYPERLINK("http://x")', "สมชาย", "มานี", "ปิติ"}),
    ],
)
def test_the_filters_choose_the_volunteers(setup, filters, expected):
    rows = reports.volunteer_rows(
        setup["cohort"], outline_of(setup), reports.ReportFilters.from_query(filters)
    )
    assert {row.first_name for row in rows} == expected


def test_a_filtered_summary_counts_only_the_matching_volunteers(setup):
    filters = reports.ReportFilters(status="in_progress")
    places = reports.place_summaries(setup["cohort"], outline_of(setup), filters, by_district=True)
    assert {(p.district, p.volunteers, p.started) for p in places} == {
        ("เมืองชุมพร", 1, 1),
        ("หลังสวน", 1, 1),
    }


def test_module_and_question_figures_match_the_hand_counted_ones(setup):
    stats = reports.module_stats(setup["cohort"], outline_of(setup))
    first, second = stats
    # (40 + 100 + 80) / 3 attempts; u1 passed on the 2nd, u2 on the 1st.
    assert (first.graded_attempts, first.average_score) == (3, Decimal("73.3"))
    assert (first.passers, first.average_attempts_to_pass) == (2, Decimal("1.5"))
    assert (second.graded_attempts, second.average_score, second.passers) == (
        1,
        Decimal("100.0"),
        1,
    )
    assert second.average_attempts_to_pass == Decimal("1.0")
    qa, qb = setup["questions"]
    by_id = {q.question_id: q for q in first.questions}
    # qa answered on all three attempts, right twice; qb left blank once.
    assert (by_id[str(qa.pk)].answered, by_id[str(qa.pk)].share_right) == (3, Decimal("66.7"))
    assert (by_id[str(qb.pk)].answered, by_id[str(qb.pk)].share_right) == (2, Decimal("50.0"))
    assert by_id[str(qa.pk)].text == qa.text


def test_question_shares_and_attempts_to_pass_on_a_known_set(trainer):
    """Figures the database works out (JSON unpacked in SQL, first passes
    grouped and joined) against a set counted by hand; both databases run it.

    Module 1, questions q1-q3, six graded attempts of cohort volunteers:
      a1 #1 answers q1 q2 q3, right q1       a2 #1 answers q1 q2, right q1 q2
      a1 #2 answers q1 q2 q3, right q1 q2 q3 (passed: a1's first pass is #2)
      a1 #3 answers q1 q2 q3, right all      (passed again, later)
      a3 #1 answers q1 ([] for q2), right q1 q3 (passed)
      a4 #1 answers nothing, marked wrong    (failed)
    a5 passed the module with no attempt on record (a trainer's pass): a
    passer without attempts to pass. Outsiders' attempts do not count.
    """
    course = build_course(modules=1, lessons=0, questions=3)
    (module,) = ModulePage.objects.child_of(course)
    q1, q2, q3 = QuizQuestion.objects.filter(module=module).order_by("sort_order")
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course], provinces=["ชุมพร"])
    place = village("ชุมพร", "เมืองชุมพร", 1)
    a1, a2, a3, a4, a5 = (volunteer(cohort, place, f"คนที่{n}") for n in range(1, 6))
    every = [q1.pk, q2.pk, q3.pk]
    attempt(a1, module, 1, 33, False, {q1.pk: True, q2.pk: False, q3.pk: False}, every)
    attempt(a1, module, 2, 100, True, dict.fromkeys(every, True), every)
    attempt(a1, module, 3, 100, True, dict.fromkeys(every, True), every)
    attempt(a2, module, 1, 67, False, {q1.pk: True, q2.pk: True, q3.pk: False}, [q1.pk, q2.pk])
    blank_q2 = attempt(a3, module, 1, 75, True, {q1.pk: True, q2.pk: False, q3.pk: True}, [q1.pk])
    blank_q2.answers[str(q2.pk)] = []
    blank_q2.save()
    attempt(a4, module, 1, 0, False, dict.fromkeys(every, False), [])
    attempt(UserFactory(), module, 1, 100, True, dict.fromkeys(every, True), every)
    for user in (a1, a3, a5):
        ModuleCompletion.objects.create(user=user, module=module)
    q3_pk = q3.pk
    q3.delete()

    (stats,) = reports.module_stats(cohort, reports.CourseOutline.of(course))
    # (33 + 100 + 100 + 67 + 75 + 0) / 6 = 62.5
    assert (stats.graded_attempts, stats.average_score) == (6, Decimal("62.5"))
    # Passers a1, a3, a5; first passes #2 (a1) and #1 (a3): (2 + 1) / 2.
    assert (stats.passers, stats.average_attempts_to_pass) == (3, Decimal("1.5"))
    got = {q.question_id: (q.answered, q.right, q.share_right) for q in stats.questions}
    assert got == {
        # answered on all but a4's attempt; right on all five
        str(q1.pk): (5, 5, Decimal("100.0")),
        # answered by a1 (3 times) and a2; right on a1 #2, #3 and a2: 3 of 4
        str(q2.pk): (4, 3, Decimal("75.0")),
        # answered by a1 only; right twice of three
        str(q3_pk): (3, 2, Decimal("66.7")),
    }
    deleted = next(q for q in stats.questions if q.question_id == str(q3_pk))
    assert str(q3_pk) in str(deleted.text)


def test_a_first_pass_average_on_a_rounding_tie_is_the_same_on_every_database(trainer):
    """First passes #1, #1, #1, #2 average 1.25, which rounds half to even."""
    course = build_course(modules=1, lessons=1, questions=1)
    (module,) = ModulePage.objects.child_of(course)
    (question,) = QuizQuestion.objects.filter(module=module)
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course], provinces=["ชุมพร"])
    place = village("ชุมพร", "เมืองชุมพร", 1)
    for n in range(4):
        user = volunteer(cohort, place, f"คนที่{n}")
        if n == 3:
            attempt(user, module, 1, 0, False, {question.pk: False})
        attempt(user, module, 2 if n == 3 else 1, 100, True, {question.pk: True})
        ModuleCompletion.objects.create(user=user, module=module)
    (stats,) = reports.module_stats(cohort, reports.CourseOutline.of(course))
    assert (stats.passers, stats.average_attempts_to_pass) == (4, Decimal("1.2"))


def test_an_attempt_without_marks_counts_once_in_the_module_figures(trainer):
    """The module's attempts and average come from the same pass as the
    marks: an attempt with three marks counts once, one with none still
    counts."""
    course = build_course(modules=1, lessons=0, questions=3)
    (module,) = ModulePage.objects.child_of(course)
    every = list(QuizQuestion.objects.filter(module=module).values_list("pk", flat=True))
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course], provinces=["ชุมพร"])
    place = village("ชุมพร", "เมืองชุมพร", 1)
    first, second = (volunteer(cohort, place, f"คนที่{n}") for n in range(2))
    attempt(first, module, 1, 90, True, dict.fromkeys(every, True), every)
    attempt(second, module, 1, 21, False, {}, [])
    (stats,) = reports.module_stats(cohort, reports.CourseOutline.of(course))
    # (90 + 21) / 2 attempts, not (3 × 90 + 21) / 4 rows.
    assert (stats.graded_attempts, stats.average_score) == (2, Decimal("55.5"))
    assert {q.question_id: q.answered for q in stats.questions} == {str(pk): 1 for pk in every}


def test_a_new_grade_or_member_shows_at_once_on_the_kept_question_figures(trainer):
    course = build_course(modules=1, lessons=0, questions=1)
    (module,) = ModulePage.objects.child_of(course)
    (question,) = QuizQuestion.objects.filter(module=module)
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course], provinces=["ชุมพร"])
    place = village("ชุมพร", "เมืองชุมพร", 1)
    first = volunteer(cohort, place, "คนที่1")
    attempt(first, module, 1, 40, False, {question.pk: False})
    outline = reports.CourseOutline.of(course)

    def figures():
        with CaptureQueriesContext(connection) as captured:
            (stats,) = reports.module_stats(cohort, outline)
        return (stats.graded_attempts, stats.average_score, stats.passers), len(captured)

    worked_out, queries = figures()
    assert worked_out == (1, Decimal("40.0"), 0)
    kept, kept_queries = figures()
    assert kept == worked_out and kept_queries < queries
    graded = attempt(first, module, 2, 100, True, {question.pk: True})
    ModuleCompletion.objects.create(user=first, module=module)
    assert figures()[0] == (2, Decimal("70.0"), 1)
    # Someone graded no later than the latest grade joins the cohort.
    other = village("ชุมพร", "เมืองชุมพร", 2)
    joining = UserFactory()
    attempt(joining, module, 1, 10, False, {question.pk: False})
    QuizAttempt.objects.filter(user=joining).update(graded_at=graded.graded_at)
    CohortMembership.objects.create(cohort=cohort, user=joining, village=other)
    assert figures()[0] == (3, Decimal("50.0"), 1)


def test_a_course_without_lessons_counts_starts_from_attempts_and_passes(client, trainer):
    course = build_course(modules=2, lessons=0, questions=1)
    first, second = ModulePage.objects.child_of(course).order_by("path")
    (question,) = QuizQuestion.objects.filter(module=first)
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course], provinces=["ชุมพร"])
    place = village("ชุมพร", "เมืองชุมพร", 1)
    tried, passed, idle = (volunteer(cohort, place, name) for name in ("ลอง", "ผ่าน", "ว่าง"))
    attempt(tried, first, 1, 0, False, {question.pk: False})
    ModuleCompletion.objects.create(user=passed, module=second)
    outline = reports.CourseOutline.of(course)
    (summary,) = reports.place_summaries(cohort, outline)
    assert (summary.volunteers, summary.started, summary.passed) == (3, 2, [0, 1])
    rows = {row.first_name: row for row in reports.volunteer_rows(cohort, outline)}
    assert {name: row.progress.started for name, row in rows.items()} == {
        "ลอง": True,
        "ผ่าน": True,
        "ว่าง": False,
    }
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{cohort.pk}/report.csv?status=not_started")
    assert [row[5] for row in csv_rows(response)[1:]] == ["ว่าง"]
    assert idle.pk


def test_village_coverage_counts_villages_with_a_certified_volunteer_of_any_cohort(setup):
    coverage = {
        c.province: (c.covered, c.villages) for c in reports.village_coverage(setup["cohort"])
    }
    # Chumphon: u1's village and u6's (another cohort); Ranong: none. Nan is not served.
    assert coverage == {"ชุมพร": (2, 4), "ระนอง": (0, 2)}


def test_a_revoked_certificate_covers_no_village(setup):
    setup["certificate"].status = "revoked"
    setup["certificate"].save()
    coverage = {c.province: c.covered for c in reports.village_coverage(setup["cohort"])}
    assert coverage["ชุมพร"] == 1


# ---------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------


def test_the_report_page_shows_the_figures(client, trainer, setup):
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{setup['cohort'].pk}/report/")
    assert response.status_code == 200
    html = response.text
    assert "ชุมพร" in html and "ระนอง" in html
    assert "สมศรี" in html and setup["certificate"].number in html
    # A province chosen: its districts, and none of Chumphon's volunteers.
    response = client.get(f"/admin/cohorts/{setup['cohort'].pk}/report/?province=ระนอง")
    assert "กระบุรี" in response.text and "เมืองระนอง" in response.text
    assert "มานี" in response.text and "สมศรี" not in response.text


def test_the_questions_page_shows_the_share_right(client, trainer, setup):
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{setup['cohort'].pk}/report/questions/")
    assert response.status_code == 200
    assert "66.7" in response.text and "73.3" in response.text and "1.5" in response.text


def test_the_coverage_page_draws_a_bar_chart_without_inline_styles(client, trainer, setup):
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{setup['cohort'].pk}/report/villages/")
    html = response.text
    assert response.status_code == 200
    chart = html[html.index('<figure class="coverage-chart">') :]
    chart = chart[: chart.index("</svg>")]
    assert "style=" not in chart
    assert chart.count('class="coverage-chart__covered"') == 2
    assert "2/4" in chart and "0/2" in chart
    assert "http://" not in chart.replace("http://www.w3.org/2000/svg", "")


def report_soup(client, trainer, cohort, language="th"):
    from bs4 import BeautifulSoup

    client.force_login(trainer)
    client.cookies["django_language"] = language
    set_admin_language(trainer, language)
    return BeautifulSoup(client.get(f"/admin/cohorts/{cohort.pk}/report/").text, "html.parser")


def set_admin_language(user, language: str) -> None:
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def test_the_pass_ticks_have_their_size_and_a_name(client, trainer, setup):
    table = report_soup(client, trainer, setup["cohort"]).select_one("[data-report='volunteers']")
    ticks = table.select("svg.report-pass")
    assert len(ticks) == 3  # u1 passed both modules, u2 the first
    for tick in ticks:
        # Without a size an SVG draws at 300×150 wherever the CSS does not reach.
        assert (tick.get("width"), tick.get("height")) == ("16", "16")
        assert tick["role"] == "img" and tick["aria-label"] == "ผ่าน"
        assert tick.title.get_text() == "ผ่าน"


def test_long_module_titles_head_their_columns_whole_with_the_title_on_hover(
    client, trainer, setup
):
    long_title = "การตั้งค่าเราเตอร์และเครือข่ายไร้สายในบ้านให้ปลอดภัยสำหรับทุกคนในครอบครัว"
    module = setup["modules"][0]
    module.title = long_title
    module.save_revision().publish()
    soup = report_soup(client, trainer, setup["cohort"])
    heads = soup.select("[data-report='volunteers'] th.cohort-table__module .cohort-table__clip")
    assert len(heads) == 2
    # The whole title is the heading's text (a screen reader reads it uncut),
    # its tooltip, and the clip can take the keyboard's focus to show it whole.
    assert heads[0].get_text() == long_title and heads[0]["title"] == long_title
    assert heads[0]["tabindex"] == "0"
    places = soup.select("[data-report='places'] th.cohort-table__module .cohort-table__clip")
    assert places[0]["title"] == f"ผ่าน {long_title}"


@pytest.mark.parametrize(
    ("language", "year", "completed"),
    [("th", "2562", "28 ม.ค. 2562"), ("en", "2019", "Jan. 28, 2019")],
)
def test_every_year_on_the_report_is_buddhist_era_in_thai_and_common_era_in_english(
    client, trainer, setup, language, year, completed
):
    cohort = setup["cohort"]
    soup = report_soup(client, trainer, cohort, language)
    row = soup.select_one("[data-report='volunteers'] tbody tr:-soup-contains('สมศรี')")
    assert completed in row.get_text()
    other = "2019" if year == "2562" else "2562"
    main = soup.select_one("main").get_text()
    # The certificate number keeps its Buddhist-era year in both languages;
    # the cohort's name is the trainer's own text.
    text = main.replace(setup["certificate"].number, "").replace(cohort.name, "")
    assert other not in text
    # The file's name too: the year it was made, as the trainer writes it.
    this_year = timezone.localdate().year + (543 if language == "th" else 0)
    stamp = client.get(f"/admin/cohorts/{cohort.pk}/report.csv")["Content-Disposition"]
    assert re.search(rf'"cohort-{cohort.pk}-report-{this_year}\d{{4}}-\d{{4}}\.csv"', stamp)


def test_the_export_screen_says_when_the_file_was_asked_for_in_the_buddhist_era(
    client, trainer, setup
):
    cohort = setup["cohort"]
    export = ReportExport.objects.create(
        cohort=cohort, course=setup["course"], requested_by=trainer, filters={}
    )
    ReportExport.objects.filter(pk=export.pk).update(requested_at=COMPLETED_AT)
    client.force_login(trainer)
    page = client.get(f"/admin/cohorts/{cohort.pk}/report/exports/{export.pk}/").text
    assert "ขอไฟล์เมื่อ 28 มกราคม 2562 10:30 น." in page


def test_the_dashboard_panel_shows_the_trainers_cohorts_and_their_completion(
    client, trainer, setup
):
    client.force_login(trainer)
    html = client.get("/admin/").text
    panel = html[html.index('data-report="dashboard"') :]
    panel = panel[: panel.index("</table>")]
    assert "ชุมพร 28 ม.ค. 2562" in panel and "น่าน 4 ก.พ. 2562" not in panel
    assert 'max="5" value="1"' in panel


# ---------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_csv_and_xlsx_have_the_same_rows_neutralised_in_bangkok_time(client, trainer, setup):
    client.force_login(trainer)
    base = f"/admin/cohorts/{setup['cohort'].pk}/report"
    from_csv = csv_rows(client.get(base + ".csv"))
    response = client.post(base + ".xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx_rows(response.content) == from_csv

    header, *rows = from_csv
    assert len(rows) == 5
    assert [m.title for m in setup["modules"]][0] in header[10]
    by_name = {row[5]: row for row in rows}
    formula = by_name['\'=HYPERLINK("http://x")']
    assert formula[6] == "'@ลบ"
    done = by_name["สมศรี"]
    assert done[header.index("เรียนจบเมื่อ")] == "2019-01-28 10:30"
    assert done[header.index("เลขที่เกียรติบัตร")] == setup["certificate"].number
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in from_csv for cell in row)


def test_the_csv_streams_in_chunks_with_every_time_in_bangkok(client, trainer, setup, monkeypatch):
    """Read two rows at a time (a server-side cursor on PostgreSQL), the CSV
    is the same, row for row; the database writes the times, and an enrolment
    at 20:15 UTC shows on the next day in Bangkok."""
    from npv_site.cohorts import exports

    u1 = setup["users"][0]
    Enrolment.objects.filter(user=u1).update(
        enrolled_at=datetime.datetime(2019, 1, 27, 20, 15, 59, 999999, tzinfo=UTC)
    )
    certificate = setup["certificate"]
    certificate.issued_at = datetime.datetime(2019, 1, 31, 16, 59, 30, tzinfo=UTC)
    certificate.save()
    client.force_login(trainer)
    url = f"/admin/cohorts/{setup['cohort'].pk}/report.csv"
    at_once = csv_rows(client.get(url))
    monkeypatch.setattr(exports, "EXPORT_CHUNK_ROWS", 2)
    header, *rows = csv_rows(client.get(url))
    assert [header, *rows] == at_once and len(rows) == 5
    by_name = {row[5]: row for row in rows}
    done = by_name["สมศรี"]
    assert done[header.index("ลงทะเบียนเรียนเมื่อ")] == "2019-01-28 03:15"
    assert done[header.index("เรียนจบเมื่อ")] == "2019-01-28 10:30"
    assert done[header.index("ได้รับเกียรติบัตรเมื่อ")] == "2019-01-31 23:59"
    assert done[8:13] == ["2019-01-28 03:15", "ใช่", "ใช่", "ใช่", "2019-01-28 10:30"]
    # u5 is not enrolled: no time, not started, nothing passed.
    assert by_name["ปิติ"][8:13] == ["", "ไม่", "ไม่", "ไม่", ""]
    # u2 passed module 1 only.
    assert by_name['\'=HYPERLINK("http://x")'][9:12] == ["ใช่", "ใช่", "ไม่"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_csv_postgresql_writes_is_the_one_python_writes(client, trainer, setup):
    """On PostgreSQL the CSV is written by COPY; byte for byte it is the
    Python writer's: quotes, commas, a line break and a formula inside a
    cell, a cell that is empty or missing, rows in order, CRLF line ends."""
    from npv_site.cohorts import exports

    cohort = setup["cohort"]
    place = village("ชุมพร", '=เมือง, "ใหม่"', 3, "บ้าน\nสองบรรทัด", subdistrict="")
    volunteer(cohort, place, "+66", 'มี "ชื่อเล่น", ด้วย')
    nameless = volunteer(cohort, place, "", "-")
    nameless.first_name = "-ผู้ใช้"
    nameless.save()
    CohortMembership.objects.filter(user=nameless).update(roster_phone="")
    CohortMembership.objects.create(cohort=cohort, user=UserFactory(first_name="ไม่มีหมู่บ้าน"))
    # Every other formula start, and a Thai first letter (ascii() is its code point).
    volunteer(cohort, place, "@สมชาย", "\tแท็บ")
    volunteer(cohort, place, "\rขึ้นบรรทัด", "กุ้ง")
    outline = reports.CourseOutline.of(setup["course"])
    filters = reports.ReportFilters()

    def as_bytes(chunks) -> bytes:
        return b"".join(c.encode() if isinstance(c, str) else c for c in chunks)

    by_python = as_bytes(exports.csv_chunks(exports.export_rows(cohort, outline, filters)))
    by_copy = as_bytes(exports.export_csv(cohort, outline, filters))
    assert by_copy == by_python
    rows = list(csv.reader(io.StringIO(by_copy.decode()[1:])))
    assert len(rows) == 1 + 10
    by_name = {row[5]: row for row in rows[1:]}
    assert by_name["'@สมชาย"][6] == "'\tแท็บ"
    assert "'\rขึ้นบรรทัด" in by_name
    assert by_name["'+66"][1:5] == ["\'=เมือง, \"ใหม่\"", "", "3", "บ้าน\nสองบรรทัด"]
    assert by_name["'-ผู้ใช้"][7] == nameless.volunteer_profile.phone
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{cohort.pk}/report.csv")
    assert as_bytes(response.streaming_content) == by_python


def test_the_exports_follow_the_filters(client, trainer, setup):
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{setup['cohort'].pk}/report.csv?status=not_started")
    assert sorted(row[5] for row in csv_rows(response)[1:]) == sorted(["มานี", "ปิติ"])


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=1+1", "'=1+1"),
        ("+66", "'+66"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("สมศรี", "สมศรี"),
        (7, 7),
    ],
)
def test_cells_that_start_like_a_formula_are_neutralised(value, safe):
    assert neutralise(value) == safe


def test_a_large_xlsx_is_queued_and_offered_when_built(
    client, trainer, other_trainer, setup, monkeypatch, django_capture_on_commit_callbacks
):
    from npv_site.cohorts import tasks
    from npv_site.cohorts.views import reports as report_views

    sent = []
    monkeypatch.setattr(report_views, "XLSX_INLINE_ROWS", 2)
    monkeypatch.setattr(tasks, "send_report_export", lambda pk: sent.append(pk) or True)
    client.force_login(trainer)
    cohort = setup["cohort"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/cohorts/{cohort.pk}/report.xlsx?province=ชุมพร")
    export = ReportExport.objects.get()
    assert response["Location"] == f"/admin/cohorts/{cohort.pk}/report/exports/{export.pk}/"
    assert sent == [export.pk]
    assert client.get(response["Location"] + "?format=json").json()["finished"] is False

    run_report_export(export.pk)
    page = client.get(response["Location"])
    assert "ดาวน์โหลดไฟล์ Excel" in page.text
    download = client.get(response["Location"] + "download/")
    header, *rows = xlsx_rows(download.content)
    assert sorted(r[5] for r in rows) == sorted(["สมศรี", '\'=HYPERLINK("http://x")', "สมชาย"])
    # Another trainer cannot fetch it.
    client.force_login(other_trainer)
    assert client.get(response["Location"] + "download/").status_code == 404


# ---------------------------------------------------------------------------
# Certificates ZIP
# ---------------------------------------------------------------------------


def test_the_zip_holds_the_cohorts_rendered_certificates_only(client, trainer, setup):
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{setup['cohort'].pk}/certificates.zip")
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    # u6's certificate belongs to the other cohort.
    assert len(names) == 1 and names[0].startswith(setup["certificate"].number)
    assert archive.read(names[0]) == PDF_BYTES


def test_a_certificate_not_yet_rendered_is_left_out_of_the_zip(client, trainer, setup):
    version = setup["certificate"].current_version
    version.pdf = ""
    version.rendered_at = None
    version.save()
    client.force_login(trainer)
    response = client.get(f"/admin/cohorts/{setup['cohort'].pk}/certificates.zip")
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist() == []


def test_only_the_cohorts_trainer_or_a_superuser_downloads_the_zip(client, setup):
    url = f"/admin/cohorts/{setup['cohort'].pk}/certificates.zip"
    coordinator = make_trainer("coordinator")
    coordinator.user_permissions.add(Permission.objects.get(codename="manage_all_cohorts"))
    client.force_login(coordinator)
    # Wagtail's admin answers a permission denial with a redirect home and a message.
    refused = client.get(url)
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    client.force_login(UserFactory(username="admin", is_superuser=True, is_staff=True))
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------


def report_urls(cohort) -> list[str]:
    return [
        f"/admin/cohorts/{cohort.pk}/report/",
        f"/admin/cohorts/{cohort.pk}/report.csv",
        f"/admin/cohorts/{cohort.pk}/report/questions/",
        f"/admin/cohorts/{cohort.pk}/report/villages/",
        f"/admin/cohorts/{cohort.pk}/certificates.zip",
    ]


def test_a_trainer_cannot_see_another_trainers_cohort_report(client, trainer, setup):
    client.force_login(trainer)
    for url in report_urls(setup["other"]):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/cohorts/{setup['other'].pk}/report.xlsx").status_code == 404


@pytest.mark.parametrize("who", ["volunteer", "anonymous"])
def test_a_volunteer_reaches_no_report(client, setup, who):
    if who == "volunteer":
        client.force_login(setup["users"][0])
    for url in report_urls(setup["cohort"]):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


# ---------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------


def add_volunteers(cohort, course, count: int, start: int):
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    for n in range(start, start + count):
        place = village("ชุมพร", f"อำเภอ{n % 3}", n % 90 + 1, subdistrict=f"ตำบล{n}")
        user = volunteer(cohort, place, f"คนที่{n}")
        Enrolment.objects.create(user=user, course=course)
        if n % 2:
            ModuleCompletion.objects.create(user=user, module=modules[0])


@pytest.mark.parametrize("path", ["report/", "report.csv", "report/questions/", "report/villages/"])
def test_report_queries_do_not_grow_with_the_volunteers(client, trainer, path):
    course = build_course(modules=2, lessons=1, questions=1)
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course], provinces=["ชุมพร"])
    client.force_login(trainer)
    url = f"/admin/cohorts/{cohort.pk}/{path}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(captured)

    add_volunteers(cohort, course, 5, 0)
    few = queries()
    add_volunteers(cohort, course, 45, 5)
    assert queries() == few


def test_the_dashboard_queries_do_not_grow_with_the_cohorts(client, trainer):
    client.force_login(trainer)
    course = build_course(modules=1, lessons=1, questions=0)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/").status_code == 200
        return len(captured)

    TrainingCohortFactory.create_batch(2, trainers=[trainer], courses=[course])
    # The first visit fills caches every later one reads (it makes one query more when the
    # test runs alone, with a cache of its own): compare the visits after it.
    queries()
    few = queries()
    TrainingCohortFactory.create_batch(6, trainers=[trainer], courses=[course])
    assert queries() == few


# ---------------------------------------------------------------------------
# The XLSX built by a real worker
# ---------------------------------------------------------------------------


# One test for both the worker and the browser: each needs the committed
# rows of `setup`, and a second transactional test here found the rows the
# migrations make (the Trainers group, the provinces) gone after the first.
@pytest.mark.worker
@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_builds_the_large_xlsx_and_the_pages_work_on_a_phone(
    celery_worker, client, trainer, setup, monkeypatch, phone, screenshot, live_server
):
    from npv_site.cohorts.views import reports as report_views
    from tests.browser import log_in
    from tests.quiz_helpers import wait_until

    monkeypatch.setattr(report_views, "XLSX_INLINE_ROWS", 2)
    client.force_login(trainer)
    response = client.post(f"/admin/cohorts/{setup['cohort'].pk}/report.xlsx")
    page = response["Location"]
    wait_until(lambda: client.get(page + "?format=json").json()["finished"], what="the XLSX")
    assert ReportExport.objects.get().status == ReportExport.Status.DONE
    header, *rows = xlsx_rows(client.get(page + "download/").content)
    assert len(rows) == 5 and "เลขที่เกียรติบัตร" in header
    export_pk = ReportExport.objects.get().pk
    assert celery_worker.deliveries("courses.cohorts.tasks.build_report_export") == [(export_pk,)]

    # The report pages in a phone's browser: no CSP violation, no console error.
    log_in(phone, trainer)
    cohort = setup["cohort"]
    phone.goto(f"{live_server.url}/admin/cohorts/{cohort.pk}/report/")
    assert phone.locator('[data-report="places"] tfoot').inner_text().split()[1:3] == ["5", "4"]
    screenshot(phone, "progress")
    phone.goto(f"{live_server.url}/admin/cohorts/{cohort.pk}/report/villages/")
    bars = phone.locator(".coverage-chart__covered")
    assert bars.count() == 2 and float(bars.first.get_attribute("width")) > 0
    screenshot(phone, "coverage")
    phone.goto(f"{live_server.url}/admin/cohorts/{cohort.pk}/report/questions/")
    screenshot(phone, "questions")
    phone.goto(f"{live_server.url}/admin/")
    assert phone.locator('[data-report="dashboard"]').is_visible()
    screenshot(phone, "dashboard")


def test_the_xlsx_task_goes_to_the_default_queue():
    from npv_site.celery import app

    route = app.amqp.router.route({}, "courses.cohorts.tasks.build_report_export")
    assert route["queue"].name == "default"
