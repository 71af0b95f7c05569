"""Trainers cannot save a quiz question whose choices do not fit its kind."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from courses.models import ModulePage, QuizQuestion
from tests.factories import CourseIndexPageFactory, CoursePageFactory, UserFactory, home_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(client):
    trainer = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(trainer)
    return CoursePageFactory(parent=CourseIndexPageFactory(parent=home_page()))


def module_form(questions):
    return nested_form_data(
        {
            "title": "ดูแลอุปกรณ์",
            "slug": "care",
            "summary": "",
            "intro": rich_text(""),
            "quiz_title": "",
            "pass_mark": 70,
            "max_attempts": 0,
            "retry_delay_minutes": 0,
            "grading_method": "highest",
            "feedback_level": "explanations",
            "questions": inline_formset(
                [
                    {
                        "kind": kind,
                        "text": f"คำถาม {n}",
                        "points": 1,
                        "multiple_scoring": "all",
                        "explanation": "",
                        "choices": inline_formset(
                            [{"text": text, "is_correct": ok} for text, ok in choices]
                        ),
                    }
                    for n, (kind, choices) in enumerate(questions)
                ]
            ),
        }
    )


def create(client, course, questions):
    url = reverse("wagtailadmin_pages:add", args=["courses", "modulepage", course.pk])
    return client.post(url, module_form(questions))


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single", [("ก", True), ("ข", True)], "ต้องมีตัวเลือกที่ถูกหนึ่งข้อพอดี"),
        ("single", [("ก", False), ("ข", False)], "ต้องมีตัวเลือกที่ถูกหนึ่งข้อพอดี"),
        ("multiple", [("ก", False), ("ข", False)], "ต้องมีตัวเลือกที่ถูกอย่างน้อยหนึ่งข้อ"),
        ("true_false", [("ถูก", True), ("ผิด", False), ("ไม่แน่ใจ", False)], "ต้องมีตัวเลือกสองข้อพอดี"),
        ("true_false", [("ถูก", True), ("ผิด", True)], "ต้องมีตัวเลือกสองข้อพอดี"),
    ],
)
def test_question_with_choices_that_do_not_fit_its_kind_is_refused(
    client, course, kind, choices, message
):
    response = create(client, course, [(kind, choices)])
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ModulePage.objects.exists()


def test_questions_that_fit_their_kinds_are_saved(client, course):
    response = create(
        client,
        course,
        [
            ("single", [("ก", True), ("ข", False), ("ค", False)]),
            ("multiple", [("ก", True), ("ข", True), ("ค", False)]),
            ("true_false", [("ถูก", False), ("ผิด", True)]),
        ],
    )
    assert response.status_code == 302
    module = ModulePage.objects.get()
    assert QuizQuestion.objects.filter(module=module).count() == 3
