"""factory_boy factories for users and the course page tree.

Importable without the Net Pracharat site (the minimal host, tests/minimal_host, imports
it too): the course pages go under whatever the default site's root page is. The
factories of the site's own models (volunteer profiles, training cohorts) are in
tests/site_factories.py; importing them from here still works, and fails in the minimal
host, which has no site."""

import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from wagtail.models import Site

from courses.models import (
    CourseIndexPage,
    CoursePage,
    LessonPage,
    ModulePage,
    QuizChoice,
    QuizQuestion,
)

# Every factory-made account's password, for tests that log in through a form.
FACTORY_PASSWORD = "pass-2562-ok"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"volunteer{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(FACTORY_PASSWORD)


def home_page():
    """The default site's root page: home.HomePage on the site, host.HostHomePage or
    Wagtail's welcome page in the minimal host."""
    return Site.objects.get(is_default_site=True).root_page.specific


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "หลักสูตรทั้งหมด"
    slug = "courses"


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"หลักสูตรทดสอบ {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")


class ModulePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"บทเรียนหลักที่ {n}")
    slug = factory.Sequence(lambda n: f"module-{n}")


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"บทเรียนที่ {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    body = factory.LazyFunction(
        lambda: [{"type": "paragraph", "value": "<p>เน็ตประชารัฐคืออินเทอร์เน็ตของหมู่บ้าน</p>"}]
    )


class QuizQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizQuestion

    kind = "single"
    text = factory.Sequence(lambda n: f"คำถามที่ {n}")
    points = 1
    explanation = "คำอธิบาย"


class QuizChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuizChoice

    text = factory.Sequence(lambda n: f"ตัวเลือก {n}")
    is_correct = False


def build_course(modules=2, lessons=2, questions=2, parent=None) -> CoursePage:
    """A published course: `modules` modules of `lessons` lessons each and a
    quiz of `questions` single-choice questions (the first choice right)."""
    parent = parent or CourseIndexPageFactory(parent=home_page())
    course = CoursePageFactory(parent=parent)
    for _m in range(modules):
        module = ModulePageFactory(parent=course)
        for _l in range(lessons):
            LessonPageFactory(parent=module)
        for q in range(questions):
            question = QuizQuestionFactory(module=module, sort_order=q)
            QuizChoiceFactory(question=question, is_correct=True, sort_order=0)
            QuizChoiceFactory(question=question, is_correct=False, sort_order=1)
    return course


SITE_FACTORIES = ("VolunteerProfileFactory", "TrainingCohortFactory")


def __getattr__(name):
    # `from tests.factories import VolunteerProfileFactory` as before; the site's models
    # are imported only then.
    if name in SITE_FACTORIES:
        from tests import site_factories

        return getattr(site_factories, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
