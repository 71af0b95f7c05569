"""Public verification and the holder's download."""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, resolve_url
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from certificates import conf
from certificates.access import can_download, download_filename
from certificates.codes import format_code, normalise_code
from certificates.models import Certificate, CertificateEvent, certificate_storage
from courses.ratelimits import PER_ADDRESS, rate_limit
from courses.shortcuts import render

# Names of volunteers stay out of search engines.
NOINDEX = "noindex, nofollow"
# The lookup form and the page share one limit per address (CERTIFICATES_RATE_LIMITS).
VERIFY_LIMIT = "certificate-verify"
TOO_MANY_CHECKS = gettext_lazy("มีการตรวจสอบเกียรติบัตรจากเครือข่ายนี้ถี่เกินไป")


def _verification_response(request, context, status=200):
    response = render(request, "certificates/verify.html", context, status=status)
    response["X-Robots-Tag"] = NOINDEX
    return response


@require_GET
@rate_limit(VERIFY_LIMIT, rates=conf.rate_limits, key=PER_ADDRESS, message=TOO_MANY_CHECKS)
def verify(request, code: str):
    canonical = normalise_code(code)
    if canonical is None:
        return _verification_response(request, {"state": "malformed", "code": code}, status=400)
    certificate = (
        Certificate.objects.select_related("current_version").filter(code=canonical).first()
    )
    if certificate is None:
        return _verification_response(
            request, {"state": "unknown", "code": format_code(canonical)}, status=404
        )
    if code != certificate.display_code:
        # Typed in lower case or without dashes: one address per certificate.
        return redirect(certificate.get_absolute_url())
    events = [
        event
        for event in certificate.events.all()
        if event.kind in (CertificateEvent.Kind.ISSUED, CertificateEvent.Kind.REISSUED)
    ]
    return _verification_response(
        request,
        {
            "state": certificate.status,
            "certificate": certificate,
            "version": certificate.current_version,
            "reissues": [e for e in events if e.kind == CertificateEvent.Kind.REISSUED],
        },
    )


@require_GET
@rate_limit(VERIFY_LIMIT, rates=conf.rate_limits, key=PER_ADDRESS, message=TOO_MANY_CHECKS)
def verify_lookup(request):
    """A form for a code read out over the phone."""
    typed = request.GET.get("code", "").strip()
    error = ""
    if typed:
        canonical = normalise_code(typed)
        if canonical is not None:
            return redirect("certificates:verify", format_code(canonical))
        error = _("รหัสตรวจสอบมี 16 ตัวอักษร (ตัวเลขและอักษรอังกฤษ) เช่น 7KQ4-M2XD-9H3B-TWZE")
    response = render(request, "certificates/verify_lookup.html", {"typed": typed, "error": error})
    response["X-Robots-Tag"] = NOINDEX
    return response


def _content_disposition(filename: str, fallback: str) -> str:
    # RFC 6266 with the RFC 5987 UTF-8 form for the Thai name, and a plain
    # ASCII name for clients that know only the old form.
    encoded = quote(filename, safe="!#$&+^`|")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


@require_GET
@cache_control(private=True, no_store=True)
def download(request, code: str):
    canonical = normalise_code(code)
    if not request.user.is_authenticated:
        login = resolve_url(settings.LOGIN_URL) + "?next=" + escape_uri_path(request.path)
        return render(request, "certificates/login_required.html", {"login_url": login}, status=403)
    certificate = (
        Certificate.objects.select_related("current_version").filter(code=canonical).first()
        if canonical
        else None
    )
    # Someone else's certificate looks the same as no certificate.
    if certificate is None or not can_download(request.user, certificate):
        raise Http404
    version = certificate.current_version
    if version is None or not version.pdf:
        response = render(
            request, "certificates/not_ready.html", {"certificate": certificate}, status=503
        )
        response["Retry-After"] = "60"
        return response
    storage = certificate_storage()
    try:
        handle = storage.open(version.pdf.name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="application/pdf")
    response.block_size = 64 * 1024
    response["Content-Disposition"] = _content_disposition(
        download_filename(certificate), f"certificate-{certificate.number}.pdf"
    )
    if version.pdf_size:
        response["Content-Length"] = str(version.pdf_size)
    return response
