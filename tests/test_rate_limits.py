"""Rate limits on quiz answers and submission (per volunteer) and on
certificate verification (per address): 429 in Thai with nothing changed past
the limit, a training room behind one address never limited, and a cache
that fails lets every request through."""

import socket
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from certificates import tasks
from certificates.models import Certificate
from courses import attempts as quiz
from courses.models import AttemptStatus, GradingJob, QuizAttempt
from tests.certificates_support import completed_enrolment
from tests.factories import UserFactory
from tests.plugin_fixtures import skip_or_fail
from tests.quiz_helpers import answers, form_data, quiz_module
from tests.tcp_proxy import TCPProxy
from tests.test_production_settings import service_up

pytestmark = pytest.mark.django_db

TOO_FAST = "ส่งคำตอบถี่เกินไป"
TOO_MANY_CHECKS = "มีการตรวจสอบเกียรติบัตรจากเครือข่ายนี้ถี่เกินไป"
ROOM_ADDRESS = "203.113.4.25"
LIMITS = {"quiz-answers": "3/m", "quiz-submit": "2/m", "certificate-verify": "3/m"}


def by_app(rates):
    """The rates of each app's groups under that app's setting."""
    return {
        "COURSES_RATE_LIMITS": {g: r for g, r in rates.items() if g.startswith("quiz-")},
        "CERTIFICATES_RATE_LIMITS": {g: r for g, r in rates.items() if g.startswith("certificate-")},
    }


def limits(**changed):
    return override_settings(**by_app({**LIMITS, **changed}))


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(quiz, "send_grading_job", lambda job_id: True)


@pytest.fixture
def module():
    return quiz_module()


def open_attempt(user, module) -> QuizAttempt:
    return quiz.start_attempt(user, module)


def signed_in(user, address=ROOM_ADDRESS) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def one_answer(attempt, choice_index):
    question = attempt.questions[0]
    return {
        "question": [question["id"]],
        f"answer-{question['id']}": [question["choices"][choice_index]["id"]],
    }


# -- Quiz ---------------------------------------------------------------------


@limits()
def test_a_submission_past_the_limit_gets_429_json_and_changes_nothing(module):
    user = UserFactory()
    attempt = open_attempt(user, module)
    client = signed_in(user)
    submit = reverse("courses:quiz_submit", args=[attempt.pk])
    # Two saves without JavaScript use up the limit of two.
    for _ in range(2):
        response = client.post(submit, form_data(answers(attempt, right=0), action="save"))
        assert response.status_code == 302
    attempt.refresh_from_db()
    saved = attempt.answers

    response = client.post(submit, form_data(answers(attempt)), HTTP_ACCEPT="application/json")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert TOO_FAST in response.json()["error"]
    assert 1 <= int(response["Retry-After"]) <= 60
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.OPEN
    assert attempt.answers == saved
    assert not GradingJob.objects.filter(attempt=attempt).exists()


@limits(**{"quiz-submit": "1/m"})
def test_a_submission_past_the_limit_without_javascript_gets_a_thai_page(module):
    user = UserFactory()
    attempt = open_attempt(user, module)
    client = signed_in(user)
    submit = reverse("courses:quiz_submit", args=[attempt.pk])
    assert client.post(submit, form_data(answers(attempt), action="save")).status_code == 302

    response = client.post(submit, form_data(answers(attempt)))

    assert response.status_code == 429
    page = response.content.decode()
    assert TOO_FAST in page and "กรุณารอประมาณ 1 นาทีแล้วลองใหม่" in page
    assert response["Content-Type"].startswith("text/html")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.OPEN


@limits()
def test_answer_saving_past_the_limit_gets_429_json_and_keeps_the_saved_answer(module):
    user = UserFactory()
    attempt = open_attempt(user, module)
    client = signed_in(user)
    save = reverse("courses:quiz_save_answers", args=[attempt.pk])
    for _ in range(3):
        assert client.post(save, one_answer(attempt, 1)).status_code == 200
    attempt.refresh_from_db()
    saved = attempt.answers

    response = client.post(save, one_answer(attempt, 0))

    assert response.status_code == 429
    assert TOO_FAST in response.json()["error"]
    attempt.refresh_from_db()
    assert attempt.answers == saved


@limits()
def test_one_volunteers_limit_leaves_the_next_volunteer_in_the_room_alone(module):
    first, second = UserFactory(), UserFactory()
    first_attempt, second_attempt = open_attempt(first, module), open_attempt(second, module)
    first_client = signed_in(first)
    save = reverse("courses:quiz_save_answers", args=[first_attempt.pk])
    for _ in range(4):
        response = first_client.post(save, one_answer(first_attempt, 1))
    assert response.status_code == 429

    response = signed_in(second).post(
        reverse("courses:quiz_save_answers", args=[second_attempt.pk]),
        one_answer(second_attempt, 1),
    )
    assert response.status_code == 200


@limits(**{"quiz-answers": "1/m", "quiz-submit": "1/m"})
def test_a_room_of_311_behind_one_address_saves_and_submits_without_a_refusal(module):
    """Even at a limit of one request a minute per volunteer: the limit is
    counted per volunteer, and the room shares one NAT address."""
    User = get_user_model()
    User.objects.bulk_create(User(username=f"room-{n}") for n in range(311))
    room = list(User.objects.filter(username__startswith="room-"))
    assert len(room) == 311
    client = Client(REMOTE_ADDR=ROOM_ADDRESS)
    for user in room:
        attempt = open_attempt(user, module)
        client.force_login(user)
        saved = client.post(
            reverse("courses:quiz_save_answers", args=[attempt.pk]), one_answer(attempt, 0)
        )
        assert saved.status_code == 200, user.username
        submitted = client.post(
            reverse("courses:quiz_submit", args=[attempt.pk]),
            form_data(answers(attempt)),
            HTTP_ACCEPT="application/json",
        )
        assert submitted.status_code == 200, user.username
    assert QuizAttempt.objects.filter(status=AttemptStatus.SUBMITTED).count() == 311


