"""The quiz over HTTP: the module panel, the one-page quiz, saving as
answers are given, submitting, waiting, the result, and every refusal."""

import re

import pytest
from django.urls import reverse

from courses import attempts as quiz
from courses.models import AttemptStatus, GradingJob, QuizAttempt
from courses.views.quiz import status_token
from tests.factories import UserFactory
from tests.quiz_helpers import EXPLANATION, answers, form_data, quiz_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    jobs = []
    monkeypatch.setattr(quiz, "send_grading_job", lambda job_id: jobs.append(job_id) or True)
    return jobs


@pytest.fixture
def volunteer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def start(client, module) -> QuizAttempt:
    response = client.post(reverse("courses:quiz_start", args=[module.pk]))
    assert response.status_code == 302
    return QuizAttempt.objects.latest("pk")


def grade(attempt):
    quiz.grade_job(GradingJob.objects.get(attempt=attempt).pk)


def test_module_page_offers_the_quiz_with_its_rules(client, volunteer):
    module = quiz_module(max_attempts=3, time_limit_minutes=15)
    html = client.get(module.url).content.decode()
    assert "เริ่มทำแบบทดสอบ" in html
    assert "ทำได้ 3 ครั้ง" in html and "จำกัดเวลา 15 นาที" in html
    assert reverse("courses:quiz_start", args=[module.pk]) in html


def test_module_page_asks_visitors_to_sign_in_for_the_quiz(client):
    module = quiz_module()
    html = client.get(module.url).content.decode()
    assert "เข้าสู่ระบบเพื่อทำแบบทดสอบ" in html
    assert reverse("courses:quiz_start", args=[module.pk]) not in html


def test_quiz_page_shows_every_question_and_no_correct_answer(client, volunteer):
    module = quiz_module()
    attempt = start(client, module)
    response = client.get(reverse("courses:quiz_attempt", args=[attempt.pk]))
    html = response.content.decode()
    for question in attempt.questions:
        assert question["text"] in html
        for choice in question["choices"]:
            assert f'value="{choice["id"]}"' in html
    assert EXPLANATION not in html
    assert "is_correct" not in html and "คำตอบที่ถูก" not in html
    assert 'type="checkbox"' in html and 'type="radio"' in html
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_reload_shows_answers_saved_so_far(client, volunteer):
    module = quiz_module()
    attempt = start(client, module)
    q1 = attempt.questions[0]
    choice = q1["choices"][1]["id"]
    response = client.post(
        reverse("courses:quiz_save_answers", args=[attempt.pk]),
        {"question": [q1["id"]], f"answer-{q1['id']}": [choice]},
    )
    assert response.json() == {"saved": True, "answered": 1}
    html = client.get(reverse("courses:quiz_attempt", args=[attempt.pk])).content.decode()
    assert re.search(rf'value="{choice}" checked', html)


def test_save_button_without_javascript_keeps_the_whole_form(client, volunteer):
    module = quiz_module()
    attempt = start(client, module)
    chosen = answers(attempt, right=1)
    response = client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(chosen, "save"))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.is_open and attempt.answers == chosen


def test_submit_shows_being_graded_in_thai_with_a_link_to_the_result(client, volunteer, sent):
    module = quiz_module()
    attempt = start(client, module)
    response = client.post(
        reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt)), follow=True
    )
    html = response.content.decode()
    assert "ระบบกำลังตรวจ" in html
    assert f'href="{reverse("courses:quiz_attempt", args=[attempt.pk])}"' in html
    assert reverse("courses:quiz_attempt_status", args=[status_token(attempt)]) in html
    assert EXPLANATION not in html and "คำตอบที่ถูก" not in html


def test_without_javascript_the_grading_page_says_to_tap_and_loads_itself_again(
    client, volunteer, sent
):
    """No script polls for a phone without JavaScript: the page must not promise that the
    result appears by itself; it says to tap, and a meta refresh inside noscript reloads it."""
    module = quiz_module()
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt)))
    html = client.get(reverse("courses:quiz_attempt", args=[attempt.pk])).content.decode()
    status = re.search(r'<p role="status"[^>]*>(.*?)</p>', html).group(1)
    assert "แตะ “ดูผลการตรวจ”" in status and "แสดงบนหน้านี้เอง" not in status
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', html)


def test_status_endpoint_says_grading_then_graded_without_answers(client, volunteer, sent):
    module = quiz_module()
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt)))
    url = reverse("courses:quiz_attempt_status", args=[status_token(attempt)])
    assert client.get(url).json() == {
        "state": "grading",
        "url": reverse("courses:quiz_attempt", args=[attempt.pk]),
    }
    grade(attempt)
    body = client.get(url).json()
    assert body["state"] == "graded"
    assert set(body) == {"state", "url"}


