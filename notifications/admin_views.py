"""Deliveries in the Wagtail admin, for staff: filter by status and channel,
see the error of those that failed. The outbox writes them; nobody edits them."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from notifications.models import Delivery


class DeliveryPolicy(ModelPermissionPolicy):
    """View only; staff with the view permission (or superusers)."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete", "copy"):
            return False
        return super().user_has_permission(user, action)


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = _("การแจ้งเตือน")
    menu_icon = "mail"
    menu_order = 900
    copy_view_enabled = False
    inspect_view_enabled = True
    list_filter = ["status", "channel"]
    list_per_page = 50
    ordering = ["-created_at"]
    search_fields = ["last_error", "event__kind"]
    list_display = [
        Column("event", label=_("เหตุการณ์"), accessor="event_kind"),
        Column("user", label=_("ผู้รับ")),
        Column("channel", label=_("ช่องทาง")),
        StatusTagColumn("status", label=_("สถานะ"), accessor="get_status_display", primary=True),
        Column("tries", label=_("จำนวนครั้งที่ลอง")),
        Column("created_at", label=_("สร้างเมื่อ")),
        Column("last_error", label=_("ข้อผิดพลาดล่าสุด")),
    ]
    inspect_view_fields = [
        "event",
        "user",
        "channel",
        "status",
        "tries",
        "next_try_at",
        "sent_at",
        "last_error",
        "key",
    ]

    form_fields = []

    @property
    def menu_hook(self):
        # Under Reports, beside Wagtail's own: staff read it, nobody edits it.
        return "register_reports_menu_item"

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Delivery.objects.select_related("event", "user"), **kwargs
        )

    def get_urlpatterns(self):
        # Only the list and the inspect view: the outbox writes deliveries.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]
