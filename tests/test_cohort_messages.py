"""A trainer's message to their cohort ("hear from the course"): the audience by
the report's statuses and places, the preview's counts per channel (the outbox's
own rules), the LINE quota refusing LINE while the other channels go, a slip
never sending twice, another trainer's cohort refused, the counts per channel on
the cohort's list of messages, and a 311-member cohort message once per person."""

from __future__ import annotations

import datetime
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from allauth.socialaccount.models import SocialAccount
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone

from courses.models import Enrolment, LessonCompletion, LessonPage, ModulePage
from notifications import line_quota, outbox
from notifications.models import Delivery, DeliveryStatus
from notifications.preferences import set_choice
from npv_site.cohorts.messaging import REMINDERS, Draft, audience_user_ids, delivery_counts
from npv_site.cohorts.models import CohortMembership, CohortMessage, Village
from tests import notification_channels as test_channels
from tests.factories import TrainingCohortFactory, UserFactory, build_course
from tests.fake_line_api import FakeLineAPI, line_user_id

pytestmark = pytest.mark.django_db

LINE_CHANNELS = [
    "notifications.channels.email.EmailChannel",
    "notifications.channels.site.SiteChannel",
    "notifications.channels.line.LineChannel",
]


@pytest.fixture(autouse=True)
def calm(settings, tmp_path, monkeypatch):
    # Whatever the hour the suite runs at: the quiet hours are another test's subject.
    settings.NOTIFICATIONS_QUIET_HOURS = None
    monkeypatch.setenv(test_channels.ENV_DIR, str(tmp_path / "channel"))
    line_quota.forget_quota()
    yield
    line_quota.forget_quota()


def make_trainer(username="trainer-chumphon"):
    user = UserFactory(username=username, first_name="วิทยากร", last_name=username)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


def place(district="เมืองชุมพร", province="ชุมพร", no=1):
    return Village.objects.get_or_create(
        province=province,
        district=district,
        subdistrict="ตำบลทดสอบ",
        village_no=no,
        defaults={"name": f"บ้าน{district}{no}"},
    )[0]


def member(cohort, village=None, *, email=True, line=False, **user):
    person = UserFactory(**user) if email else UserFactory(email="", **user)
    CohortMembership.objects.create(cohort=cohort, user=person, village=village or place())
    if email:
        set_choice(person, "email", True)
    if line:
        SocialAccount.objects.create(user=person, provider="line", uid=line_user_id(person.pk))
        set_choice(person, "line", True)
    return person


@pytest.fixture
def trainer():
    return make_trainer()


@pytest.fixture
def course():
    return build_course(modules=2, lessons=1, questions=1)


@pytest.fixture
def cohort(trainer, course):
    return TrainingCohortFactory(name="ชุมพร 4 ธ.ค. 2569", trainers=[trainer], courses=[course])


@pytest.fixture
def stages(cohort, course):
    """One volunteer at each stage: not started, halfway, finished; the
    not-started one in another district."""
    lesson = LessonPage.objects.descendant_of(course).first()
    not_started = member(cohort, place("หลังสวน"))
    Enrolment.objects.create(user=not_started, course=course)
    halfway = member(cohort)
    Enrolment.objects.create(user=halfway, course=course)
    LessonCompletion.objects.create(user=halfway, lesson=lesson)
    finished = member(cohort)
    Enrolment.objects.create(user=finished, course=course, completed_at=timezone.now())
    LessonCompletion.objects.create(user=finished, lesson=lesson)
    return {"not_started": not_started, "in_progress": halfway, "completed": finished}


def compose_url(cohort):
    return f"/admin/cohorts/{cohort.pk}/messages/new/"


def form_data(send_key=None, **fields):
    return {
        "audience": "everyone",
        "text": "พรุ่งนี้เริ่มอบรมเวลา 9 โมงเช้า ที่ศาลาประชาคม",
        "link": "my_learning",
        "province": "",
        "district": "",
        "send_key": str(send_key or uuid.uuid4()),
        **fields,
    }


def send(client, cohort, **fields):
    return client.post(compose_url(cohort), {**form_data(**fields), "send": "1"})


def preview(client, cohort, **fields):
    response = client.post(compose_url(cohort), {**form_data(**fields), "preview": "1"})
    assert response.status_code == 200, response.content.decode()[:2000]
    return BeautifulSoup(response.text, "html.parser")


def reach_shown(soup) -> dict[str, int]:
    return {
        item["data-channel"]: int(item.dd.get_text().replace(",", ""))
        for item in soup.select(".cohort-message__reach [data-channel]")
    }


