"""Extension points a host site (or another plugin) fills on the courses'
pages, Wagtail-style: each function registered with
``@wagtail.hooks.register(NAME)`` returns HTML for its place
(``render_to_string(..., request=request)`` or ``format_html``), or "" for
none. A plain string is escaped, as Django escapes any text not marked safe.

``courses_my_learning_panels`` (request): above the learner's courses on
"My learning" (this site: cohort invitations).
``courses_my_learning_panels_below`` (request): below them (certificates:
the learner's certificates).
``courses_completed_course_panels`` (request, course): on the card of a
course the learner has completed (certificates: its download links).
``courses_course_finished_panels`` (request, course): on the page a learner
sees when they have finished a course, below what they passed (certificates:
the certificate, its number, download and verification link, or that it is
being made).

So courses never include another app's templates: certificates add
themselves from their own wagtail_hooks.py.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from wagtail import hooks

MY_LEARNING_PANELS = "courses_my_learning_panels"
MY_LEARNING_PANELS_BELOW = "courses_my_learning_panels_below"
COMPLETED_COURSE_PANELS = "courses_completed_course_panels"
COURSE_FINISHED_PANELS = "courses_course_finished_panels"

register = template.Library()


def hook_panels(hook_name: str, request, *args) -> SafeString:
    panels = (panel(request, *args) for panel in hooks.get_hooks(hook_name))
    return mark_safe("".join(conditional_escape(html) for html in panels if html))  # noqa: S308


def my_learning_panels(request) -> SafeString:
    return hook_panels(MY_LEARNING_PANELS, request)


@register.simple_tag(takes_context=True, name="my_learning_panels")
def my_learning_panels_tag(context, place: str = "above") -> SafeString:
    hook_name = MY_LEARNING_PANELS_BELOW if place == "below" else MY_LEARNING_PANELS
    return hook_panels(hook_name, context["request"])


@register.simple_tag(takes_context=True)
def completed_course_panels(context, course) -> SafeString:
    return hook_panels(COMPLETED_COURSE_PANELS, context["request"], course)


@register.simple_tag(takes_context=True)
def course_finished_panels(context, course) -> SafeString:
    return hook_panels(COURSE_FINISHED_PANELS, context["request"], course)
