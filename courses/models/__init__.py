from .attempts import AttemptStatus, GradingJob, GradingJobStatus, QuizAttempt
from .pages import CourseIndexPage, CoursePage, LessonPage, ModulePage
from .progress import Enrolment, LessonCompletion, ModuleCompletion
from .questions import QuizChoice, QuizQuestion

__all__ = [
    "AttemptStatus",
    "CourseIndexPage",
    "CoursePage",
    "Enrolment",
    "GradingJob",
    "GradingJobStatus",
    "LessonCompletion",
    "LessonPage",
    "ModuleCompletion",
    "ModulePage",
    "QuizAttempt",
    "QuizChoice",
    "QuizQuestion",
]
