"""Shared set-up for the certificate tests."""

import datetime
import io
import shutil
import subprocess

from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from courses.models import CourseIndexPage, Enrolment
from tests.factories import UserFactory, build_course
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


# What a learner's name is made of where there is no volunteer profile (the minimal host):
# the fields and defaults of tests.site_factories.VolunteerProfileFactory's name.
NAME_PARTS = {"title": "นาง", "first_name": "สมหญิง", "last_name": "รักถิ่น"}


def completed_enrolment(course=None, completed_at=COMPLETED_AT, **profile):
    """A learner who has completed `course` (a new one by default). On the site: a
    volunteer with a profile (`profile` its fields). In a host without the site (the
    minimal host, whose user model has one `full_name`): a user whose full name is made of
    the same name parts; any other profile field there is an error, since only the site's
    profile has it (a test that needs one is a site test)."""
    course = course or new_course()
    if apps.is_installed("npv_site.accounts"):
        from tests.site_factories import VolunteerProfileFactory

        user = VolunteerProfileFactory(**profile).user
    else:
        others = sorted(set(profile) - set(NAME_PARTS))
        if others:
            raise TypeError(f"only the site's volunteer profile has {others}: a site test")
        parts = {**NAME_PARTS, **profile}
        user = UserFactory(full_name=f"{parts['title']}{parts['first_name']} {parts['last_name']}")
    Enrolment.objects.create(user=user, course=course, completed_at=completed_at)
    return user, course


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
