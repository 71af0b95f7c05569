"""Wagtail's site-history report, for site administrators only.

The report lists every log entry of every model the user has any permission
on: a trainer (who may change cohorts) would read the history of every other
trainer's cohort too. Scoping it per cohort would mean re-filtering Wagtail's
union of log models; keeping it from trainers is simpler and holds. A
trainer's own cohort keeps its history screen (scoped to their cohorts).
"""

from django.core.exceptions import PermissionDenied
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView


def may_read_site_history(user) -> bool:
    return user.is_active and user.is_superuser


class SiteHistoryForAdminsView(LogEntriesView):
    def dispatch(self, request, *args, **kwargs):
        if not may_read_site_history(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


site_history = require_admin_access(SiteHistoryForAdminsView.as_view())
site_history_results = require_admin_access(SiteHistoryForAdminsView.as_view(results_only=True))
