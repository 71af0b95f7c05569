from django.urls import path

from courses import views

urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("courses/<int:course_id>/enrol/", views.enrol_in_course, name="enrol_in_course"),
    path("lessons/<int:lesson_id>/read/", views.mark_lesson_read, name="mark_lesson_read"),
]
