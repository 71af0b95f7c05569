import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from courses.models import CoursePage
from npv_site.demo.cohort import load_demo_cohort
from npv_site.demo.loader import DEMO_TRAINER, DemoLoader


class Command(BaseCommand):
    help = (
        "Load the Thai demo course and, outside production, the demo accounts and the demo "
        "cohort (311 volunteers of Chumphon and Ranong with their progress). Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Do not create the demo trainer, volunteer and cohort.",
        )
        parser.add_argument(
            "--no-cohort", action="store_true", help="Do not load the demo cohort."
        )
        parser.add_argument(
            "--render",
            action="store_true",
            help=(
                "Render the demo certificates' PDFs now (about 0.1-0.3 s each) instead of "
                "leaving them to the Celery worker."
            ),
        )

    def handle(self, *args, no_accounts=False, no_cohort=False, render=False, **options):
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
        if not no_cohort and course is not None:
            self.load_cohort(course, render=render)
        # The address people open (SITE_URL), not where runserver happens to listen.
        self.stdout.write(self.style.SUCCESS(f"Demo logins ({settings.WAGTAILADMIN_BASE_URL}/):"))
        for role, username, password in report.logins:
            admin = "  → /admin/" if role == "trainer" else "  → /learn/"
            self.stdout.write(f"  {role:<10} {username} / {password}{admin}")

    def load_cohort(self, course: CoursePage, *, render: bool) -> None:
        trainer = get_user_model().objects.get(username=DEMO_TRAINER[0])
        started = time.monotonic()
        cohort = load_demo_cohort(trainer, course, render=render)
        seconds = time.monotonic() - started
        members = cohort.cohort.memberships.count()
        progressed = ", ".join(f"{kind} {count}" for kind, count in sorted(cohort.progressed.items()))
        self.stdout.write(
            f"Demo cohort “{cohort.cohort.name}”: {members} volunteers"
            f" ({cohort.imported} imported now; progress played for: {progressed or 'nobody new'}),"
            f" {cohort.certificates} certificates"
            f" ({cohort.rendered} rendered now, the others by the Celery worker)"
            f" in {seconds:.1f} s."
        )