def send_all_due():
    for pk in Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True):
        outbox.send_delivery(pk)


# -- who it goes to -----------------------------------------------------------------------


def test_each_audience_is_the_reports_status(cohort, course, stages):
    def ids(audience, **places):
        return set(audience_user_ids(cohort, Draft(audience=audience, text="x", **places)))

    assert ids("not_started") == {stages["not_started"].pk}
    assert ids("in_progress") == {stages["in_progress"].pk}
    assert ids("completed") == {stages["completed"].pk}
    assert ids("everyone") == {user.pk for user in stages.values()}
    # The places as the report filters them.
    assert ids("everyone", province="ชุมพร", district="หลังสวน") == {stages["not_started"].pk}
    assert ids("in_progress", district="หลังสวน") == set()


def test_a_message_to_the_halfway_reaches_only_them(client, trainer, cohort, stages):
    client.force_login(trainer)
    response = send(client, cohort, audience="in_progress")
    assert response.status_code == 302
    message = CohortMessage.objects.get()
    assert message.recipients == 1
    assert set(Delivery.objects.values_list("user_id", flat=True)) == {stages["in_progress"].pk}


# -- the preview --------------------------------------------------------------------------


def test_the_preview_shows_the_message_and_counts_each_channel_as_the_outbox_writes(
    client, trainer, cohort, stages
):
    no_email = member(cohort, email=False)  # the on-site list only
    opted_out = member(cohort)
    set_choice(opted_out, "email", False)
    client.force_login(trainer)

    soup = preview(client, cohort)
    shown = reach_shown(soup)
    # 5 volunteers; e-mail: the three stages (opted in), not the one without an
    # address, not the one who opted out; on the site: everyone.
    assert shown["email"] == 3
    assert shown["site"] == 5
    assert shown["test"] == 0  # the tests' channel: nobody opted in
    text = soup.get_text(" ", strip=True)
    assert "ตัวอย่างที่เน็ตอาสาจะเห็น" in text
    assert "ข้อความจากวิทยากร รุ่น ชุมพร 4 ธ.ค. 2569" in text
    bubble = soup.select_one(".line-bubble")
    assert "ศาลาประชาคม" in bubble.select_one(".line-bubble__text").get_text()
    assert bubble.select_one(".line-bubble__button").get_text() == "ไปที่การเรียนของฉัน"
    assert bubble.select_one(".line-bubble__button")["href"].endswith("/learn/")
    # Nothing is sent by a preview.
    assert not CohortMessage.objects.exists() and not Delivery.objects.exists()

    assert send(client, cohort).status_code == 302
    written = {
        name: Delivery.objects.filter(channel=name).count() for name in ("email", "site", "test")
    }
    assert written == {name: shown[name] for name in written}
    assert no_email.pk not in Delivery.objects.filter(channel="email").values_list(
        "user_id", flat=True
    )


def test_in_the_quiet_hours_the_preview_says_when_it_will_go(
    client, settings, trainer, cohort, stages
):
    bangkok = timezone.now().astimezone(ZoneInfo("Asia/Bangkok"))
    start, end = bangkok - datetime.timedelta(hours=1), bangkok + datetime.timedelta(hours=1)
    settings.NOTIFICATIONS_QUIET_HOURS = (f"{start:%H:%M}", f"{end:%H:%M}")
    client.force_login(trainer)
    held = preview(client, cohort).select_one("[data-held-until]")
    assert f"เวลา {end:%H:%M} น." in held.get_text()
    settings.NOTIFICATIONS_QUIET_HOURS = None
    assert preview(client, cohort).select_one("[data-held-until]") is None


def test_a_ready_reminder_is_offered_and_chosen_by_the_trainer(client, trainer, cohort, stages):
    client.force_login(trainer)
    soup = BeautifulSoup(client.get(compose_url(cohort)).text, "html.parser")
    offered = {a["href"] for a in soup.select("a[href^='?reminder=']")}
    assert offered == {"?reminder=not_started", "?reminder=in_progress"}
    soup = BeautifulSoup(
        client.get(compose_url(cohort) + "?reminder=not_started").text, "html.parser"
    )
    assert soup.select_one("textarea[name=text]").get_text().strip() == str(
        REMINDERS["not_started"]
    )
    assert soup.select_one("input[name=audience][value=not_started]").has_attr("checked")
    # Offering it sends nothing.
    assert not CohortMessage.objects.exists()


