from django import template
from django.utils.translation import gettext_lazy as _

from npv_site.accounts.social_adapter import line_login_enabled

register = template.Library()


@register.inclusion_tag("accounts/line_button.html", takes_context=True)
def line_button(context, process="login", next_url="", label=None):
    """The LINE button (a POST to allauth's LINE login, so no GET starts it),
    or nothing when no LINE channel is configured."""
    return {
        "enabled": line_login_enabled(),
        "csrf_token": context.get("csrf_token"),
        "process": process,
        "next_url": next_url,
        "label": label or _("เข้าสู่ระบบด้วย LINE"),
    }


@register.simple_tag
def line_login_available() -> bool:
    return line_login_enabled()
