"""A trainer's message to their cohort ("hear from the course"), as plain
functions: who it goes to, what the volunteer will see and on how many
channels, the LINE quota it uses, and sending it once through the plugins'
notifications outbox (notifications.notify, the kind "cohorts.message").

Sending is guarded three ways against a slip: the compose form's one-time key
(a double submit or a reload finds its message already made), the same text
to the same audience of the same cohort within DUPLICATE_WINDOW is refused,
and the view limits each trainer's sends (COHORTS_MESSAGE_RATE_LIMITS)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import notifications
from notifications.channels import all_channels
from notifications.messages import Message, build_message
from notifications.models import Delivery, DeliveryStatus, Event
from notifications.quiet_hours import quiet_until
from notifications.reach import reach_ids
from npv_site.cohorts.models import CohortMessage, TrainingCohort
from npv_site.cohorts.notifications import COHORT_MESSAGE
from npv_site.cohorts.reports import (
    CourseOutline,
    ReportFilters,
    Status,
    cohort_members,
    report_course,
)

# A cohort message is short: it reads on a phone, in a LINE bubble.
MAX_LENGTH = 500
DUPLICATE_WINDOW = timedelta(minutes=10)
RATE_GROUP = "cohort-message"
DEFAULT_RATES = {RATE_GROUP: "10/h"}

AUDIENCE_STATUS = {
    CohortMessage.Audience.NOT_STARTED: Status.NOT_STARTED,
    CohortMessage.Audience.IN_PROGRESS: Status.IN_PROGRESS,
    CohortMessage.Audience.COMPLETED: Status.COMPLETED,
}

# Ready reminders the trainer may choose (never sent on their own).
REMINDERS = {
    CohortMessage.Audience.NOT_STARTED: gettext_lazy(
        "สวัสดีครับ/ค่ะ หลักสูตรของรุ่นเรายังรอคุณอยู่ เริ่มบทเรียนแรกได้เลยวันนี้ "
        "ใช้เวลาไม่นาน เรียนจากโทรศัพท์ได้ มีข้อสงสัยถามวิทยากรได้ทุกเมื่อ"
    ),
    CohortMessage.Audience.IN_PROGRESS: gettext_lazy(
        "สวัสดีครับ/ค่ะ คุณเรียนมาได้ครึ่งทางแล้ว กลับมาเรียนต่ออีกนิดให้จบหลักสูตร "
        "แล้วรับเกียรติบัตรของคุณ บทเรียนที่ทำไว้ยังอยู่ครบ"
    ),
}


def rate_limits() -> dict[str, str]:
    """Sends a trainer may make (django-ratelimit rates), read on each request."""
    return {**DEFAULT_RATES, **getattr(settings, "COHORTS_MESSAGE_RATE_LIMITS", {})}


@dataclass(frozen=True)
class Draft:
    """What the trainer wrote and chose, before it is sent."""

    audience: str
    text: str
    link: str = CohortMessage.Link.MY_LEARNING
    course_id: int | None = None
    province: str = ""
    district: str = ""


def audience_user_ids(cohort: TrainingCohort, draft: Draft) -> list[int]:
    """The volunteers the draft goes to, with the report's rules (status by the
    course's progress, province and district by the member's village)."""
    filters = ReportFilters(province=draft.province, district=draft.district)
    status = AUDIENCE_STATUS.get(draft.audience)
    outline = None
    if status is not None:
        course = report_course(cohort, draft.course_id)
        if course is None:
            return []
        outline = CourseOutline.of(course)
        filters = ReportFilters(province=draft.province, district=draft.district, status=status)
    members = cohort_members(cohort, outline, filters)
    return list(members.order_by().values_list("user_id", flat=True).distinct())


def link_path(cohort: TrainingCohort, draft: Draft) -> str:
    if draft.link == CohortMessage.Link.COURSE:
        course = report_course(cohort, draft.course_id)
        if course is not None and course.url:
            return course.url
    return reverse("courses:my_learning")


def context_of(cohort: TrainingCohort, draft: Draft, author, message_id: int | None) -> dict:
    return {
        "cohort": cohort.name,
        "cohort_id": cohort.pk,
        "cohort_message_id": message_id,
        "author": (author.get_full_name() or author.get_username()) if author else "",
        "text": draft.text,
        "link": draft.link,
        "url": link_path(cohort, draft),
    }


def preview_message(cohort: TrainingCohort, draft: Draft, author) -> Message:
    """The message as a volunteer will get it, built by the kind's own builder."""
    event = Event(kind=COHORT_MESSAGE, payload=context_of(cohort, draft, author, None))
    return build_message(event, None)


@dataclass
class LineQuotaView:
    needed: int
    left: int | None = None
    refused: str = ""  # the Thai reason LINE will be skipped, or ""


@dataclass
class Preview:
    message: Message
    recipients: int
    # channel name → (label, people reached there)
    reach: dict[str, tuple[str, int]] = field(default_factory=dict)
    line: LineQuotaView | None = None
    # Sent now, it waits for the end of the quiet hours on all but the site list.
    held_until: datetime | None = None


def line_is_on() -> bool:
    channel = all_channels().get("line")
    return channel is not None and getattr(channel, "enabled", lambda: True)()