def test_a_text_past_the_limit_is_refused_in_thai(client, trainer, cohort, stages):
    client.force_login(trainer)
    response = send(client, cohort, text="ก" * 501)
    assert response.status_code == 400
    assert "ข้อความยาวเกิน 500 ตัวอักษร (ตอนนี้ 501)" in response.text
    assert not CohortMessage.objects.exists()


@pytest.mark.parametrize(
    "bad, thai",
    [
        ({"send_key": "not-a-key"}, "แบบฟอร์มนี้ไม่สมบูรณ์ เปิดหน้าเขียนข้อความใหม่แล้วลองอีกครั้ง"),
        ({"send_key": " "}, "แบบฟอร์มนี้ไม่สมบูรณ์ เปิดหน้าเขียนข้อความใหม่แล้วลองอีกครั้ง"),
        ({"text": "\u200b \u200b"}, "เขียนข้อความก่อนส่ง"),
        ({"audience": "everybody"}, "ส่งถึง"),
        ({"course": "²"}, "นับความก้าวหน้าตามหลักสูตร"),
        ({"province": "น่าน"}, "จังหวัด"),
        ({"province": "ชุมพร", "district": "เมืองระนอง"}, "อำเภอ"),
    ],
)
def test_bad_input_changes_nothing_and_says_so_in_thai(client, trainer, cohort, stages, bad, thai):
    client.force_login(trainer)
    response = send(client, cohort, **bad)
    assert response.status_code == 400
    assert thai in response.text
    assert response.context["form"].errors
    assert not CohortMessage.objects.exists() and not Delivery.objects.exists()


# -- LINE and its quota ---------------------------------------------------------------------


@pytest.fixture
def line_on(settings):
    with FakeLineAPI(quota_limit=1000) as fake:
        settings.NOTIFICATIONS_CHANNELS = LINE_CHANNELS
        settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = fake.token
        settings.NOTIFICATIONS_LINE_API_HOST = fake.url
        settings.NOTIFICATIONS_LINE_TIMEOUT = (1, 2)
        line_quota.forget_quota()
        yield fake


def test_the_preview_shows_the_line_quota_and_what_the_send_uses(client, trainer, cohort, line_on):
    for _n in range(3):
        member(cohort, line=True)
    member(cohort)
    line_on.consumption = 400
    client.force_login(trainer)
    soup = preview(client, cohort)
    assert reach_shown(soup) == {"email": 4, "site": 4, "line": 3}
    assert soup.select_one("[data-line-quota]").get_text(strip=True) == (
        "การส่งครั้งนี้ใช้ข้อความ LINE 3 ข้อความ โควตาเดือนนี้เหลือ 600 ข้อความ"
    )


def test_a_send_past_the_line_quota_skips_line_and_the_other_channels_still_go(
    client, trainer, cohort, line_on
):
    line_people = [member(cohort, line=True) for _n in range(3)]
    member(cohort)
    line_on.consumption = 998  # 2 left, 3 needed
    client.force_login(trainer)

    soup = preview(client, cohort)
    refused = soup.select_one("[data-line-refused]").get_text(strip=True)
    assert refused == (
        "โควตาข้อความ LINE เดือนนี้เหลือ 2 ข้อความ แต่การส่งครั้งนี้ต้องใช้ 3 ข้อความ "
        "จึงไม่ส่งทาง LINE (ช่องทางอื่นยังส่งตามปกติ)"
    )

    response = send(client, cohort)
    assert response.status_code == 302
    message = CohortMessage.objects.get()
    assert message.line_skipped == refused
    line_rows = Delivery.objects.filter(channel="line")
    assert {row.user_id for row in line_rows} == {person.pk for person in line_people}
    assert set(line_rows.values_list("status", "last_error")) == {(DeliveryStatus.SKIPPED, refused)}

    send_all_due()
    assert len(mail.outbox) == 4
    assert all(m.subject == "ข้อความจากวิทยากร รุ่น ชุมพร 4 ธ.ค. 2569" for m in mail.outbox)
    assert Delivery.objects.filter(channel="email", status=DeliveryStatus.SENT).count() == 4
    # Nothing reached LINE.
    assert not line_on.delivered
    # The list says so.
    page = BeautifulSoup(client.get(f"/admin/cohorts/{cohort.pk}/messages/").text, "html.parser")
    assert page.select_one("[data-line-skipped]").get_text(strip=True) == refused


