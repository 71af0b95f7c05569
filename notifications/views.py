"""The volunteer's notification pages: preferences, the notices list, marking
read, and the one-click unsubscribe of a message (no login: its token is signed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from courses.shortcuts import render
from notifications.channels import all_channels
from notifications.forms import PreferencesForm
from notifications.models import Delivery, QuietHoursChoice
from notifications.preferences import is_opted_in, set_choice, set_quiet_hours, unsubscribe
from notifications.unsubscribe import read_token


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    channels = [c for c in all_channels().values() if c.reaches(request.user)]
    allowed = QuietHoursChoice.objects.filter(
        user=request.user, allow_during_quiet_hours=True
    ).exists()
    initial = {f"channel_{c.name}": is_opted_in(request.user, c.name) for c in channels}
    initial["allow_during_quiet_hours"] = allowed
    form = PreferencesForm(request.POST or None, channels=channels, initial=initial)
    if request.method == "POST" and form.is_valid():
        for channel in channels:
            chosen = form.cleaned_data[f"channel_{channel.name}"]
            if chosen != initial[f"channel_{channel.name}"]:
                set_choice(request.user, channel.name, chosen)
        if form.cleaned_data["allow_during_quiet_hours"] != allowed:
            set_quiet_hours(request.user, form.cleaned_data["allow_during_quiet_hours"])
        messages.success(request, _("บันทึกการแจ้งเตือนแล้ว"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def notices(request):
    notices = (
        Delivery.objects.filter(user=request.user, channel="site")
        .select_related("event")
        .order_by("-created_at")[:50]
    )
    notices = list(notices)
    for notice in notices:
        notice.user = request.user
    return render(
        request,
        "notifications/notices.html",
        {"notices": [(notice, notice.message()) for notice in notices]},
    )


@login_required
@require_POST
def mark_read(request):
    Delivery.objects.filter(user=request.user, channel="site", read_at__isnull=True).update(
        read_at=timezone.now()
    )
    target = request.POST.get("next", "")
    # Back to the page the button was on (a path of this site), never to another
    # site; anything else goes to the list (redirect() would take it for a view name).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("notifications:notices")


# A mail program's one-click POST carries no CSRF token and no session
# (RFC 8058); the signed token is what authorises it. Only this view is exempt.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, token):
    found = read_token(token)
    if found is None or found[1] not in all_channels():
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    user, channel_name = found
    channel = all_channels()[channel_name]
    if request.method == "POST":
        unsubscribe(user, channel_name)
        return render(request, "notifications/unsubscribed.html", {"channel": channel})
    return render(
        request, "notifications/unsubscribe_confirm.html", {"channel": channel, "token": token}
    )
