"""The volunteer's certificates for pages of other apps ("My learning", course
cards), so that those apps never import this one."""

from django import template

from certificates.access import certificates_of
from courses.learners import get_learner_profile

register = template.Library()


def _certificates(context) -> tuple[list, dict]:
    # One query per request, however many course cards ask.
    request = context.get("request")
    holder = request if request is not None else context
    cached = getattr(holder, "_npv_certificates", None)
    if cached is None:
        user = getattr(request, "user", None) or context.get("user")
        certificates = certificates_of(user) if user is not None else []
        by_course = {c.course_id: c for c in certificates if c.course_id is not None}
        cached = (certificates, by_course)
        holder._npv_certificates = cached
    return cached


@register.simple_tag(takes_context=True)
def my_certificates(context):
    """Every certificate of the signed-in volunteer, newest first."""
    return _certificates(context)[0]


@register.simple_tag(takes_context=True)
def certificate_for_course(context, course):
    """The signed-in volunteer's certificate for `course`, or None."""
    return _certificates(context)[1].get(getattr(course, "pk", course))


@register.simple_tag(takes_context=True)
def profile_to_complete(context):
    """The signed-in learner's profile (courses.learners.LearnerProfile) when it
    lacks what a certificate prints, so that the page can send them to
    `complete_url`; None when it is complete. Asked once per request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(request, "_npv_profile_to_complete"):
        profile = get_learner_profile(user)
        request._npv_profile_to_complete = None if profile.is_complete else profile
    return request._npv_profile_to_complete
