from django import template

from npv_site.cohorts.invitation_notices import invitation_notices

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_cohort_invitations(context):
    """The signed-in volunteer's unanswered invitations, for "My learning"."""
    request = context.get("request")
    return invitation_notices(getattr(request, "user", None))
