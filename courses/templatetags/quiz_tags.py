from django import template

from courses.attempts import quiz_overview

register = template.Library()


@register.inclusion_tag("courses/quiz/panel.html", takes_context=True)
def quiz_panel(context, module):
    """The quiz section of a module page: settings, past attempts, and the
    button to start, continue or try again (or why not yet)."""
    request = context["request"]
    return {
        "module": module,
        "overview": quiz_overview(request.user, module),
        "user": request.user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
