"""Shared set-up for the certificate tests."""

import datetime
import io
import shutil
import subprocess

from django.core.management import call_command
from django.utils import timezone

from courses.models import CourseIndexPage, Enrolment
from tests.factories import VolunteerProfileFactory, build_course
from tests.plugin_fixtures import skip_or_fail

# 28 January 2019 is 28 มกราคม พ.ศ. 2562.
COMPLETED_AT = timezone.make_aware(datetime.datetime(2019, 1, 28, 10, 30))

THAI_NAMES = [
    # (title, first name, last name)
    ("นางสาว", "กาญจนาภรณ์", "ศรีสุวรรณวิเศษกุลเจริญยิ่งใหญ่"),
    ("นาย", "ฤๅษี", "ปี่ทองน้ำใสญี่ปุ่นที่สุด"),
    ("นาง", "น้ำทิพย์", "ประชาธิปไตยรุ่งเรืองวัฒนากุลมหาสารคาม"),
]


def new_course(**kwargs):
    """A published one-module course; courses share the one course index."""
    kwargs.setdefault("modules", 1)
    kwargs.setdefault("lessons", 1)
    kwargs.setdefault("questions", 0)
    return build_course(parent=CourseIndexPage.objects.first(), **kwargs)


def completed_enrolment(course=None, completed_at=COMPLETED_AT, **profile):
    """A volunteer with a profile who has completed `course` (a new one by default)."""
    course = course or new_course()
    profile = VolunteerProfileFactory(**profile)
    Enrolment.objects.create(user=profile.user, course=course, completed_at=completed_at)
    return profile.user, course


def load_demo_design():
    call_command("load_demo_certificate_design", stdout=io.StringIO())


def require_poppler():
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        skip_or_fail("poppler-utils (pdftoppm, pdftotext) is not installed")


def pdf_text(pdf: bytes) -> str:
    require_poppler()
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")
