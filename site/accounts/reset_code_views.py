"""The page where a volunteer without e-mail sets a new password with the
reset code their trainer gave them (npv_site.accounts.reset_codes)."""

from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from npv_site.accounts import reset_code_limits
from npv_site.accounts.forms import ResetCodeForm
from npv_site.accounts.reset_codes import CodeNoLongerValid, check_code, find_user, use_code

LOGIN_BACKEND = "npv_site.accounts.backends.VolunteerModelBackend"


def no_match_message() -> str:
    # One message for an unknown user name, no live code and a wrong code:
    # telling them apart would say which user names exist.
    return _("ชื่อผู้ใช้หรือรหัสไม่ถูกต้อง หรือรหัสหมดอายุแล้ว กรุณาตรวจอีกครั้ง หากยังไม่ได้ ให้ขอรหัสใหม่จากวิทยากรของรุ่น")


@never_cache
@require_http_methods(["GET", "POST"])
def reset_with_code(request):
    return reset_code_limits.remember_browser(request, _reset_with_code(request))


def _page(request, form, problem="", status=200):
    return render(
        request, "accounts/reset_code.html", {"form": form, "problem": problem}, status=status
    )


def _reset_with_code(request):
    form = ResetCodeForm(request.POST or None)
    refused = reset_code_limits.refusal(request)
    if refused is not None:
        message = (
            _("ลองผิดหลายครั้งเกินไป กรุณารอหนึ่งชั่วโมงแล้วลองใหม่ หรือติดต่อวิทยากรของรุ่น")
            if refused == reset_code_limits.BROWSER
            else _("ลองผิดหลายครั้งเกินไปจากเครือข่ายนี้ ระบบจึงหยุดตรวจรหัสชั่วคราว กรุณาติดต่อวิทยากรของรุ่น")
        )
        response = _page(request, ResetCodeForm(), message, 429)
        response["Retry-After"] = str(reset_code_limits.HOUR)
        return response
    if request.method != "POST" or not form.is_valid():
        return _page(request, form, status=400 if request.method == "POST" else 200)

    data = form.cleaned_data
    user = find_user(data["username"])
    record = check_code(user, data["code"])
    if record is None:
        reset_code_limits.count_failure(request)
        return _page(request, form, no_match_message(), 400)
    try:
        # Now against the account itself (a password like the user name).
        password_validation.validate_password(data["password1"], user)
    except ValidationError as error:
        form.add_error("password1", error)
        return _page(request, form, status=400)
    try:
        user = use_code(record, data["password1"])
    except CodeNoLongerValid:
        return _page(request, form, no_match_message(), 400)
    reset_code_limits.forgive_typos(request)
    # The password hash changed, so every other session of the account (its
    # session hash no longer matches) is logged out; this one starts afresh.
    login(request, user, backend=LOGIN_BACKEND)
    messages.success(
        request,
        _("ตั้งรหัสผ่านใหม่เรียบร้อยแล้ว ครั้งต่อไปเข้าสู่ระบบด้วยชื่อผู้ใช้ %(username)s และรหัสผ่านใหม่")
        % {"username": user.get_username()},
    )
    return redirect("courses:my_learning")
