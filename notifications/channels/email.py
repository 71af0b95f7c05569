"""E-mail through Django's mail backend, with a one-click unsubscribe
(RFC 8058: List-Unsubscribe and List-Unsubscribe-Post)."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications import conf
from notifications.channels.base import Channel, PermanentError, TransientError


def email_of(user) -> str:
    return (getattr(user, user.get_email_field_name(), "") or "").strip()


class EmailChannel(Channel):
    name = "email"
    label = _("อีเมล")
    idempotent = False

    def reaches(self, user) -> bool:
        return bool(email_of(user))

    def on_by_default(self, user, *, consented: bool) -> bool:
        return consented and self.reaches(user)

    def send(self, delivery) -> None:
        from notifications.unsubscribe import unsubscribe_url

        address = email_of(delivery.user)
        if not address:
            raise PermanentError("no e-mail address")
        # The volunteer's language is Thai: the message is, whatever the worker's.
        with translation.override("th"):
            message = delivery.message()
            link = unsubscribe_url(delivery.user, self.name)
            body = render_to_string(
                "notifications/email.txt", {"message": message, "unsubscribe_url": link}
            )
        unsubscribe = f"<{link}>"
        if conf.unsubscribe_mailto():
            unsubscribe += f", <mailto:{conf.unsubscribe_mailto()}?subject=unsubscribe>"
        email = EmailMessage(
            subject=message.subject,
            body=body,
            to=[address],
            headers={
                "List-Unsubscribe": unsubscribe,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                # The delivery's key: a receiving system can see a resend for what it is.
                "X-Notification-Key": str(delivery.key),
            },
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentError(f"recipient refused: {error}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from error
