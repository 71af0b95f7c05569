import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from courses.personal_data_registry import collect_personal_data
from courses.shortcuts import render as courses_render
from npv_site.accounts.forms import DeleteAccountForm, ProfileForm
from npv_site.accounts.models import VolunteerProfile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    instance = VolunteerProfile.objects.filter(user=request.user).first()
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        profile.user = request.user
        profile.save()
        messages.success(request, _("บันทึกข้อมูลส่วนตัวแล้ว"))
        return redirect("accounts_profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def download_my_data(request):
    data = collect_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.delete()
        messages.success(request, _("ลบบัญชีและข้อมูลส่วนตัวของคุณแล้ว"))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


def privacy_notice(request):
    return render(request, "accounts/privacy_notice.html")


def too_many_requests(request):
    """handler429 of the URLconf, which allauth renders for its own limits
    (sign-up per address, password reset): the same Thai page as the courses'
    own limits. allauth passes neither a message nor the time left."""
    return courses_render(request, "courses/429.html", {"message": ALLAUTH_TOO_FAST}, status=429)


ALLAUTH_TOO_FAST = gettext_lazy("มีการส่งคำขอจากเครือข่ายนี้ถี่เกินไป ระบบจึงยังไม่ได้ดำเนินการตามคำขอนี้")
