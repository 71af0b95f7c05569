from django.urls import path

from courses.views import progress

urlpatterns = [
    path("", progress.my_learning, name="my_learning"),
    path("courses/<int:course_id>/enrol/", progress.enrol_in_course, name="enrol_in_course"),
    path("lessons/<int:lesson_id>/read/", progress.mark_lesson_read, name="mark_lesson_read"),
]