def test_when_the_quota_cannot_be_checked_line_waits_out_and_the_others_go(
    client, settings, trainer, cohort, line_on
):
    member(cohort, line=True)
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = "a-token-line-refuses"  # 401
    client.force_login(trainer)
    refused = preview(client, cohort).select_one("[data-line-refused]").get_text(strip=True)
    assert refused.startswith("ตรวจโควตาข้อความ LINE ไม่ได้ในขณะนี้ จึงยังไม่ส่งทาง LINE")
    assert send(client, cohort).status_code == 302
    assert Delivery.objects.get(channel="line").status == DeliveryStatus.SKIPPED
    send_all_due()
    assert Delivery.objects.get(channel="email").status == DeliveryStatus.SENT
    assert not line_on.delivered


def test_within_the_line_quota_the_bubble_goes_out_with_its_button(
    client, trainer, cohort, line_on
):
    person = member(cohort, line=True)
    client.force_login(trainer)
    assert send(client, cohort).status_code == 302
    send_all_due()
    [got] = line_on.messages_for(line_user_id(person.pk))
    [flex] = got.messages
    assert flex["type"] == "flex"
    button = flex["contents"]["footer"]["contents"][0]["action"]
    assert button["label"] == "ไปที่การเรียนของฉัน" and button["uri"].endswith("/learn/")
    assert Delivery.objects.get(channel="line").status == DeliveryStatus.SENT


# -- a slip never sends twice ------------------------------------------------------------


def test_a_double_submit_or_a_reload_creates_nothing_new(client, trainer, cohort, stages):
    client.force_login(trainer)
    key = uuid.uuid4()
    first = send(client, cohort, send_key=key)
    again = send(client, cohort, send_key=key)
    assert first.status_code == again.status_code == 302
    assert CohortMessage.objects.count() == 1
    assert Delivery.objects.filter(channel="site").count() == 3
    followed = client.get(again["Location"])
    assert "ข้อความนี้ส่งไปแล้ว ไม่ได้ส่งซ้ำ" in followed.text


def test_the_same_text_to_the_same_audience_within_ten_minutes_is_refused(
    client, trainer, cohort, stages
):
    client.force_login(trainer)
    assert send(client, cohort).status_code == 302
    # A new form (a new key), the same words to the same people.
    response = send(client, cohort)
    assert response.status_code == 400
    assert "ส่งข้อความเดียวกันถึงกลุ่มเดียวกันไปแล้วเมื่อไม่ถึง 10 นาทีที่แล้ว จึงไม่ส่งซ้ำ" in response.text
    assert CohortMessage.objects.count() == 1
    # To another audience it goes; and the same one after ten minutes.
    assert send(client, cohort, audience="not_started").status_code == 302
    CohortMessage.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    assert send(client, cohort).status_code == 302
    assert CohortMessage.objects.count() == 3


def test_a_trainer_sends_at_most_the_hourly_limit(client, settings, trainer, cohort, stages):
    settings.COHORTS_MESSAGE_RATE_LIMITS = {"cohort-message": "2/h"}
    client.force_login(trainer)
    for n in range(2):
        assert send(client, cohort, text=f"ข้อความที่ {n}").status_code == 302
    response = send(client, cohort, text="ข้อความที่สาม")
    assert response.status_code == 429
    assert "ส่งข้อความถี่เกินไป" in response.text
    assert CohortMessage.objects.count() == 2


# -- who may ---------------------------------------------------------------------------------


def test_another_trainers_cohort_is_refused(client, cohort, stages):
    other = make_trainer("trainer-nan")
    client.force_login(other)
    assert client.get(compose_url(cohort)).status_code == 404
    assert send(client, cohort).status_code == 404
    assert client.get(f"/admin/cohorts/{cohort.pk}/messages/").status_code == 404
    assert not CohortMessage.objects.exists() and not Delivery.objects.exists()


def test_one_who_manages_all_cohorts_sees_the_list_but_does_not_speak_as_the_trainer(
    client, trainer, cohort, stages
):
    client.force_login(trainer)
    send(client, cohort)
    manager = make_trainer("manager")
    manager.user_permissions.add(Permission.objects.get(codename="manage_all_cohorts"))
    client.force_login(manager)
    page = client.get(f"/admin/cohorts/{cohort.pk}/messages/")
    assert page.status_code == 200
    assert "ศาลาประชาคม" in page.text
    assert (
        "เขียนข้อความถึงรุ่น"
        not in BeautifulSoup(page.text, "html.parser").select_one(".cohort-message").get_text()
    )
    # Wagtail answers PermissionDenied with a redirect to the dashboard.
    refused = send(client, cohort, text="อีกข้อความ")
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    assert CohortMessage.objects.count() == 1


# -- the list with its counts ------------------------------------------------------------------


