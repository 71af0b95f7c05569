"""The outbox: an event, one delivery per person and channel, and each person's
choice per channel (with the consent it records, PDPA).

The rows, not the Celery messages, are the record of what was sent: a delivery
is claimed (pending → sending) before its channel is called and marked sent
after, so a message redelivered by the broker never sends twice."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """Something that happened to people: a grade, a certificate, an invitation."""

    kind = models.CharField(_("ประเภท"), max_length=60)
    # The caller's key for "this happening": a repeated signal finds it taken.
    dedupe_key = models.CharField(_("คีย์กันซ้ำ"), max_length=200, unique=True)
    payload = models.JSONField(_("ข้อมูล"), default=dict, blank=True)
    created_at = models.DateTimeField(_("เกิดเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("เหตุการณ์แจ้งเตือน")
        verbose_name_plural = _("เหตุการณ์แจ้งเตือน")

    def __str__(self):
        return f"{self.kind} {self.dedupe_key}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("รอส่ง")
    SENDING = "sending", _("กำลังส่ง")
    SENT = "sent", _("ส่งแล้ว")
    FAILED = "failed", _("ส่งไม่สำเร็จ")
    SKIPPED = "skipped", _("ไม่ได้ส่ง")


class Delivery(models.Model):
    """One message of one event to one person on one channel."""

    Status = DeliveryStatus

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_deliveries"
    )
    channel = models.CharField(_("ช่องทาง"), max_length=20)
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    tries = models.PositiveSmallIntegerField(_("จำนวนครั้งที่ลอง"), default=0)
    next_try_at = models.DateTimeField(_("ลองครั้งต่อไป"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The Celery task id of the run that claimed it: its own redelivery knows itself.
    claimed_by = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True)
    read_at = models.DateTimeField(_("อ่านเมื่อ"), null=True, blank=True)
    last_error = models.TextField(_("ข้อผิดพลาดล่าสุด"), blank=True)
    # Stable across retries: an idempotent channel passes it on (LINE's X-Line-Retry-Key).
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Deliveries sent together in one request of a channel with send_many (LINE's
    # multicast of a cohort message): the request's retry key, stable across retries.
    # Set when written; the rows of one batch are claimed and sent together, never apart.
    batch_key = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("การส่งแจ้งเตือน")
        verbose_name_plural = _("การส่งแจ้งเตือน")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user", "channel"], name="notifications_one_delivery_per_channel"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_try_at"], name="notifications_due"),
            models.Index(fields=["user", "channel", "-created_at"], name="notifications_own"),
        ]

    def __str__(self):
        return f"{self.event.kind} → {self.user_id} ({self.channel}: {self.status})"

    @property
    def event_kind(self) -> str:
        return self.event.kind

    def message(self):
        """The text of this delivery, built by its event's kind (notifications.messages)."""
        from notifications.messages import build_message

        return build_message(self.event, self.user)


class ChannelChoice(models.Model):
    """A person's choice for one channel, with the consent it records: when,
    and to which version of the notice (NOTIFICATIONS_NOTICE_VERSION)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    channel = models.CharField(_("ช่องทาง"), max_length=20)
    opted_in = models.BooleanField(_("รับแจ้งเตือน"))
    decided_at = models.DateTimeField(_("เลือกเมื่อ"), default=timezone.now)
    notice_version = models.CharField(_("ฉบับของประกาศ"), max_length=20, blank=True)
    # How: the preferences page, or the one-click link of a message.
    source = models.CharField(_("เลือกทาง"), max_length=20, default="preferences")

    class Meta:
        verbose_name = _("การเลือกช่องทางแจ้งเตือน")
        verbose_name_plural = _("การเลือกช่องทางแจ้งเตือน")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel"], name="notifications_one_choice_per_channel"
            )
        ]

    def __str__(self):
        return f"{self.user_id} {self.channel} {'on' if self.opted_in else 'off'}"


class QuietHoursChoice(models.Model):
    """Whether messages may come during the quiet hours (off unless asked for)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_quiet_hours"
    )
    allow_during_quiet_hours = models.BooleanField(_("รับข้อความในช่วงเวลางดส่งได้"), default=False)
    decided_at = models.DateTimeField(_("เลือกเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("การเลือกช่วงเวลางดส่ง")
        verbose_name_plural = _("การเลือกช่วงเวลางดส่ง")

    def __str__(self):
        return (
            f"{self.user_id} quiet hours {'allowed' if self.allow_during_quiet_hours else 'held'}"
        )
