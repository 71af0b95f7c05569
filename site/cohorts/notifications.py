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