def test_status_polling_costs_one_query(client, django_assert_num_queries, sent):
    module = quiz_module()
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    client.force_login(user)
    url = reverse("courses:quiz_attempt_status", args=[status_token(attempt)])
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_status_endpoint_refuses_a_forged_token(client):
    response = client.get(reverse("courses:quiz_attempt_status", args=["1:forged"]))
    assert response.status_code == 400
    assert response.json()["error"] == "ลิงก์ตรวจสถานะไม่ถูกต้อง"


def test_result_page_shows_score_pass_and_explanations(client, volunteer, sent):
    module = quiz_module(pass_mark=70, feedback_level="explanations")
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right=2)))
    grade(attempt)
    html = client.get(reverse("courses:quiz_attempt", args=[attempt.pk])).content.decode()
    assert "ร้อยละ 75" in html and "ได้ 3 จาก 4 คะแนน" in html
    assert "ผ่าน" in html and "ยังไม่ผ่าน" not in html
    assert EXPLANATION in html
    assert "คำตอบที่ถูก" in html
    assert "ผิด" in html  # the true/false question was answered wrong


def test_score_only_feedback_shows_no_answers(client, volunteer, sent):
    module = quiz_module(pass_mark=70, feedback_level="score")
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right=1)))
    grade(attempt)
    html = client.get(reverse("courses:quiz_attempt", args=[attempt.pk])).content.decode()
    assert "ร้อยละ 25" in html and "ยังไม่ผ่าน" in html
    assert "ผลรายข้อ" not in html and EXPLANATION not in html
    assert "คำตอบที่ถูก" not in html
    assert "ทำแบบทดสอบอีกครั้ง" in html


def test_answers_feedback_marks_right_and_wrong_without_the_key(client, volunteer, sent):
    module = quiz_module(feedback_level="answers")
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right=1)))
    grade(attempt)
    html = client.get(reverse("courses:quiz_attempt", args=[attempt.pk])).content.decode()
    assert "ผลรายข้อ" in html and "คุณเลือก" in html
    assert "คำตอบที่ถูก" not in html and EXPLANATION not in html


def test_double_click_on_submit_makes_one_submission(client, volunteer, sent):
    module = quiz_module()
    attempt = start(client, module)
    url = reverse("courses:quiz_submit", args=[attempt.pk])
    first = client.post(url, form_data(answers(attempt)))
    second = client.post(url, form_data(answers(attempt, right=0)))
    assert first.status_code == second.status_code == 302
    assert GradingJob.objects.filter(attempt=attempt).count() == 1
    attempt.refresh_from_db()
    assert attempt.answers == answers(attempt)


# Refusals: a clear Thai reason, and the attempt left as it was ----------------


def assert_refused(response, status, message):
    assert response.status_code == status
    if response["Content-Type"].startswith("application/json"):
        assert response.json()["error"] == message
    else:
        assert message in response.content.decode()


def snapshot_of(attempt):
    fresh = QuizAttempt.objects.get(pk=attempt.pk)
    return fresh.answers, fresh.status, GradingJob.objects.filter(attempt=fresh).count()


def test_tampered_question_id_from_another_attempt(client, volunteer):
    module, other_module = quiz_module(), quiz_module()
    attempt = start(client, module)
    other = start(client, other_module)
    before = snapshot_of(attempt)
    foreign = {str(other.questions[0]["id"]): [other.questions[0]["choices"][0]["id"]]}
    for url in (
        reverse("courses:quiz_save_answers", args=[attempt.pk]),
        reverse("courses:quiz_submit", args=[attempt.pk]),
    ):
        response = client.post(url, form_data({**answers(attempt), **foreign}))
        assert_refused(response, 400, "คำตอบนี้ไม่ใช่ของคำถามในแบบทดสอบครั้งนี้")
    assert snapshot_of(attempt) == before


def test_tampered_unknown_choice(client, volunteer):
    module = quiz_module()
    attempt = start(client, module)
    before = snapshot_of(attempt)
    tampered = {**answers(attempt), str(attempt.questions[0]["id"]): [424242]}
    response = client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(tampered))
    assert_refused(response, 400, "ตัวเลือกนี้ไม่ได้อยู่ในคำถามข้อนี้")
    assert snapshot_of(attempt) == before


def test_another_users_attempt_is_forbidden(client, sent):
    module = quiz_module()
    owner = UserFactory()
    attempt = quiz.start_attempt(owner, module)
    client.force_login(UserFactory())
    before = snapshot_of(attempt)
    page = client.get(reverse("courses:quiz_attempt", args=[attempt.pk]))
    assert_refused(page, 403, "แบบทดสอบนี้เป็นของผู้เรียนคนอื่น คุณไม่มีสิทธิ์เปิดดู")
    for name in ("courses:quiz_save_answers", "courses:quiz_submit"):
        response = client.post(reverse(name, args=[attempt.pk]), form_data(answers(attempt)))
        assert_refused(response, 403, "แบบทดสอบนี้เป็นของผู้เรียนคนอื่น คุณไม่มีสิทธิ์ส่งคำตอบ")
    assert snapshot_of(attempt) == before


