"""Content-Security-Policy: strict on the public site, looser in the admin.

The public pages use no inline script or style, so they get a policy that
allows only this site's own files. Wagtail's admin needs inline styles and
scripts, so paths under the admin prefixes get the policy below instead.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

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


class SiteCSPMiddleware(CSPMiddleware):
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
