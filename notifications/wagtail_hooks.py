from django.template.loader import render_to_string
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from notifications import conf
from notifications.admin_views import DeliveryPolicy, DeliveryViewSet
from notifications.models import Delivery

register_permission_policy(Delivery, DeliveryPolicy(Delivery), exact_class=True)


@hooks.register("register_admin_viewset")
def register_delivery_viewset():
    return DeliveryViewSet("notification_deliveries")


# The learner's on-site notices on My learning, through the courses' extension
# point (courses/templatetags/courses_panels.py).
@hooks.register("courses_my_learning_panels")
def my_notices_panel(request):
    own = Delivery.objects.filter(user=request.user, channel="site")
    notices = list(own.select_related("event").order_by("-created_at")[: conf.on_site_count()])
    if not notices:
        return ""
    for notice in notices:
        notice.user = request.user
    unread = sum(1 for notice in notices if notice.read_at is None)
    return render_to_string(
        "notifications/includes/my_notices.html",
        {
            "notices": [(notice, notice.message()) for notice in notices],
            "unread": unread,
        },
        request=request,
    )
