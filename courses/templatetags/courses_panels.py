"""Extension points a host site fills on the plugins' pages, Wagtail-style.

``courses_my_learning_panels``: each function registered with
``@wagtail.hooks.register("courses_my_learning_panels")`` is called with the
request for "My learning" and returns HTML to show above the learner's courses
(``render_to_string(..., request=request)`` or ``format_html``), or "" for none.
A plain string is escaped, as Django escapes any text that is not marked safe.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from wagtail import hooks

MY_LEARNING_PANELS = "courses_my_learning_panels"

register = template.Library()


def my_learning_panels(request) -> SafeString:
    panels = (panel(request) for panel in hooks.get_hooks(MY_LEARNING_PANELS))
    return mark_safe("".join(conditional_escape(html) for html in panels if html))  # noqa: S308


@register.simple_tag(takes_context=True, name="my_learning_panels")
def my_learning_panels_tag(context) -> SafeString:
    return my_learning_panels(context["request"])
