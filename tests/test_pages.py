from wagtail.test.utils import WagtailPageTestCase

from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from home.models import HomePage
from tests.factories import build_course


class PageTreeTests(WagtailPageTestCase):
    def test_page_tree_allows_course_structure_only(self):
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage})
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())

    def test_every_page_of_a_course_renders(self):
        course = build_course(modules=1, lessons=2, questions=1)
        module = course.get_children().first().specific
        lesson = module.get_children().first().specific
        for page in (course.get_parent().get_parent(), course.get_parent(), course, module, lesson):
            self.assertPageIsRenderable(page)

    def test_lesson_page_shows_its_body(self):
        course = build_course(modules=1, lessons=1, questions=0)
        lesson = LessonPage.objects.descendant_of(course).first()
        response = self.client.get(lesson.url)
        self.assertContains(response, "เน็ตประชารัฐคืออินเทอร์เน็ตของหมู่บ้าน")
