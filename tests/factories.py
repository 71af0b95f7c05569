"""factory_boy factories for users, profiles and the course page tree."""

import datetime

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
from home.models import HomePage
from npv_site.accounts.models import VolunteerProfile


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"volunteer{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pass-2562-ok")


class VolunteerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerProfile

    user = factory.SubFactory(UserFactory)
    title = "นาง"
    first_name = "สมหญิง"
    last_name = "รักถิ่น"
    phone = factory.Sequence(lambda n: f"08{n:08d}")
    province = "ชุมพร"
    district = "เมืองชุมพร"
    subdistrict = "หาดพันไกร"
    village_no = 2
    village_name = "บ้านหาดกลาง"


def home_page() -> HomePage:
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


class TrainingCohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cohorts.TrainingCohort"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"รุ่นทดสอบ {n}")
    venue = "ศาลากลางจังหวัดชุมพร"
    start_date = datetime.date(2019, 1, 28)
    end_date = datetime.date(2019, 1, 30)

    @factory.post_generation
    def trainers(self, create, extracted, **kwargs):
        if create and extracted:
            self.trainers.set(extracted)

    @factory.post_generation
    def courses(self, create, extracted, **kwargs):
        if create and extracted:
            self.courses.set(extracted)

    @factory.post_generation
    def provinces(self, create, extracted, **kwargs):
        if create and extracted:
            from npv_site.cohorts.models import Province

            self.provinces.set(Province.objects.filter(name__in=extracted))
