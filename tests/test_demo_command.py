"""`load_demo_course`, as `make run` calls it: the logins it prints name the address people
open (SITE_URL), a second run keeps what the first made, and the demo ships a cohort (the
Chumphon roster, 311 volunteers trained by the demo trainer, with a spread of progress)."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.documents import get_document_model

from certificates import lifecycle
from certificates.models import Certificate
from courses.attempts import send_grading_job
from courses.models import (
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModuleCompletion,
    QuizAttempt,
)
from npv_site.accounts.models import VolunteerProfile
from npv_site.cohorts import reports
from npv_site.cohorts.models import CohortMembership, TrainingCohort, Village
from npv_site.demo.cohort import COHORT_NAME

DEMO_COURSE = Path(__file__).resolve().parents[1] / "site" / "demo" / "course"


def load(**options) -> str:
    out = io.StringIO()
    call_command("load_demo_course", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_the_demo_logins_name_the_address_the_site_is_served_on(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://192.168.1.20:8080"
    printed = load(no_cohort=True)
    assert "Demo logins (http://192.168.1.20:8080/):" in printed
    assert "127.0.0.1:8000" not in printed
    assert "demo-trainer" in printed and "demo-volunteer" in printed

    lessons = LessonPage.objects.count()
    again = load(no_cohort=True)
    assert " 0 item(s) created" in again
    assert LessonPage.objects.count() == lessons > 0


def demo_counts() -> dict:
    return {
        "members": CohortMembership.objects.count(),
        "profiles": VolunteerProfile.objects.count(),
        "villages": Village.objects.count(),
        "lessons_read": LessonCompletion.objects.count(),
        "attempts": QuizAttempt.objects.count(),
        "passes": ModuleCompletion.objects.count(),
        "completed": Enrolment.objects.filter(completed_at__isnull=False).count(),
        "certificates": Certificate.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_cohort_is_the_chumphon_roster_with_a_spread_of_progress(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as after_commit:
        printed = load()
    # Graded here, as the worker would: none of its hundreds of attempts is sent
    # to the worker, where they would only queue ahead of a real volunteer's.
    sent = [c for c in after_commit if getattr(c, "func", None) is send_grading_job]
    assert sent == []
    cohort = TrainingCohort.objects.get(name=COHORT_NAME)
    assert list(cohort.trainers.values_list("username", flat=True)) == ["demo-trainer"]
    course = CoursePage.objects.get()
    assert list(cohort.courses.all()) == [course]
    members = cohort.memberships.count()
    assert members == 311
    assert f"{members} volunteers" in printed and re.search(r" in \d+\.\d s\.", printed)
    assert VolunteerProfile.objects.filter(phone="0626840796", province="ชุมพร").exists()

    member_ids = cohort.memberships.values_list("user_id", flat=True)
    enrolments = Enrolment.objects.filter(course=course, user_id__in=member_ids)
    finished = set(enrolments.filter(completed_at__isnull=False).values_list("user_id", flat=True))
    passed_some = set(
        ModuleCompletion.objects.filter(user_id__in=member_ids).values_list("user_id", flat=True)
    )
    started = passed_some | set(
        LessonCompletion.objects.filter(user_id__in=member_ids).values_list("user_id", flat=True)
    )
    halfway = passed_some - finished
    not_started = set(member_ids) - started
    assert len(finished) > 0 and len(halfway) > 0 and len(not_started) > 0
    assert len(finished) + len(halfway) + len(not_started) < 311  # and some only reading
    # Graded by the real grading: some passes came after a failed attempt.
    assert QuizAttempt.objects.filter(passed=False, user_id__in=member_ids).exists()
    assert not QuizAttempt.objects.filter(graded_at__isnull=True).exists()

    # Every finished volunteer holds a certificate, issued for real (its number and
    # version); the PDFs are left to the Celery worker unless --render.
    certificates = Certificate.objects.filter(course=course)
    assert set(certificates.values_list("user_id", flat=True)) == finished
    assert all(c.current_version_id and c.number.startswith("NPV-") for c in certificates)

    before = demo_counts()
    again = load()
    assert demo_counts() == before
    assert "0 imported now; progress played for: nobody new" in again


@pytest.mark.django_db
def test_the_demo_cohort_report_shows_real_figures(client):
    load()
    cohort = TrainingCohort.objects.get(name=COHORT_NAME)
    course = CoursePage.objects.get()
    outline = reports.CourseOutline.of(course)
    total = reports.total_summary(reports.place_summaries(cohort, outline), len(outline.modules))
    certified = Certificate.objects.count()
    assert total.volunteers == total.enrolled == 311
    assert 0 < total.certified == total.completed == certified < total.started < 311
    assert all(count > 0 for count in total.passed)
    coverage = {c.province: (c.covered, c.villages) for c in reports.village_coverage(cohort)}
    assert set(coverage) == {"ชุมพร", "ระนอง"}
    assert 0 < sum(covered for covered, _ in coverage.values()) <= certified
    assert sum(villages for _, villages in coverage.values()) == 311

    # What the worker does with the issued certificates: the ZIP then has them.
    for version_id in Certificate.objects.values_list("current_version_id", flat=True)[:2]:
        assert lifecycle.render_version(version_id)
    assert reports.cohort_certificates(cohort).count() == 2

    client.login(username="demo-trainer", password="trainer-2562")
    response = client.get(f"/admin/cohorts/{cohort.pk}/report/")
    assert response.status_code == 200
    html = response.text
    assert f'<td class="num">{certified}</td>' in html and '<td class="num">311</td>' in html
    assert "ชุมพร" in html and "ระนอง" in html


PLACEHOLDER_HOSTS = re.compile(r"https?://(?:www\.)?(?:youtube\.com|youtu\.be|example\.\w+)")


def test_no_placeholder_video_addresses_remain_in_the_demo_course():
    text = (DEMO_COURSE / "course.json").read_text(encoding="utf-8")
    assert not PLACEHOLDER_HOSTS.search(text)
    videos = [
        block["value"]
        for module in json.loads(text)["modules"]
        for lesson in module["lessons"]
        for block in lesson["body"]
        if block["type"] == "video"
    ]
    assert videos
    for video in videos:
        clip, captions = DEMO_COURSE / "videos" / video["file"], DEMO_COURSE / "videos" / video["captions"]
        assert clip.stat().st_size < 1_000_000
        assert captions.read_text(encoding="utf-8").startswith("WEBVTT")


@pytest.mark.django_db
def test_the_demo_video_plays_the_sites_own_clip_with_thai_captions(client):
    load(no_cohort=True)
    lesson = next(
        page
        for page in LessonPage.objects.live()
        if any(block.block_type == "video" for block in page.body)
    )
    response = client.get(lesson.url)
    html = response.text
    video = html[html.index("<video") : html.index("</video>")]
    Document = get_document_model()
    clip = Document.objects.get(file__endswith=".webm", pk__in=_ids(video, "src"))
    assert clip.file.size > 10_000
    assert 'kind="captions" srclang="th"' in video
    served = client.get(re.search(r'<source src="([^"]+)"', video).group(1))
    assert served.status_code == 200 and served["Content-Type"] == "video/webm"
    track = client.get(re.search(r'<track [^>]*src="([^"]+)"', video).group(1))
    assert b"WEBVTT" in b"".join(track.streaming_content)


def _ids(html: str, attribute: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'{attribute}="/documents/(\d+)/', html)]
@pytest.mark.django_db
def test_the_demo_course_asks_for_every_lesson_before_each_quiz(client):
    from django.urls import reverse

    from courses.models import CoursePage, ModulePage, QuizAttempt
    from tests.factories import UserFactory

    load(no_cohort=True)
    course = CoursePage.objects.get(slug="net-asa-pracharat")
    assert course.require_lessons_before_quiz
    module = ModulePage.objects.child_of(course).order_by("path").first()
    client.force_login(UserFactory())
    response = client.post(reverse("courses:quiz_start", args=[module.pk]))
    assert response.status_code == 403
    assert "อ่านบทเรียนให้ครบก่อนจึงจะเริ่มทำแบบทดสอบได้" in response.content.decode()
    assert not QuizAttempt.objects.exists()
