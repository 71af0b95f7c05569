"""The notifications part of a person's data download (courses.personal_data_registry)."""

from notifications.models import ChannelChoice, Delivery, QuietHoursChoice


def _iso(value):
    return value.isoformat() if value else None


def notifications_section(user) -> dict:
    quiet = QuietHoursChoice.objects.filter(user=user).first()
    return {
        "choices": [
            {
                "channel": choice.channel,
                "opted_in": choice.opted_in,
                "decided_at": _iso(choice.decided_at),
                "notice_version": choice.notice_version,
                "source": choice.source,
            }
            for choice in ChannelChoice.objects.filter(user=user).order_by("channel")
        ],
        "allow_during_quiet_hours": bool(quiet and quiet.allow_during_quiet_hours),
        "deliveries": [
            {
                "kind": delivery.event.kind,
                "channel": delivery.channel,
                "status": delivery.status,
                "created_at": _iso(delivery.created_at),
                "sent_at": _iso(delivery.sent_at),
                "read_at": _iso(delivery.read_at),
                "subject": delivery.message().subject,
            }
            for delivery in Delivery.objects.filter(user=user)
            .select_related("event", "user")
            .order_by("created_at", "pk")
        ],
    }
