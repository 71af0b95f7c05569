from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.models import CoursePage
from npv_site.demo.loader import DemoLoader


class Command(BaseCommand):
    help = "Load the Thai demo course (and, outside production, the demo accounts). Safe to re-run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts", action="store_true", help="Do not create the demo trainer and volunteer."
        )

    def handle(self, *args, no_accounts=False, **options):
        loader = DemoLoader()
        report = loader.load()
        self.stdout.write(
            f"Demo course: {len(report.created)} item(s) created, {report.kept} page(s) already there."
        )
        if no_accounts:
            return
        if not settings.DEMO_ACCOUNTS_ALLOWED:
            raise CommandError("Demo accounts are refused under production settings.")
        course = CoursePage.objects.filter(slug=loader.data["course"]["slug"]).first()
        loader.create_demo_accounts(course)
        # The address people open (SITE_URL), not where runserver happens to listen.
        self.stdout.write(self.style.SUCCESS(f"Demo logins ({settings.WAGTAILADMIN_BASE_URL}/):"))
        for role, username, password in report.logins:
            admin = "  → /admin/" if role == "trainer" else "  → /learn/"
            self.stdout.write(f"  {role:<10} {username} / {password}{admin}")
