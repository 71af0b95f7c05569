from courses.models import Enrolment, LessonCompletion, ModuleCompletion


def learning_section(user) -> dict:
    return {
        "enrolments": [
            {"course": e.course.title, "enrolled_at": e.enrolled_at, "completed_at": e.completed_at}
            for e in Enrolment.objects.filter(user=user).select_related("course")
        ],
        "lessons_read": [
            {"lesson": c.lesson.title, "completed_at": c.completed_at}
            for c in LessonCompletion.objects.filter(user=user).select_related("lesson")
        ],
        "modules_passed": [
            {"module": c.module.title, "passed_at": c.passed_at, "score_percent": c.score_percent}
            for c in ModuleCompletion.objects.filter(user=user).select_related("module")
        ],
    }