def line_quota_check(reached: int) -> LineQuotaView:
    """The LINE messages a send to `reached` people uses, against the quota left."""
    from notifications.line_quota import LineQuotaError, check_quota, messages_needed

    needed = messages_needed(reached)
    if not needed:
        return LineQuotaView(needed=0)
    try:
        quota = check_quota(needed)
    except LineQuotaError as error:
        return LineQuotaView(
            needed=needed, left=getattr(error, "left", None), refused=error.messages[0]
        )
    return LineQuotaView(needed=needed, left=quota.left)


def preview(cohort: TrainingCohort, draft: Draft, author) -> Preview:
    user_ids = audience_user_ids(cohort, draft)
    reached = reach_ids(user_ids)
    channels = all_channels()
    result = Preview(
        message=preview_message(cohort, draft, author),
        recipients=len(user_ids),
        reach={name: (str(channels[name].label), len(ids)) for name, ids in reached.items()},
        held_until=quiet_until(timezone.now()),
    )
    if "line" in reached and line_is_on():
        result.line = line_quota_check(len(reached["line"]))
    return result


class AlreadySent(Exception):
    """The form's one-time key was used: its message exists (`message`)."""

    def __init__(self, message: CohortMessage):
        super().__init__(str(message))
        self.message = message


def check_not_repeated(cohort: TrainingCohort, draft: Draft, now=None) -> None:
    now = now or timezone.now()
    repeated = CohortMessage.objects.filter(
        cohort=cohort,
        audience=draft.audience,
        province=draft.province,
        district=draft.district,
        text=draft.text,
        created_at__gte=now - DUPLICATE_WINDOW,
    ).exists()
    if repeated:
        raise ValidationError(
            _("ส่งข้อความเดียวกันถึงกลุ่มเดียวกันไปแล้วเมื่อไม่ถึง 10 นาทีที่แล้ว จึงไม่ส่งซ้ำ"),
            code="repeated",
        )


def send_cohort_message(
    cohort: TrainingCohort, draft: Draft, author, *, send_key, now=None
) -> CohortMessage:
    """Write the message and its notifications event (one delivery per person and
    channel), once per `send_key`. Raises AlreadySent for a used key and
    ValidationError (Thai) for a repeat or an audience of nobody. LINE is left out,
    and said so on the message and its LINE deliveries (skipped), when the month's
    quota cannot carry it; the other channels still go."""
    now = now or timezone.now()
    existing = CohortMessage.objects.filter(send_key=send_key).first()
    if existing is not None:
        raise AlreadySent(existing)
    check_not_repeated(cohort, draft, now)
    user_ids = audience_user_ids(cohort, draft)
    if not user_ids:
        raise ValidationError(_("ไม่มีเน็ตอาสาในกลุ่มที่เลือก จึงไม่มีผู้รับข้อความนี้"), code="empty")
    line_refused = ""
    if line_is_on():
        line_ids = reach_ids(user_ids).get("line", set())
        if line_ids:
            line_refused = line_quota_check(len(line_ids)).refused
    try:
        with transaction.atomic():
            message = CohortMessage.objects.create(
                cohort=cohort,
                author=author,
                audience=draft.audience,
                course_id=report_course(cohort, draft.course_id).pk
                if draft.audience in AUDIENCE_STATUS
                else None,
                province=draft.province,
                district=draft.district,
                text=draft.text,
                link=draft.link,
                send_key=send_key,
                recipients=len(user_ids),
                line_skipped=line_refused,
                created_at=now,
            )
            event = notifications.notify(
                COHORT_MESSAGE,
                user_ids,
                key=f"cohort-message:{message.pk}",
                context=context_of(cohort, draft, author, message.pk),
            )
            if line_refused and event is not None:
                # Claimed by nobody: the sending finds them no longer pending.
                Delivery.objects.filter(
                    event=event, channel="line", status=DeliveryStatus.PENDING
                ).update(status=DeliveryStatus.SKIPPED, last_error=line_refused[:2000])
            message.event = event
            message.save(update_fields=["event"])
    except IntegrityError:
        # The same key sent at the same moment (a double click): the first one stands.
        existing = CohortMessage.objects.filter(send_key=send_key).first()
        if existing is None:
            raise
        raise AlreadySent(existing) from None
    return message


WAITING = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass
class ChannelCounts:
    label: str
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    skipped: int = 0


def delivery_counts(messages) -> dict[int, list[ChannelCounts]]:
    """message pk → its deliveries counted per channel (one grouped query for all),
    in the order of the channels; nothing about any one person."""
    by_event = {m.event_id: m.pk for m in messages if m.event_id}
    channels = all_channels()
    counts: dict[int, dict[str, ChannelCounts]] = {m.pk: {} for m in messages}
    rows = (
        Delivery.objects.filter(event_id__in=list(by_event))
        .values("event_id", "channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        name = row["channel"]
        label = str(channels[name].label) if name in channels else name
        per = counts[by_event[row["event_id"]]].setdefault(name, ChannelCounts(label))
        status = row["status"]
        if status == DeliveryStatus.SENT:
            per.sent += row["n"]
        elif status == DeliveryStatus.FAILED:
            per.failed += row["n"]
        elif status in WAITING:
            per.waiting += row["n"]
        else:
            per.skipped += row["n"]
    order = {name: i for i, name in enumerate(channels)}
    return {
        pk: [per[name] for name in sorted(per, key=lambda n: order.get(n, len(order)))]
        for pk, per in counts.items()
    }
