"""The demo trainer's first visit, in headless Chromium at a desk: after
`load_demo_course` (what `make run` loads) the demo cohort's row has its tools
as buttons, and its report shows the Chumphon session's real figures (311
volunteers, some finished with certificates, some halfway, some not started),
as a trainer sees them on the first visit. Its screenshot is the README's
picture of the cohort report.

Screenshots go to test-artifacts/screenshots/<test>/."""

import io
import re

import pytest
from django.core.management import call_command

from certificates.models import Certificate
from npv_site.cohorts.models import TrainingCohort
from npv_site.demo.cohort import COHORT_NAME
from npv_site.demo.loader import DEMO_TRAINER
from tests.browser import admin_log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_demo_trainer_opens_the_demo_cohorts_report_with_real_figures(desktop, screenshot):
    from playwright.sync_api import expect

    call_command("load_demo_course", stdout=io.StringIO())
    cohort = TrainingCohort.objects.get(name=COHORT_NAME)
    certified = Certificate.objects.filter(user__cohort_memberships__cohort=cohort).count()
    assert certified > 0

    page = desktop
    admin_log_in(page, *DEMO_TRAINER)

    page.goto("/admin/cohorts/")
    row = page.locator("tr", has_text=COHORT_NAME)
    expect(row.get_by_role("link", name=re.compile("รายงาน"))).to_be_visible()
    screenshot(page, "01-cohort-listing", full_page=False)
    row.get_by_role("link", name=re.compile("รายงาน")).first.click()
    page.wait_for_url(f"**/admin/cohorts/{cohort.pk}/report/**")

    totals = page.locator("tr", has_text="รวม").first
    cells = [text.strip() for text in totals.locator("td, th").all_inner_texts()]
    figures = [int(text) for text in cells if text.isdigit()]
    # Volunteers and enrolled first, certificates last: the demo's spread, not zeros.
    assert figures[0] == figures[1] == 311
    assert figures[-1] == certified
    assert 0 < figures[-1] < figures[2] < 311  # certified < started < everyone
    # The per-person table has ticks for those who passed and dashes for those who did not.
    assert page.locator("table svg[role='img']").count() > 0
    screenshot(page, "02-demo-cohort-report", full_page=False)
