"""Production: every value from the environment; refuse to start without the
ones that have no safe default. docs/deploying.md lists every variable."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from npv_site.env import env

from .base import *  # noqa: F403
from .base import DATABASES, MIDDLEWARE, SECRET_KEY, WAGTAILADMIN_BASE_URL

REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "SITE_URL")
_missing = [name for name in REQUIRED if not env.str(name, default="")]
if not (env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")):
    _missing.append("CACHE_URL (or REDIS_URL)")
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
        + ". See docs/deploying.md."
    )
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only-"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random value of at least 50 characters, e.g. from "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
# Old keys still accepted for sessions and signed links while a new key rolls out.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

DEBUG = False
DEMO_ACCOUNTS_ALLOWED = False

# WhiteNoise serves the collected, hashed and compressed static files; it goes
# right after SecurityMiddleware and the CSP header so that they still apply.
_after = MIDDLEWARE.index("npv_site.csp.SiteCSPMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_after], "whitenoise.middleware.WhiteNoiseMiddleware",
              *MIDDLEWARE[_after:]]
STORAGES = {
    "default": {
        "BACKEND": env.str("MEDIA_STORAGE_BACKEND",
                           default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The address media files are served from when that is not this site (a
# bucket's https://... origin): the Content-Security-Policy must allow it.
CSP_MEDIA_ORIGINS = env.list("MEDIA_ORIGINS", default=[])
# Certificate PDFs are private: a deployment may keep them apart (a private bucket).
if env.str("CERTIFICATE_STORAGE_BACKEND", default=""):
    STORAGES["certificates"] = {
        "BACKEND": env.str("CERTIFICATE_STORAGE_BACKEND"),
        "OPTIONS": env.json("CERTIFICATE_STORAGE_OPTIONS", default={}),
    }

# Persistent connections, checked before reuse: after a database outage the
# next request opens a new connection instead of failing on the dead one.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request within seconds (a 503), before
    # gunicorn's worker timeout would kill it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )

# Django's cache (Redis). Sessions live in the database and are cached, so a
# cache outage logs nobody out; npv_site.cache makes Redis errors cache misses.
CACHES = {
    "default": env.cache_url_config(env.str("CACHE_URL", default="") or env.str("REDIS_URL"))
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "npv_site.cache.FailOpenRedisCache"
CACHES["default"].setdefault("KEY_PREFIX", "npv")
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# nginx (docs/nginx.conf) terminates TLS and appends the client address to
# X-Forwarded-For; set 0 when gunicorn faces the internet directly.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
_site = urlsplit(WAGTAILADMIN_BASE_URL)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"{_site.scheme}://{_site.netloc}"]
)

# E-mail (password resets): smtp+tls://user:password@host:587 (or smtp+ssl://...:465).
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"]
    EMAIL_PORT = _email["EMAIL_PORT"]
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
SERVER_EMAIL = env.str("SERVER_EMAIL", default="root@localhost")
