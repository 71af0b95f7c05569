from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from npv_site.cohorts.permissions import cohort_permission_policy


class CohortAdminMixin(WagtailAdminTemplateMixin):
    """An admin screen about one cohort, which the user must be allowed to
    change: another trainer's cohort is not found (404)."""

    header_icon = "group"
    permission_action = "change"

    def dispatch(self, request, *args, **kwargs):
        policy = cohort_permission_policy
        if not policy.user_has_permission(request.user, self.permission_action):
            raise PermissionDenied
        self.cohort = get_object_or_404(
            policy.instances_user_has_any_permission_for(request.user, [self.permission_action]),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.cohort.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("cohorts:index"), "label": _("รุ่นการอบรม")},
            {"url": reverse("cohorts:edit", args=[self.cohort.pk]), "label": self.cohort.name},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(cohort=self.cohort, **kwargs)
