"""The admin home panel: a trainer's cohorts and how far their volunteers are."""

from wagtail.admin.ui.components import Component

from npv_site.cohorts.models import TrainingCohort
from npv_site.cohorts.reports import cohort_completion

# Enough for a trainer's current cohorts; all of them are in the cohort list.
PANEL_COHORTS = 10


class CohortCompletionPanel(Component):
    name = "training_cohorts"
    template_name = "cohorts/reports/dashboard_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        user = parent_context["request"].user
        # Only the cohorts the user trains: an administrator's home page is not
        # filled with every cohort in the country.
        cohorts = TrainingCohort.objects.filter(trainers=user).order_by("-start_date", "name")
        context["cohorts"] = list(cohort_completion(cohorts)[:PANEL_COHORTS])
        return context
