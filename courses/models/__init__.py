from .pages import CourseIndexPage, CoursePage, LessonPage, ModulePage
from .progress import Enrolment, LessonCompletion, ModuleCompletion
from .questions import QuizChoice, QuizQuestion

__all__ = [
    "CourseIndexPage",
    "CoursePage",
    "Enrolment",
    "LessonCompletion",
    "LessonPage",
    "ModuleCompletion",
    "ModulePage",
    "QuizChoice",
    "QuizQuestion",
]
