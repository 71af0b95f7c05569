from django.urls import path

from courses.views import progress, search

urlpatterns = [
    path("", progress.my_learning, name="my_learning"),
    path("search/", search.search, name="search"),
    path("search/suggest/", search.search_suggestions, name="search_suggestions"),
    path("courses/<int:course_id>/enrol/", progress.enrol_in_course, name="enrol_in_course"),
    path("lessons/<int:lesson_id>/read/", progress.mark_lesson_read, name="mark_lesson_read"),
]
