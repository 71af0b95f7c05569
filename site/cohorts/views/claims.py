"""The public claim pages: a volunteer enters (or follows a link with) the
code from their slip, confirms their name, chooses a user name and password,
gives PDPA consent, and is logged in."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from npv_site.cohorts import claim_limits
from npv_site.cohorts.claims import (
    AlreadyClaimed,
    ClaimState,
    claim_account,
    find_claim,
    format_code,
)
from npv_site.cohorts.forms import ClaimAccountForm, ClaimCodeForm

LOGIN_BACKEND = "npv_site.accounts.backends.VolunteerModelBackend"


def _state_message(state: ClaimState) -> str:
    return {
        ClaimState.UNKNOWN: _(
            "ไม่พบรหัสนี้ กรุณาตรวจตัวเลขทั้ง 12 หลักบนใบรับบัญชีอีกครั้ง หากยังไม่ได้ ให้ติดต่อวิทยากรของรุ่น"
        ),
        ClaimState.USED: _(
            "รหัสนี้ถูกใช้รับบัญชีไปแล้ว หากเป็นบัญชีของคุณ ให้เข้าสู่ระบบด้วยชื่อผู้ใช้และรหัสผ่านที่ตั้งไว้ "
            "หากคุณไม่ได้เป็นผู้รับ ให้แจ้งวิทยากรของรุ่นทันที"
        ),
        ClaimState.EXPIRED: _("รหัสนี้หมดอายุแล้ว กรุณาขอรหัสใหม่จากวิทยากรของรุ่น"),
        ClaimState.OWNED: _(
            "บัญชีนี้ตั้งรหัสผ่านไว้แล้ว รหัสรับบัญชีจึงใช้ไม่ได้อีก ให้เข้าสู่ระบบด้วยรหัสผ่าน "
            "หรือใช้ “ลืมรหัสผ่าน” หากจำไม่ได้ ให้ติดต่อวิทยากรของรุ่น"
        ),
    }[state]


def _refuse(request, form, message, status):
    return render(
        request, "cohorts/claim_start.html", {"form": form, "problem": message}, status=status
    )


@never_cache
@require_http_methods(["GET", "POST"])
def claim_start(request):
    form = ClaimCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return redirect("claim_account", form.cleaned_data["code"])
    return render(request, "cohorts/claim_start.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def claim_account_view(request, code):
    return claim_limits.remember_browser(request, _claim_account(request, code))


def _claim_account(request, code):
    code_form = ClaimCodeForm(initial={"code": format_code(code)})
    refused = claim_limits.refusal(request)
    if refused == claim_limits.BROWSER:
        response = _refuse(
            request,
            code_form,
            _("ใส่รหัสผิดหลายครั้งเกินไป กรุณารอหนึ่งชั่วโมงแล้วลองใหม่ หรือติดต่อวิทยากรของรุ่น"),
            429,
        )
        response["Retry-After"] = str(claim_limits.HOUR)
        return response
    if refused == claim_limits.ADDRESS:
        # Counted over a week: waiting an hour would not help, the trainer can.
        response = _refuse(
            request,
            code_form,
            _(
                "ใส่รหัสผิดหลายครั้งเกินไปจากเครือข่ายนี้ ระบบจึงหยุดตรวจรหัสชั่วคราว "
                "กรุณาติดต่อวิทยากรของรุ่น"
            ),
            429,
        )
        response["Retry-After"] = str(claim_limits.HOUR)
        return response
    lookup = find_claim(code)
    if lookup.state != ClaimState.VALID:
        if lookup.state == ClaimState.UNKNOWN:
            claim_limits.count_wrong_code(request)
        return _refuse(
            request,
            code_form,
            _state_message(lookup.state),
            404 if lookup.state == ClaimState.UNKNOWN else 410,
        )

    claim = lookup.claim
    user = claim.user
    profile = getattr(user, "volunteer_profile", None)
    initial = {}
    if profile is not None:
        initial = {
            "title": profile.title,
            "title_other": profile.title_other,
            "first_name": profile.first_name,
            "last_name": profile.last_name,
        }
    form = ClaimAccountForm(user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = claim_account(
                claim,
                username=data["username"],
                password=data["password1"],
                title=data["title"],
                title_other=data["title_other"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except AlreadyClaimed:
            # Used meanwhile, or a password was set meanwhile: say which.
            state = find_claim(code).state
            if state != ClaimState.USED:
                state = ClaimState.OWNED
            return _refuse(request, code_form, _state_message(state), 410)
        claim_limits.forgive_typos(request)
        login(request, user, backend=LOGIN_BACKEND)
        messages.success(
            request,
            _("รับบัญชีเรียบร้อยแล้ว ครั้งต่อไปเข้าสู่ระบบด้วยชื่อผู้ใช้ %(username)s")
            % {"username": user.get_username()},
        )
        # The cohort's courses are the account's already: the welcome page
        # opens the first lesson in one tap, as after a sign-up.
        return redirect("accounts_welcome")
    return render(
        request,
        "cohorts/claim_account.html",
        {
            "form": form,
            "name_fields": [
                form[name] for name in ("title", "title_other", "first_name", "last_name")
            ],
            "login_fields": [form[name] for name in ("username", "password1", "password2")],
            "profile": profile,
            "code": format_code(claim.code),
        },
    )