def test_closed_attempt_takes_no_answers(client, volunteer, sent):
    module = quiz_module()
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right=0)))
    before = snapshot_of(attempt)
    response = client.post(
        reverse("courses:quiz_save_answers", args=[attempt.pk]), form_data(answers(attempt))
    )
    assert_refused(response, 400, "ส่งแบบทดสอบนี้แล้ว แก้ไขคำตอบไม่ได้")
    assert snapshot_of(attempt) == before


def test_starting_past_the_attempt_limit_is_refused_with_the_reason(client, volunteer, sent):
    module = quiz_module(max_attempts=1)
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right=0)))
    response = client.post(reverse("courses:quiz_start", args=[module.pk]))
    assert_refused(response, 403, "คุณทำแบบทดสอบนี้ครบ 1 ครั้งแล้ว")
    assert QuizAttempt.objects.count() == 1
    assert "คุณทำแบบทดสอบนี้ครบ 1 ครั้งแล้ว" in client.get(module.url).content.decode()


def test_starting_during_the_waiting_time_is_refused_with_the_time(client, volunteer, sent):
    module = quiz_module(retry_delay_minutes=60)
    attempt = start(client, module)
    client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right=0)))
    response = client.post(reverse("courses:quiz_start", args=[module.pk]))
    assert response.status_code == 403
    assert "ต้องรอก่อนทำแบบทดสอบครั้งต่อไป" in response.content.decode()


def test_quiz_urls_need_a_signed_in_volunteer(client):
    module = quiz_module()
    response = client.post(reverse("courses:quiz_start", args=[module.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not QuizAttempt.objects.exists()


def test_time_up_save_tells_the_page_where_to_go(client, volunteer, settings, sent):
    settings.COURSES_QUIZ_GRACE_SECONDS = 0
    module = quiz_module(time_limit_minutes=1)
    attempt = start(client, module)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=attempt.started_at.replace(year=2020))
    response = client.post(
        reverse("courses:quiz_save_answers", args=[attempt.pk]), form_data(answers(attempt))
    )
    assert response.status_code == 400
    assert "หมดเวลา" in response.json()["error"]
    assert response.json()["url"] == reverse("courses:quiz_attempt", args=[attempt.pk])
    assert QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.SUBMITTED


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: whether this login may reach the admin is cached
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_module_page_and_result_take_the_same_queries_however_many_attempts(
    client, volunteer, sent
):
    module = quiz_module()
    attempts = []
    for right in (0, 1, 2):
        attempt = start(client, module)
        client.post(reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right)))
        grade(attempt)
        attempts.append(attempt)
        if right == 0:
            one = (
                count_queries(client, module.url),
                count_queries(client, reverse("courses:quiz_attempt", args=[attempt.pk])),
            )
    three = (
        count_queries(client, module.url),
        count_queries(client, reverse("courses:quiz_attempt", args=[attempts[-1].pk])),
    )
    assert three == one
    assert "ครั้งที่ 3" in client.get(module.url).content.decode()


def test_the_page_script_submits_for_json_and_gets_what_it_needs_to_wait(
    client, volunteer, sent
):
    module = quiz_module()
    attempt = start(client, module)
    url = reverse("courses:quiz_submit", args=[attempt.pk])
    response = client.post(url, form_data(answers(attempt)), HTTP_ACCEPT="application/json")
    body = response.json()
    assert body["state"] == "grading"
    assert body["url"] == reverse("courses:quiz_attempt", args=[attempt.pk])
    assert body["status_url"] == reverse("courses:quiz_attempt_status", args=[status_token(attempt)])
    assert body["poll_schedule"][0][0] < 1000
    assert "is_correct" not in response.content.decode()
    grade(attempt)
    again = client.post(url, form_data(answers(attempt)), HTTP_ACCEPT="application/json")
    assert again.json()["state"] == "graded"
    assert GradingJob.objects.filter(attempt=attempt).count() == 1


def test_json_submission_refusals_are_json_in_thai(client, volunteer):
    module = quiz_module()
    attempt = start(client, module)
    tampered = {**answers(attempt), str(attempt.questions[0]["id"]): [424242]}
    response = client.post(
        reverse("courses:quiz_submit", args=[attempt.pk]), form_data(tampered), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"error": "ตัวเลือกนี้ไม่ได้อยู่ในคำถามข้อนี้"}
    assert QuizAttempt.objects.get(pk=attempt.pk).is_open