def test_a_volunteer_tapping_through_a_long_quiz_is_not_limited_by_default(module):
    """100 saves in a minute: every answer of a 50-question quiz, each changed once."""
    user = UserFactory()
    attempt = open_attempt(user, module)
    client = signed_in(user)
    save = reverse("courses:quiz_save_answers", args=[attempt.pk])
    statuses = {client.post(save, one_answer(attempt, n % 2)).status_code for n in range(100)}
    assert statuses == {200}


# -- Verification ---------------------------------------------------------------


@pytest.fixture
def certificate():
    user, course = completed_enrolment()
    tasks.issue_certificate.run(user.pk, course.pk)
    return Certificate.objects.get(user=user)


@limits()
def test_verification_past_the_limit_gets_a_thai_429_page_per_address(certificate):
    client = Client(REMOTE_ADDR=ROOM_ADDRESS)
    page = reverse("certificates:verify", args=[certificate.display_code])
    lookup = reverse("certificates:verify_lookup")
    # The lookup form and the page share one count.
    assert client.get(lookup).status_code == 200
    assert client.get(page).status_code == 200
    assert client.get(page).status_code == 200

    response = client.get(page)

    assert response.status_code == 429
    text = response.content.decode()
    assert TOO_MANY_CHECKS in text and certificate.number not in text
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get(lookup, {"code": certificate.display_code}).status_code == 429
    # Another address is counted on its own.
    assert Client(REMOTE_ADDR="203.113.4.26").get(page).status_code == 200


@limits()
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_verification_counts_the_client_address_not_the_proxys(certificate):
    page = reverse("certificates:verify", args=[certificate.display_code])
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(3):
        assert proxy.get(page, HTTP_X_FORWARDED_FOR="203.113.4.25").status_code == 200
    assert proxy.get(page, HTTP_X_FORWARDED_FOR="203.113.4.25").status_code == 429
    assert proxy.get(page, HTTP_X_FORWARDED_FOR="203.113.4.26").status_code == 200


def test_a_room_of_311_verifying_at_once_from_one_address_is_not_limited_by_default(
    certificate,
):
    """Every phone opens the lookup form, is redirected, and reads the page."""
    client = Client(REMOTE_ADDR=ROOM_ADDRESS)
    lookup = reverse("certificates:verify_lookup")
    page = reverse("certificates:verify", args=[certificate.display_code])
    for _ in range(311):
        typed = client.get(lookup, {"code": certificate.display_code.lower()})
        assert typed.status_code == 302
        assert client.get(typed["Location"]).status_code == 200
        assert client.get(page).status_code == 200


# -- A cache that fails ---------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    "backend",
    [
        # Production's cache: Redis errors become misses.
        "npv_site.cache.FailOpenRedisCache",
        # A cache that raises: the rate limit lets the request through itself.
        "django.core.cache.backends.redis.RedisCache",
    ],
)
def test_an_unreachable_cache_lets_every_request_through(backend, module, certificate):
    user = UserFactory()
    attempt = open_attempt(user, module)
    unreachable = {
        "default": {
            "BACKEND": backend,
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    one_a_minute = {"quiz-answers": "1/m", "quiz-submit": "1/m", "certificate-verify": "1/m"}
    with override_settings(**by_app(one_a_minute), CACHES=unreachable):
        client = signed_in(user)
        save = reverse("courses:quiz_save_answers", args=[attempt.pk])
        for choice in (1, 0, 1):
            assert client.post(save, one_answer(attempt, choice)).status_code == 200
        response = client.post(
            reverse("courses:quiz_submit", args=[attempt.pk]),
            form_data(answers(attempt)),
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 200
        page = reverse("certificates:verify", args=[certificate.display_code])
        assert [Client().get(page).status_code for _ in range(3)] == [200, 200, 200]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED


def test_on_production_redis_cache_the_limit_holds_and_an_outage_lets_requests_through(
    certificate,
):
    """Django's own RedisCache (which django-ratelimit's checks do not know)
    counts; while Redis is away, verification goes on unlimited."""
    if not service_up(6379):
        skip_or_fail("no Redis at 127.0.0.1:6379")
    page = reverse("certificates:verify", args=[certificate.display_code])
    client = Client(REMOTE_ADDR=ROOM_ADDRESS)
    with TCPProxy("127.0.0.1", 6379) as proxy:
        redis_cache = {
            "default": {
                "BACKEND": "npv_site.cache.FailOpenRedisCache",
                "LOCATION": f"redis://127.0.0.1:{proxy.port}/13",
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                "OPTIONS": {"retry_after": 0},
            }
        }
        with limits(), override_settings(CACHES=redis_cache):
            assert [client.get(page).status_code for _ in range(4)] == [200, 200, 200, 429]
            proxy.cut()
            assert [client.get(page).status_code for _ in range(4)] == [200] * 4
            # Back: the counter written during the outage is dropped (it may be
            # stale, see npv_site.cache) and counting starts again.
            proxy.restore()
            assert [client.get(page).status_code for _ in range(4)] == [200, 200, 200, 429]
