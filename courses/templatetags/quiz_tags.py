from django import template

from courses.attempts import quiz_overview
from courses.models.pages import ModuleProgress

register = template.Library()


@register.inclusion_tag("courses/quiz/panel.html", takes_context=True)
def quiz_panel(context, module):
    """The quiz section of a module page: settings, past attempts, and the
    button to start, continue or try again (or why not yet)."""
    request = context["request"]
    # The module page has read its progress already: the lessons left come from it.
    progress = context.get("progress")
    if not (isinstance(progress, ModuleProgress) and progress.module.pk == module.pk):
        progress = None
    return {
        "module": module,
        "overview": quiz_overview(request.user, module, progress=progress),
        "user": request.user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
