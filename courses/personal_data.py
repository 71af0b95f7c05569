from courses.models import Enrolment, LessonCompletion, ModuleCompletion, QuizAttempt


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
        # Every attempt with the answers the volunteer gave, as they were graded.
        "quiz_attempts": [
            {
                "module": a.module.title,
                "number": a.number,
                "started_at": a.started_at,
                "submitted_at": a.submitted_at,
                "answers": a.answers,
                "score_percent": a.score_percent,
                "passed": a.passed,
            }
            for a in QuizAttempt.objects.filter(user=user).select_related("module").order_by("pk")
        ],
    }