def test_the_list_counts_delivered_failed_and_waiting_per_channel(client, trainer, cohort):
    people = [member(cohort) for _n in range(4)]
    client.force_login(trainer)
    assert send(client, cohort).status_code == 302
    emails = Delivery.objects.filter(channel="email").order_by("user_id")
    assert [d.user_id for d in emails] == [p.pk for p in people]
    sent, failed, waiting = emails[:2], emails[2:3], emails[3:]
    Delivery.objects.filter(pk__in=[d.pk for d in sent]).update(status=DeliveryStatus.SENT)
    Delivery.objects.filter(pk__in=[d.pk for d in failed]).update(
        status=DeliveryStatus.FAILED, last_error="mailbox full"
    )
    assert waiting[0].status == DeliveryStatus.PENDING

    html = client.get(f"/admin/cohorts/{cohort.pk}/messages/").text
    soup = BeautifulSoup(html, "html.parser")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in soup.select(".cohort-message__item tbody tr")
    }
    # sent, failed, waiting, not sent
    assert rows["อีเมล"] == ["2", "1", "1", "0"]
    assert rows["บนเว็บไซต์"] == ["4", "0", "0", "0"]
    # Counts only: nobody's name, address or error.
    for person in people:
        assert person.email not in html
    assert "mailbox full" not in html


def test_the_list_counts_in_a_few_queries_whatever_the_messages(
    client, trainer, cohort, stages, django_assert_max_num_queries
):
    client.force_login(trainer)
    for n in range(6):
        send(client, cohort, text=f"ข้อความที่ {n}")
    messages = list(CohortMessage.objects.all())
    with django_assert_max_num_queries(1):
        counts = delivery_counts(messages)
    assert all(sum(c.waiting + c.sent for c in counts[m.pk]) == 6 for m in messages)
    with django_assert_max_num_queries(20):
        assert client.get(f"/admin/cohorts/{cohort.pk}/messages/").status_code == 200


# -- a cohort of 311 ---------------------------------------------------------------------------


def test_a_311_member_cohort_message_is_one_delivery_per_person_and_channel_sent_once(
    client, trainer, course
):
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course])
    village = place()
    people = [member(cohort, village) for _n in range(311)]
    for person in people[::2]:
        set_choice(person, "test", True)
    client.force_login(trainer)
    key = uuid.uuid4()
    assert send(client, cohort, send_key=key).status_code == 302
    assert send(client, cohort, send_key=key).status_code == 302  # the double click
    message = CohortMessage.objects.get()
    assert message.recipients == 311
    per_channel = {
        name: Delivery.objects.filter(event=message.event, channel=name).count()
        for name in ("email", "site", "test")
    }
    assert per_channel == {"email": 311, "site": 311, "test": 156}
    send_all_due()
    # The broker's redelivery of every message: nothing goes a second time.
    for pk in Delivery.objects.values_list("pk", flat=True):
        assert outbox.send_delivery(pk) == "nothing"
    assert len(mail.outbox) == 311
    assert len({m.to[0] for m in mail.outbox}) == 311
    recorded = [row["user"] for row in test_channels.sends("test")]
    assert sorted(recorded) == sorted(p.pk for p in people[::2])
    assert not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()


def test_the_message_reads_in_thai_with_a_link_to_the_course(client, trainer, cohort, stages):
    client.force_login(trainer)
    assert send(client, cohort, link="course").status_code == 302
    send_all_due()
    body = mail.outbox[0].body
    assert "พรุ่งนี้เริ่มอบรมเวลา 9 โมงเช้า" in body
    course_url = cohort.courses.get().url
    assert re.search(rf"ไปที่หลักสูตร: \S+{re.escape(course_url)}", body)
    assert ModulePage.objects.child_of(cohort.courses.get()).exists()


def test_the_preview_and_the_send_take_the_same_queries_for_5_as_for_50(client, trainer, cohort):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(trainer)

    def queries(**fields) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(compose_url(cohort), {**form_data(**fields), **fields})
            assert response.status_code in (200, 302)
        # The deliveries' INSERT is written in batches (SQLite's bound on a
        # statement's parameters), the one statement that may grow with the cohort.
        return sum(
            1
            for query in captured
            if not query["sql"].startswith('INSERT INTO "notifications_delivery"')
        )

    for _n in range(5):
        member(cohort)
    few = queries(preview="1"), queries(send="1", text="ข้อความแรก")
    for _n in range(45):
        member(cohort)
    many = queries(preview="1"), queries(send="1", text="ข้อความที่สอง")
    assert many == few
