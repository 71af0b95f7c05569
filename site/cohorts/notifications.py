"""The site's own kind of notification: an invitation to a training cohort
(registered with the plugins' notifications in CohortsConfig.ready())."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.messages import Message, absolute

INVITED = "cohorts.invited"


def invited_message(event, user) -> Message:
    payload = event.payload
    return Message(
        subject=_("คุณได้รับเชิญเข้ารุ่นอบรม %(cohort)s") % {"cohort": payload.get("cohort", "")},
        text=_("%(trainer)s เชิญคุณเข้ารุ่นอบรม %(cohort)s ตอบรับหรือปฏิเสธได้ที่หน้าคำเชิญ")
        % {"trainer": payload.get("invited_by", ""), "cohort": payload.get("cohort", "")},
        url=absolute(
            reverse("cohort_invitation", args=[payload["invitation_id"]])
            if payload.get("invitation_id")
            else reverse("courses:my_learning")
        ),
        button_label=_("ดูคำเชิญ"),
        kind=event.kind,
    )


COHORT_MESSAGE = "cohorts.message"


def cohort_message(event, user) -> Message:
    """A trainer's message to the cohort (npv_site.cohorts.messaging)."""
    payload = event.payload
    to_course = payload.get("link") == "course"
    return Message(
        subject=_("ข้อความจากวิทยากร รุ่น %(cohort)s") % {"cohort": payload.get("cohort", "")},
        text=payload.get("text", ""),
        url=absolute(payload.get("url") or reverse("courses:my_learning")),
        button_label=_("ไปที่หลักสูตร") if to_course else _("ไปที่การเรียนของฉัน"),
        kind=event.kind,
    )
