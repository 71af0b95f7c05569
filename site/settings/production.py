"""Production: every value from the environment; refuse to start without the
ones that have no safe default."""

from django.core.exceptions import ImproperlyConfigured

from npv_site.env import env

from .base import *  # noqa: F403

_missing = [
    name
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "SITE_URL")
    if not env.str(name, default="")
]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
    )

DEBUG = False
# WhiteNoise serves the collected, hashed and compressed static files.
MIDDLEWARE = [
    MIDDLEWARE[0],  # noqa: F405  (SecurityMiddleware stays first)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
DEMO_ACCOUNTS_ALLOWED = False
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE_BACKEND",
                               default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
