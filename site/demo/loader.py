"""Loads the Thai demo course from site/demo/course/course.json into the page tree.

Idempotent: a page, image, document or account that already exists is left as
it is (a trainer may have edited it), so running it again creates nothing new.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site
from wagtail.users.models import UserProfile

from courses.models import (
    CourseIndexPage,
    CoursePage,
    LessonPage,
    ModulePage,
    QuizChoice,
    QuizQuestion,
)
from home.models import HomePage
from npv_site.accounts.backends import DEMO_USERNAMES
from npv_site.accounts.models import VolunteerProfile

DEMO_DIR = Path(__file__).resolve().parent / "course"
COLLECTION_NAME = "หลักสูตรตัวอย่าง"
# The demo's clips and their captions live in course/videos/ (made by make_video.py).
VIDEO_SUFFIXES = {".webm", ".mp4", ".vtt"}
DEMO_TRAINER = ("demo-trainer", "trainer-2562")
DEMO_VOLUNTEER = ("demo-volunteer", "volunteer-2562")
assert {DEMO_TRAINER[0], DEMO_VOLUNTEER[0]} == DEMO_USERNAMES


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    kept: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


class DemoLoader:
    def __init__(self, source: Path = DEMO_DIR / "course.json"):
        self.data = json.loads(source.read_text(encoding="utf-8"))
        self.report = LoadReport()
        self._collection = None

    # Media -----------------------------------------------------------------
    def collection(self) -> Collection:
        if self._collection is None:
            existing = Collection.objects.filter(name=COLLECTION_NAME).first()
            self._collection = existing or Collection.get_first_root_node().add_child(
                name=COLLECTION_NAME
            )
        return self._collection

    def image(self, filename: str | None):
        if not filename:
            return None
        Image = get_image_model()
        title = Path(filename).stem
        image = Image.objects.filter(title=title, collection=self.collection()).first()
        if image is None:
            with open(DEMO_DIR / "images" / filename, "rb") as handle:
                image = Image(title=title, collection=self.collection())
                image.file.save(filename, File(handle), save=False)
                image.save()
            self.report.created.append(f"image {filename}")
        return image

    def document(self, filename: str):
        Document = get_document_model()
        title = Path(filename).stem
        document = Document.objects.filter(title=title, collection=self.collection()).first()
        if document is None:
            folder = "videos" if Path(filename).suffix in VIDEO_SUFFIXES else "documents"
            with open(DEMO_DIR / folder / filename, "rb") as handle:
                document = Document(title=title, collection=self.collection())
                document.file.save(filename, File(handle), save=False)
                document.save()
            self.report.created.append(f"document {filename}")
        return document

    # Stream blocks: swap file names for the Image and Document ids --------------
    def block(self, block: dict) -> dict:
        kind, value = block["type"], block["value"]
        if kind == "image":
            value = {**value, "image": self.image(value["image"]).pk}
        elif kind == "video":
            poster = self.image(value.get("poster"))
            value = {
                **value,
                "poster": poster.pk if poster else None,
                "file": self.document(value["file"]).pk if value.get("file") else None,
                "captions": self.document(value["captions"]).pk if value.get("captions") else None,
            }
        elif kind == "steps":
            value = {
                **value,
                "steps": [
                    {**step, "image": getattr(self.image(step.get("image")), "pk", None)}
                    for step in value["steps"]
                ],
            }
        elif kind == "document":
            value = {**value, "document": self.document(value["document"]).pk}
        return {"type": kind, "value": value}

    # Pages -------------------------------------------------------------------
    def child(self, parent: Page, model, slug: str, **fields):
        existing = model.objects.child_of(parent).filter(slug=slug).first()
        if existing is not None:
            self.report.kept += 1
            return existing, False
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.report.created.append(f"page {page.title}")
        return page, True

    def home(self) -> HomePage:
        site = Site.objects.get(is_default_site=True)
        home = site.root_page.specific
        if not isinstance(home, HomePage):
            raise RuntimeError("The default site's root page is not a HomePage.")
        if not home.headline:
            home.headline = "เรียนออนไลน์ เพื่อดูแลเน็ตประชารัฐในหมู่บ้านของคุณ"
            home.intro = (
                "<p>หลักสูตรสำหรับเน็ตอาสาประชารัฐ หมู่บ้านละ 1 คน จาก 24,700 หมู่บ้าน"
                " เรียนได้ทุกที่ด้วยโทรศัพท์มือถือ ทำแบบทดสอบท้ายบท"
                " และรับเกียรติบัตรเมื่อเรียนจบ</p>"
            )
            home.save_revision().publish()
        return home

    def question(self, spec: dict, sort_order: int) -> QuizQuestion:
        question = QuizQuestion(
            kind=spec["kind"],
            text=spec["text"],
            points=spec.get("points", 1),
            explanation=spec.get("explanation", ""),
            multiple_scoring=spec.get("multiple_scoring", "all"),
            sort_order=sort_order,
        )
        question.choices = [
            QuizChoice(text=choice["text"], is_correct=choice["correct"], sort_order=i)
            for i, choice in enumerate(spec["choices"])
        ]
        return question

    @transaction.atomic
    def load(self) -> LoadReport:
        home = self.home()
        index, _ = self.child(home, CourseIndexPage, "courses", title="หลักสูตรทั้งหมด")
        spec = self.data["course"]
        course, _ = self.child(
            index, CoursePage, spec["slug"],
            title=spec["title"], summary=spec.get("summary", ""), intro=spec.get("intro", ""),
            require_lessons_before_quiz=spec.get("require_lessons_before_quiz", False),
        )
        for module_spec in self.data["modules"]:
            quiz = module_spec["quiz"]
            module, created = self.child(
                course, ModulePage, module_spec["slug"],
                title=module_spec["title"],
                summary=module_spec.get("summary", ""),
                intro=module_spec.get("intro", ""),
                quiz_title=quiz.get("title", ""),
                pass_mark=quiz.get("pass_mark", 70),
            )
            if created:
                module.questions = [
                    self.question(q, i) for i, q in enumerate(quiz["questions"])
                ]
                module.save_revision().publish()
            for lesson_spec in module_spec["lessons"]:
                self.child(
                    module, LessonPage, lesson_spec["slug"],
                    title=lesson_spec["title"],
                    summary=lesson_spec.get("summary", ""),
                    minutes=lesson_spec.get("minutes", 5),
                    body=[self.block(b) for b in lesson_spec["body"]],
                )
        return self.report

    # Accounts ------------------------------------------------------------------
    @transaction.atomic
    def create_demo_accounts(self, course: CoursePage | None = None) -> LoadReport:
        from courses.progress import enrol

        User = get_user_model()
        username, password = DEMO_TRAINER
        trainer, created = User.objects.get_or_create(
            username=username, defaults={"first_name": "สมศรี", "last_name": "ใจดี"}
        )
        if created:
            trainer.set_password(password)
            trainer.save()
            trainer.groups.add(Group.objects.get(name="Trainers"))
            # Wagtail follows the browser's language unless the user chose one.
            profile = UserProfile.get_for_user(trainer)
            profile.preferred_language = "th"
            profile.save(update_fields=["preferred_language"])
        self.report.logins.append(("trainer", username, password))

        username, password = DEMO_VOLUNTEER
        volunteer, created = User.objects.get_or_create(username=username)
        if created:
            volunteer.set_password(password)
            volunteer.save()
            VolunteerProfile.objects.create(
                user=volunteer, title="นาย", first_name="สมชาย", last_name="ใจกล้า",
                name_en="Somchai Jaikla", phone="0812345678", province="ชุมพร",
                district="เมืองชุมพร", subdistrict="หาดพันไกร", village_no=2,
                village_name="บ้านหาดกลาง",
            )
        if course is not None:
            enrol(volunteer, course)
        self.report.logins.append(("volunteer", username, password))
        return self.report
