"""Admin-wide additions that belong to no one capability (the home app is the
site's front; site/ is not an app Wagtail looks for hooks in)."""

from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_css")
def thai_admin_font():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-thai.css"))


@hooks.register("construct_reports_menu")
def hide_site_history_from_non_admins(request, menu_items):
    from home.admin_views import may_read_site_history

    if not may_read_site_history(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]
