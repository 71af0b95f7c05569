from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from npv_site.cohorts.models import TrainingCohort
from npv_site.cohorts.permissions import cohort_permission_policy

# Registered before the viewset asks for a policy, which would otherwise
# create the plain model-level one.
register_permission_policy(TrainingCohort, cohort_permission_policy)


@hooks.register("register_admin_viewset")
def register_training_viewsets():
    from npv_site.cohorts.viewsets import TrainingViewSetGroup

    return TrainingViewSetGroup()


@hooks.register("insert_global_admin_css")
def cohort_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("cohorts/admin.css"))


@hooks.register("construct_homepage_panels")
def add_cohort_completion_panel(request, panels):
    from npv_site.cohorts.panels import CohortCompletionPanel

    panels.append(CohortCompletionPanel())


@hooks.register("courses_my_learning_panels")
def my_invitations_panel(request):
    """The volunteer's unanswered cohort invitations, above their courses on "My learning"."""
    from npv_site.cohorts.invitation_notices import invitation_notices

    invitations = invitation_notices(request.user)
    if not invitations:
        return ""
    return render_to_string(
        "cohorts/includes/my_invitations.html", {"invitations": invitations}, request=request
    )
