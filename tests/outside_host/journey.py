"""One learner's journey in a site made with `wagtail start`, run by
tests/test_outside_host.py with the host's own Python and settings while a real Celery
worker of that host runs beside it. Prints one JSON object of what it saw."""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings.dev")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from wagtail.models import Site  # noqa: E402

from certificates.models import Certificate  # noqa: E402
from courses.models import (  # noqa: E402
    CourseIndexPage,
    CoursePage,
    LessonPage,
    ModulePage,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
)

LESSON_TEXT = "เราเตอร์ของหมู่บ้านต่อกับสายใยแก้วที่ช่อง PON"


WORKER_LOG = Path(os.environ["OUTSIDE_HOST_WORKER_LOG"])


def wait_for(what, condition, timeout=120):
    """Poll `condition`; give up at once, with the worker's error, when a task failed."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        failed = [
            line
            for line in WORKER_LOG.read_text(errors="replace").splitlines()
            if "raised unexpected" in line
        ]
        if failed:
            raise SystemExit(f"a task failed in the worker while waiting for {what}: {failed}")
        time.sleep(0.2)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")


seen = {
    "courses_file": str(Path(importlib.import_module("courses").__file__).resolve()),
    "certificates_file": str(Path(importlib.import_module("certificates").__file__).resolve()),
    "site_importable": [
        name for name in ("npv_site", "home") if importlib.util.find_spec(name) is not None
    ],
}

home = Site.objects.get(is_default_site=True).root_page.specific
seen["home_page_model"] = home._meta.label
index = home.add_child(instance=CourseIndexPage(title="หลักสูตร", slug="courses"))
course = index.add_child(instance=CoursePage(title="การดูแลเราเตอร์", slug="router"))
module = course.add_child(instance=ModulePage(title="รู้จักเราเตอร์", slug="basics", pass_mark=60))
lesson = module.add_child(
    instance=LessonPage(
        title="ช่องต่อสาย",
        slug="ports",
        body=[{"type": "paragraph", "value": f"<p>{LESSON_TEXT}</p>"}],
    )
)
for number, (text, right, wrong) in enumerate(
    [("ไฟ PON สีแดงกะพริบหมายถึงอะไร", "สายใยแก้วมีปัญหา", "ปกติ"), ("ห้ามแตะสายไฟฟ้าบนเสา", "ถูก", "ผิด")]
):
    question = QuizQuestion.objects.create(
        module=module, kind="single", text=text, points=1, sort_order=number
    )
    QuizChoice.objects.create(question=question, text=right, is_correct=True, sort_order=0)
    QuizChoice.objects.create(question=question, text=wrong, sort_order=1)

learner = get_user_model().objects.create_user(
    username="somsri", password="x", first_name="สมศรี", last_name="มีสุข"
)
client = Client()
client.force_login(learner)
seen["enrol"] = client.post(f"/learn/courses/{course.pk}/enrol/").status_code
page = client.get(lesson.url)
seen["lesson"] = page.status_code
seen["lesson_text_shown"] = LESSON_TEXT in page.content.decode()
seen["read"] = client.post(f"/learn/lessons/{lesson.pk}/read/").status_code
started = client.post(f"/learn/modules/{module.pk}/quiz/start/")
seen["quiz_start"] = started.status_code
attempt = QuizAttempt.objects.get(user=learner)
seen["quiz_page"] = client.get(started["Location"]).status_code
form = {"question": [], "action": "submit"}
for question in attempt.questions:
    form["question"].append(str(question["id"]))
    form[f"answer-{question['id']}"] = [
        str(c["id"]) for c in question["choices"] if c["is_correct"]
    ]
seen["submit"] = client.post(f"/learn/quiz/{attempt.pk}/submit/", form).status_code

wait_for(
    "the worker to grade the quiz",
    lambda: QuizAttempt.objects.get(pk=attempt.pk).passed is not None,
)
attempt.refresh_from_db()
seen["passed"] = attempt.passed


def rendered():
    certificate = Certificate.objects.filter(user=learner, course=course).first()
    version = certificate and certificate.current_version
    return certificate if version and version.pdf else None


certificate = wait_for("the worker to issue and render the certificate", rendered)
version = certificate.current_version
seen["holder_name"] = version.holder_name
pdf = version.pdf.open("rb").read()
seen["pdf_bytes"] = len(pdf)
seen["pdf_path"] = str(Path(version.pdf.path).resolve())

import zxingcpp  # noqa: E402
from PIL import Image  # noqa: E402

with tempfile.TemporaryDirectory() as folder:
    (Path(folder) / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-singlefile", "c.pdf", "c"], cwd=folder, check=True
    )
    codes = zxingcpp.read_barcodes(Image.open(Path(folder) / "c.png"))
seen["qr_texts"] = [code.text for code in codes]
seen["expected_verify_url"] = (
    f"{settings.WAGTAILADMIN_BASE_URL}/certificates/verify/{certificate.display_code}/"
)
verify = Client().get(f"/certificates/verify/{certificate.display_code}/")
seen["verify"] = verify.status_code
seen["verify_shows_name"] = "สมศรี" in verify.content.decode()
json.dump(seen, sys.stdout, ensure_ascii=False)
