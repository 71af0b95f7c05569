from django.core.management.base import BaseCommand

from notifications import outbox


class Command(BaseCommand):
    help = (
        "Queue the notification deliveries that are due (retries, the end of the quiet hours, "
        "those lost while the broker was down). The periodic sweep does the same every minute; "
        "a host without celery beat runs this from cron. Safe to run again."
    )

    def handle(self, *args, **options):
        queued = outbox.send_due()
        self.stdout.write(f"{queued} deliveries queued")
