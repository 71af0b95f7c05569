import json
import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import CoursePage
from courses.personal_data_registry import collect_personal_data
from courses.progress import courses_progress, learning_overview
from courses.shortcuts import render as courses_render
from courses.signals import learner_profile_changed
from npv_site.accounts.forms import DeleteAccountForm, ProfileForm
from npv_site.accounts.models import PrivacyConsent, VolunteerProfile
from npv_site.accounts.social_adapter import LINE, line_login_enabled


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    instance = VolunteerProfile.objects.filter(user=request.user).first()
    initial = {}
    if instance is None:
        # The short sign-up asked the name: the volunteer confirms it here.
        initial = {"first_name": request.user.first_name, "last_name": request.user.last_name}
    form = ProfileForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        consent=PrivacyConsent.current_for(request.user) if instance is None else None,
    )
    if request.method == "POST" and form.is_valid():
        created = form.creating
        profile = form.save(commit=False)
        profile.user = request.user
        profile.save()
        if created and form.consent is None:
            # Asked on this page (an account whose consent predates the notice
            # in force): kept as the sign-up's is.
            PrivacyConsent.objects.create(
                user=request.user,
                given_at=profile.consented_at,
                notice_version=profile.privacy_notice_version,
            )
        user = request.user
        if (user.first_name, user.last_name) != (profile.first_name, profile.last_name):
            user.first_name, user.last_name = profile.first_name, profile.last_name
            user.save(update_fields=["first_name", "last_name"])
        # A certificate that waited for this profile is issued now.
        learner_profile_changed.send(sender=VolunteerProfile, user_id=user.pk)
        if created:
            messages.success(
                request,
                _("บันทึกข้อมูลแล้ว ถ้าคุณเรียนจบหลักสูตรแล้ว ระบบกำลังจัดทำเกียรติบัตรให้"),
            )
        else:
            messages.success(request, _("บันทึกข้อมูลส่วนตัวแล้ว"))
        return redirect(_safe_next(request) or "accounts_profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "creating": form.creating,
            "next": _safe_next(request),
            "line_account": _line_account(request.user),
            "has_password": request.user.has_usable_password(),
        },
    )


def _line_account(user):
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.filter(user=user, provider=LINE).first()


@login_required
@require_POST
def unlink_line(request):
    """Unlink LINE through allauth's own form and flow (its rule: not the last way
    in, so only with a usable password), back to the profile with a Thai message."""
    from allauth.socialaccount.forms import DisconnectForm

    account = _line_account(request.user)
    if account is None or not line_login_enabled():
        messages.info(request, _("บัญชีนี้ไม่ได้เชื่อมต่อกับ LINE"))
        return redirect("accounts_profile")
    form = DisconnectForm({"account": account.pk}, request=request)
    if form.is_valid():
        form.save()
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("accounts_profile")


def connections(request):
    """allauth's third-party accounts page: the profile page is where LINE is linked."""
    return redirect("accounts_profile")


@login_required
def welcome(request):
    """Where sign-up and a claimed account land: what to do next, and the first
    lesson of each course one tap away (the tap enrols, see the template)."""
    overview = learning_overview(request.user)
    if not overview:
        overview = courses_progress(request.user, list(CoursePage.objects.live().order_by("path")))
    return render(
        request,
        "accounts/welcome.html",
        {
            "course_progress": overview,
            "profile_missing": not VolunteerProfile.objects.filter(user=request.user).exists(),
            # A claimed account, or one made with a password: LINE as a way back in.
            "offer_line": line_login_enabled() and _line_account(request.user) is None,
        },
    )


@login_required
def download_my_data(request):
    data = collect_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


# How long ago a LINE login confirms the deletion of an account without a password
# (allauth's own window for asking a password again, ACCOUNT_REAUTHENTICATION_TIMEOUT).
def _logged_in_with_line_just_now(request) -> bool:
    from allauth.account import app_settings as account_settings
    from allauth.account.internal.flows.login import get_authentication_records

    times = [
        record.get("at", 0)
        for record in get_authentication_records(request, request.user)
        if record.get("method") == "socialaccount" and record.get("provider") == LINE
    ]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT


@login_required
@require_http_methods(["GET", "POST"])
def set_password(request):
    """allauth's page that gives an account its first password. An account
    made with LINE has none, and its password would be a second way in, with
    which the account could be deleted: so while LINE is on, only after a LINE
    login a moment ago, as deleting asks; a phone left logged in cannot."""
    from allauth.account.views import password_set

    user = request.user
    if (
        not user.has_usable_password()
        and line_login_enabled()
        and not _logged_in_with_line_just_now(request)
    ):
        return render(
            request,
            "accounts/confirm_with_line.html",
            {"next_url": request.path},
            status=403 if request.method == "POST" else 200,
        )
    return password_set(request)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    user = request.user
    # Without a password (signed up with LINE) the tick is enough only after
    # a LINE login a moment ago, so a phone left logged in cannot delete the account.
    needs_line = not user.has_usable_password() and not _logged_in_with_line_just_now(request)
    form = DeleteAccountForm(user, None if needs_line else (request.POST or None))
    if request.method == "POST" and not needs_line and form.is_valid():
        logout(request)
        user.delete()
        messages.success(request, _("ลบบัญชีและข้อมูลส่วนตัวของคุณแล้ว"))
        return redirect("/")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "needs_line": needs_line},
        status=403 if needs_line and request.method == "POST" else 200,
    )


def privacy_notice(request):
    return render(request, "accounts/privacy_notice.html")


def too_many_requests(request):
    """handler429 of the URLconf, which allauth renders for its own limits
    (sign-up per address, password reset): the same Thai page as the courses'
    own limits. allauth passes neither a message nor the time left."""
    return courses_render(request, "courses/429.html", {"message": ALLAUTH_TOO_FAST}, status=429)


ALLAUTH_TOO_FAST = gettext_lazy("มีการส่งคำขอจากเครือข่ายนี้ถี่เกินไป ระบบจึงยังไม่ได้ดำเนินการตามคำขอนี้")
