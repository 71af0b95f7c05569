"""On the site: the delivery row is the notice, shown on My learning."""

from django.utils.translation import gettext_lazy as _

from notifications.channels.base import Channel


class SiteChannel(Channel):
    name = "site"
    label = _("บนเว็บไซต์")
    idempotent = True
    held_in_quiet_hours = False
    needs_sending = False

    def reaches(self, user) -> bool:
        return True

    def on_by_default(self, user, *, consented: bool) -> bool:
        return True

    def send(self, delivery) -> None:
        # Written is shown: nothing leaves the site.
        return None
