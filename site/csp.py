"""Content-Security-Policy: strict on the public site, looser in the admin.

The public pages use no inline script or style, so they get a policy that
allows only this site's own files. Wagtail's admin needs inline styles and
scripts, so paths under the admin prefixes get the policy below instead.
"""

from urllib.parse import urlsplit

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
        admin = request.path_info.startswith(ADMIN_PREFIXES)
        if admin:
            parts.config = ADMIN_POLICY
        update = dict(parts.update or {})
        # The LINE button posts to the site, which redirects to LINE's authorize
        # page: browsers hold that redirect to form-action too.
        if not admin and (line_origin := _line_authorize_origin()):
            update["form-action"] = [*update.get("form-action", ()), line_origin]
        # Images kept in object storage come from the bucket's own address
        # (CSP_MEDIA_ORIGINS, from MEDIA_ORIGINS in production).
        if origins := list(getattr(settings, "CSP_MEDIA_ORIGINS", ())):
            update["img-src"] = [*update.get("img-src", ()), *origins]
        if update:
            parts.update = update
        return parts


def _line_authorize_origin() -> str | None:
    """The origin of LINE Login's authorize URL, when a LINE channel is configured."""
    # Imported here: the settings import this module before allauth can load.
    from allauth.socialaccount.providers.line.views import LineOAuth2Adapter

    from npv_site.accounts.social_adapter import line_login_enabled

    if not line_login_enabled():
        return None
    url = urlsplit(LineOAuth2Adapter.authorize_url)
    return f"{url.scheme}://{url.netloc}"
