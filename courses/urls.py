from django.urls import path

from courses.views import progress, quiz, search

app_name = "courses"
urlpatterns = [
    path("", progress.my_learning, name="my_learning"),
    path("search/", search.search, name="search"),
    path("search/suggest/", search.search_suggestions, name="search_suggestions"),
    path("courses/<int:course_id>/enrol/", progress.enrol_in_course, name="enrol_in_course"),
    path("courses/<int:course_id>/finished/", progress.course_finished, name="course_finished"),
    path("lessons/<int:lesson_id>/read/", progress.mark_lesson_read, name="mark_lesson_read"),
    path("modules/<int:module_id>/quiz/start/", quiz.start_quiz, name="quiz_start"),
    path("quiz/<int:attempt_id>/", quiz.attempt_page, name="quiz_attempt"),
    path("quiz/<int:attempt_id>/answers/", quiz.save_answers, name="quiz_save_answers"),
    path("quiz/<int:attempt_id>/submit/", quiz.submit_answers, name="quiz_submit"),
    path("quiz/status/<str:token>/", quiz.attempt_status, name="quiz_attempt_status"),
]
