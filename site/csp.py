"""Content-Security-Policy: strict on the public site, looser in the admin.

The public pages use no inline script or style, so they get a policy that
allows only this site's own files. Wagtail's admin needs inline styles and
scripts, so paths under the admin prefixes get the policy below instead.
"""

from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

PUBLIC_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

ADMIN_POLICY = {
    "default-src": [SELF],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "frame-src": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [SELF],
    "base-uri": [SELF],
    "object-src": [NONE],
}
ADMIN_PREFIXES = ("/admin/", "/django-admin/")


# What a view can set on its response (django-csp's decorators) to change the
# policy of that response alone.
PER_RESPONSE_POLICY = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)
# The header values, built once per kind of path: django-csp builds them
# afresh for every response (copying the whole policy), a tenth of what a
# one-query request such as the quiz's grade poll costs.
_built_policies: dict[tuple[bool, bool], str] = {}


@receiver(setting_changed)
def _forget_built_policies(**kwargs) -> None:
    _built_policies.clear()


class SiteCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in PER_RESPONSE_POLICY)
        ):
            return super().process_response(request, response)
        # The same headers as django-csp's process_response, from the built values.
        admin = request.path_info.startswith(ADMIN_PREFIXES)
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            key = (admin, report_only)
            if key not in _built_policies:
                parts = self.get_policy_parts(request, response, report_only=report_only)
                _built_policies[key] = build_policy(**asdict(parts), report_only=report_only)
            policy = _built_policies[key]
            excluded = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ())
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if request.path_info.startswith(ADMIN_PREFIXES):
            parts.config = ADMIN_POLICY
        # Images kept in object storage come from the bucket's own address
        # (CSP_MEDIA_ORIGINS, from MEDIA_ORIGINS in production).
        if origins := list(getattr(settings, "CSP_MEDIA_ORIGINS", ())):
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", ()), *origins]
            parts.update = update
        return parts
