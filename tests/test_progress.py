import pytest

from courses.models import Enrolment, LessonPage, ModuleCompletion, ModulePage
from courses.progress import complete_lesson, course_progress, enrol, record_module_pass
from courses.signals import course_completed
from tests.factories import UserFactory, build_course


@pytest.fixture
def course(db):
    return build_course(modules=2, lessons=2, questions=1)


def _modules(course):
    return list(ModulePage.objects.child_of(course).order_by("path"))


def test_new_enrolment_starts_at_zero_with_first_lesson_next(course):
    user = UserFactory()
    enrol(user, course)
    progress = course_progress(user, course)
    assert progress.enrolled and not progress.completed
    assert progress.percent == 0
    first_lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    assert progress.next_step["page"].pk == first_lesson.pk


def test_reading_lessons_and_passing_quizzes_moves_progress(course):
    user = UserFactory()
    module1, module2 = _modules(course)
    lessons = list(LessonPage.objects.child_of(module1).order_by("path"))
    complete_lesson(user, lessons[0])
    # 2 modules × (2 lessons + 1 quiz) = 6 steps; 1 done.
    assert course_progress(user, course).percent == 17
    complete_lesson(user, lessons[1])
    progress = course_progress(user, course)
    assert progress.next_step == {"kind": "quiz", "page": module1, "module": module1}
    record_module_pass(user, module1, score_percent=80)
    progress = course_progress(user, course)
    assert progress.percent == 50
    assert progress.modules_passed == 1
    assert progress.next_step["module"].pk == module2.pk


def test_reading_a_lesson_twice_counts_once(course):
    user = UserFactory()
    lesson = LessonPage.objects.descendant_of(course).first()
    complete_lesson(user, lesson)
    complete_lesson(user, lesson)
    assert course_progress(user, course).steps_done == 1


def test_passing_every_module_completes_course_and_signals_once(course, django_capture_on_commit_callbacks):
    user = UserFactory()
    received = []

    def receiver(sender, user_id, course_id, **kwargs):
        received.append((user_id, course_id))

    course_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for module in _modules(course):
                assert record_module_pass(user, module, score_percent=90) is True
            # A second pass of the same module changes nothing and signals nothing.
            assert record_module_pass(user, _modules(course)[0], score_percent=100) is False
    finally:
        course_completed.disconnect(receiver)
    assert received == [(user.pk, course.pk)]
    assert Enrolment.objects.get(user=user, course=course).completed_at is not None
    assert course_progress(user, course).completed
    assert ModuleCompletion.objects.filter(user=user).count() == 2


def test_module_without_quiz_passes_when_every_lesson_is_read(db):
    course = build_course(modules=1, lessons=2, questions=0)
    user = UserFactory()
    module = _modules(course)[0]
    for lesson in LessonPage.objects.child_of(module):
        complete_lesson(user, lesson)
    assert ModuleCompletion.objects.filter(user=user, module=module).exists()
    assert course_progress(user, course).completed


def test_my_learning_lists_enrolled_courses_with_progress(client, course):
    user = UserFactory()
    enrol(user, course)
    complete_lesson(user, LessonPage.objects.descendant_of(course).first())
    client.force_login(user)
    response = client.get("/learn/")
    body = response.content.decode()
    assert course.title in body
    assert "value=\"17\"" in body
    assert "เรียนต่อ" in body


def test_lesson_page_read_button_marks_lesson_and_moves_on(client, course):
    user = UserFactory()
    client.force_login(user)
    first, second = LessonPage.objects.child_of(_modules(course)[0]).order_by("path")
    response = client.post(f"/learn/lessons/{first.pk}/read/", {"next": second.url})
    assert response.status_code == 302 and response.url == second.url
    assert course_progress(user, course).steps_done == 1


def test_read_button_refuses_a_foreign_next_url(client, course):
    user = UserFactory()
    client.force_login(user)
    lesson = LessonPage.objects.descendant_of(course).first()
    response = client.post(f"/learn/lessons/{lesson.pk}/read/", {"next": "https://evil.example/"})
    assert response.url == lesson.url
