"""Quiz modules and answers for the quiz tests."""

from courses.models import CourseIndexPage, ModulePage, QuizAttempt
from tests.factories import QuizChoiceFactory, QuizQuestionFactory, build_course

EXPLANATION = "สาย LAN ต้องเสียบที่ช่อง WAN ของเราเตอร์"


def quiz_module(lessons: int = 0, **quiz_settings) -> ModulePage:
    """A published course of one module whose quiz has one question of each
    kind: single (3 choices), multiple with partial credit (2 of 3 right) and
    true/false; 1 + 2 + 1 = 4 points."""
    index = CourseIndexPage.objects.first()  # build_course makes one the first time
    course = build_course(modules=1, lessons=lessons, questions=0, parent=index)
    module = ModulePage.objects.child_of(course).get()
    for name, value in quiz_settings.items():
        setattr(module, name, value)
    module.save()
    single = QuizQuestionFactory(
        module=module,
        kind="single",
        text="ไฟ PON สีแดงกะพริบหมายถึงอะไร",
        points=1,
        explanation=EXPLANATION,
        sort_order=0,
    )
    QuizChoiceFactory(question=single, text="สายใยแก้วมีปัญหา", is_correct=True, sort_order=0)
    QuizChoiceFactory(question=single, text="ไฟฟ้าดับ", sort_order=1)
    QuizChoiceFactory(question=single, text="ปกติ", sort_order=2)
    multiple = QuizQuestionFactory(
        module=module,
        kind="multiple",
        multiple_scoring="partial",
        points=2,
        text="ข้อใดเป็นหน้าที่ของเน็ตอาสา",
        explanation="ดูแลและแจ้งเหตุ",
        sort_order=1,
    )
    QuizChoiceFactory(question=multiple, text="แจ้งเหตุขัดข้อง", is_correct=True, sort_order=0)
    QuizChoiceFactory(question=multiple, text="แนะนำการใช้งาน", is_correct=True, sort_order=1)
    QuizChoiceFactory(question=multiple, text="ปีนเสาซ่อมเอง", sort_order=2)
    true_false = QuizQuestionFactory(
        module=module,
        kind="true_false",
        points=1,
        text="ห้ามแตะสายไฟฟ้าบนเสา",
        explanation="อันตรายถึงชีวิต",
        sort_order=2,
    )
    QuizChoiceFactory(question=true_false, text="ถูก", is_correct=True, sort_order=0)
    QuizChoiceFactory(question=true_false, text="ผิด", sort_order=1)
    return module


def answers(attempt: QuizAttempt, right: int | None = None) -> dict[str, list[int]]:
    """Answers to an attempt: the first `right` questions answered right (all
    when None), the rest with a wrong choice only."""
    result = {}
    for index, question in enumerate(attempt.questions):
        correct = [c["id"] for c in question["choices"] if c["is_correct"]]
        wrong = [c["id"] for c in question["choices"] if not c["is_correct"]]
        ok = right is None or index < right
        result[str(question["id"])] = correct if ok else wrong[:1]
    return result


def form_data(answer_map: dict[str, list[int]], action: str = "submit") -> dict:
    """The quiz form as a browser posts it."""
    data = {"question": list(answer_map), "action": action}
    for question_id, choices in answer_map.items():
        data[f"answer-{question_id}"] = [str(c) for c in choices]
    return data


def wait_until(condition, timeout: float = 30, interval: float = 0.1, what: str = "condition"):
    """Poll `condition` until it returns something true; fail after `timeout`
    seconds (a safety net for a stuck worker, not a speed check)."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")
