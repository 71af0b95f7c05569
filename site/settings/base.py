"""Settings shared by every environment. The defaults are the embedded ones
(SQLite, a broker on the file system) so that a fresh checkout runs as it is."""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from npv_site.csp import PUBLIC_POLICY
from npv_site.env import BASE_DIR, env

PROJECT_DIR = BASE_DIR / "site"
# Runtime files (SQLite database, embedded broker, media) live under var/.
VAR_DIR = Path(env.str("NPV_VAR_DIR", default=str(BASE_DIR / "var")))
# SQLite does not create the folder of its database file.
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "home",
    "courses",
    "npv_site.cohorts",
    "certificates",
    "notifications",
    "npv_site.accounts",
    "npv_site.demo",
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.line",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "npv_site.csp.SiteCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads a query or form: NUL and invalid UTF-8 answer 400.
    "npv_site.bad_input.UnreadableInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Innermost: turns a lost database into a Thai 503 page; axes last, as it asks.
    "npv_site.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Strict on public pages, looser under /admin/ (see npv_site.csp).
CONTENT_SECURITY_POLICY = PUBLIC_POLICY

ROOT_URLCONF = "npv_site.urls"
WSGI_APPLICATION = "npv_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# SQLite in a file under var/ by default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username and address is refused before any password check.
    "axes.backends.AxesStandaloneBackend",
    "npv_site.accounts.backends.VolunteerModelBackend",
    "npv_site.accounts.backends.VolunteerAllauthBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Thai first, English second.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("ไทย")), ("en", _("English"))]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True
# Project strings first, then the Thai completion of Wagtail's admin catalogue.
LOCALE_PATHS = [PROJECT_DIR / "locale", PROJECT_DIR / "locale_admin"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The site's public address (the SITE_URL environment variable): everything built outside
# a request (QR codes, e-mails, claim links) makes absolute URLs from this one value, which
# the plugins read as Wagtail's own setting (courses.conf, certificates.conf).
WAGTAILADMIN_BASE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

WAGTAIL_SITE_NAME = "เน็ตอาสาประชารัฐ e-Learning"
WAGTAIL_I18N_ENABLED = False
# Trainers publish directly; no moderation workflow between them and the volunteers.
WAGTAIL_WORKFLOW_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("th", "ไทย"), ("en", "English")]
WAGTAILADMIN_USER_LOGIN_FORM = "npv_site.accounts.admin_forms.AdminLoginForm"
# No avatars from gravatar.com: the admin loads nothing from other sites (CSP),
# and trainers' e-mail hashes stay here.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Wagtail's database backend, with search text made safe for SQLite's FTS5.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "courses.search.backend"}}
# webm, mp4 and vtt: a video block can play a clip (and its captions) kept on the site.
WAGTAILDOCS_EXTENSIONS = ["pdf", "txt", "csv", "xlsx", "docx", "odt", "pptx", "webm", "mp4", "vtt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# Documents always go through Django, which sends them with nosniff and a
# script-free CSP and checks collection privacy; on object storage Wagtail
# would otherwise redirect to the bucket, which does neither.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# A damaged image file is a form error (npv_site.images, an upstream bug).
WAGTAILIMAGES_IMAGE_FORM_BASE = "npv_site.images.ImageForm"
WAGTAILEMBEDS_RESPONSIVE_HTML = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Accounts (django-allauth). Volunteers sign in with a user name or e-mail;
# e-mail is optional because many village volunteers have none.
LOGIN_URL = "account_login"
# A course page's signup link (the plugins read it, courses/conf.py).
COURSES_SIGNUP_URL = "account_signup"
LOGIN_REDIRECT_URL = "courses:my_learning"
# After sign-up: what to do next and the first lesson in one tap.
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts_welcome"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SIGNUP_FORM_CLASS = "npv_site.accounts.forms.VolunteerSignupForm"
ACCOUNT_FORMS = {"signup": "npv_site.accounts.signup.SignupPage"}
ACCOUNT_ADAPTER = "npv_site.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Re-authentication by password only. allauth 65.22 added re-authentication by a code
# sent by e-mail; no page here asks to re-authenticate, and most volunteers have no
# e-mail, so the code routes answer 403 (tests/test_permission_matrix.py).
ACCOUNT_REAUTHENTICATION_METHODS = ["password"]
# Log in with LINE (allauth's LINE provider), configured from the environment only:
# without a channel id and secret there is no LINE button and the LINE URLs answer 404
# (npv_site.accounts.social_adapter). No token is kept: the profile is read once per login.
# LINE_LOGIN_BOT_PROMPT ("normal" or "aggressive") asks LINE to offer the course's
# official account (linked to the channel in the LINE Developers console) as a friend.
LINE_LOGIN_CHANNEL_ID = env.str("LINE_LOGIN_CHANNEL_ID", default="")
LINE_LOGIN_CHANNEL_SECRET = env.str("LINE_LOGIN_CHANNEL_SECRET", default="")
LINE_LOGIN_BOT_PROMPT = env.str("LINE_LOGIN_BOT_PROMPT", default="normal")
SOCIALACCOUNT_PROVIDERS = {
    "line": {
        # "profile" is what /v2/profile needs; no e-mail (LINE grants it on application only).
        "SCOPE": ["profile"],
        "OAUTH_PKCE_ENABLED": True,
        "AUTH_PARAMS": {"bot_prompt": LINE_LOGIN_BOT_PROMPT} if LINE_LOGIN_BOT_PROMPT else {},
        "APPS": [
            {"client_id": LINE_LOGIN_CHANNEL_ID, "secret": LINE_LOGIN_CHANNEL_SECRET}
        ]
        if LINE_LOGIN_CHANNEL_ID and LINE_LOGIN_CHANNEL_SECRET
        else [],
    }
}
SOCIALACCOUNT_ADAPTER = "npv_site.accounts.social_adapter.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "npv_site.accounts.signup.LineSignupPage"}
# Always the short sign-up: the Thai name and the PDPA consent are the volunteer's to give.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
# Login throttling is django-axes, keyed on account and address together: a
# training room of hundreds behind one NAT address never locks itself out, and
# a guessed password locks one account on one address (login_name resolves an
# e-mail to its account, so name and e-mail share one count). allauth's own per-address
# login limits would lock such a room out, so they are off; signups allow a room.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "npv_site.login_throttling.login_name"
AXES_CLIENT_IP_CALLABLE = "npv_site.login_throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "npv_site.login_throttling.lockout_response"
# Successful logins are not logged: addresses are personal data with no use here.
AXES_DISABLE_ACCESS_LOG = True
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None, "signup": "400/h/ip"}
# Rate limits (courses.ratelimits, counted by django-ratelimit in the cache), set
# far above what people do so that only a runaway script or a scraper meets them.
# The plugins' defaults (courses/conf.py, certificates/conf.py say why each) are the
# site's: quiz limits count per volunteer, never per address (a training room of 311
# shares one NAT address); verification counts per address. Written out here so the
# site's limits read in one place.
COURSES_RATE_LIMITS = {"quiz-answers": "240/m", "quiz-submit": "30/m"}
CERTIFICATES_RATE_LIMITS = {"certificate-verify": "1000/m"}
# The admin's password reset request sends a mail each time: limited as allauth
# limits its own ("reset_password": 20/m/ip, 5/m/key).
ADMIN_RATE_LIMITS = {
    "admin-password-reset-address": "20/m",
    "admin-password-reset-account": "5/m",
}
# A trainer's messages to a cohort (npv_site.cohorts.messaging), counted per trainer.
COHORTS_MESSAGE_RATE_LIMITS = {"cohort-message": "10/h"}
# A counter the cache cannot give back lets the request through.
RATELIMIT_FAIL_OPEN = True
# The client's address behind the proxy, as login throttling sees it.
RATELIMIT_IP_META_KEY = "npv_site.login_throttling.client_ip"
# django_ratelimit is used as a library and is not in INSTALLED_APPS: its app
# adds only system checks, which refuse the embedded default cache (LocMemCache,
# counting per process: right for the one development process) and warn on
# every Redis cache but django-redis's, Django's own included (whose INCR is as
# atomic as the limits need; tests/test_rate_limits.py counts on it).

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="เน็ตอาสาประชารัฐ e-Learning <noreply@localhost>")

# Demo accounts that `make run` creates; production refuses them.
DEMO_ACCOUNTS_ALLOWED = True

# Celery. The default broker keeps messages in files under var/, so nothing
# needs a server; CELERY_BROKER_URL switches to Redis or RabbitMQ.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # kombu waits this long whenever a worker cannot take a message (also
        # while its one prefetched task runs): 1 s by default, which caps a
        # worker at about one task a second.
        "polling_interval": 0.05,
    }
else:
    # An unreachable broker host must fail a publish fast, not hang a request.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# The database is the record of all work; no result backend is needed.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "courses.tasks.*": {"queue": "grading"},
    "certificates.tasks.*": {"queue": "certificates"},
    "notifications.tasks.*": {"queue": "notifications"},
}
# Queues each worker kind consumes; `make run` and the tests start one worker on all.
CELERY_ALL_QUEUES = ("grading", "certificates", "notifications", "default")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Celery closes Django's database connections around every task unless told to
# reuse them: in a training-room burst that is a new PostgreSQL connection per
# grade. Reused for this many tasks (a task that hits a database error closes
# its connection itself, so a retry starts on a fresh one).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
# Publishing from a web request must never hang on a broker that is down:
# fail fast, and let the periodic sweep send the job later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-work": {
        "task": "courses.tasks.sweep_pending_work",
        "schedule": env.int("SWEEP_INTERVAL_SECONDS", default=60),
    },
}
# The plugins' own settings (courses/conf.py, certificates/conf.py say what each does),
# from the environment variables docs/deploying.md lists. Keep the certificate sweep
# above CELERY_TASK_TIME_LIMIT: a render claim younger than it is a render still running.
# The name and village a certificate prints come from the volunteer profile.
COURSES_LEARNER_PROFILE = "npv_site.accounts.learner_profile.volunteer_learner_profile"
# An account from the short sign-up has no profile yet: its certificate waits for it.
COURSES_INCOMPLETE_LEARNERS = "npv_site.accounts.learner_profile.volunteers_without_profile"
COURSES_GRADING_RESEND_AFTER_SECONDS = env.int("GRADING_RESEND_AFTER_SECONDS", default=120)
COURSES_QUIZ_GRACE_SECONDS = env.int("QUIZ_GRACE_SECONDS", default=30)
CERTIFICATES_SWEEP_AFTER_SECONDS = env.int("CERTIFICATE_SWEEP_AFTER_SECONDS", default=120)
# The site's answer to the plugins' "which trainers see which learners": the trainers of a
# training cohort that has the volunteer and the course (courses/trainers.py).
COURSES_TRAINS_LEARNER = "npv_site.cohorts.permissions.trains_volunteer_on_course"
# The site's course is in Thai: on SQLite, keep vowel and tone marks inside the words
# of Wagtail's search table (courses/search/sqlite_fts.py; PostgreSQL needs nothing).
COURSES_SQLITE_THAI_TOKENIZER = True
# Notifications (notifications/conf.py): e-mail and the on-site list; quiet hours
# 21:00–07:00 Bangkok time. A volunteer who consented to the privacy notice at
# sign-up gets e-mail (if they gave an address) until they turn it off.
NOTIFICATIONS_CONSENTED_USERS = "npv_site.accounts.notification_consent.consented_user_ids"
NOTIFICATIONS_NOTICE_VERSION = "2026-11"
# LINE messages (notifications/channels/line.py), on when the environment gives the access
# token of the course's Messaging API channel (LINE Developers console, the same provider as
# the LINE Login channel, so that a LINE login's id is the Messaging API's id); absent, the
# channel is not listed. A volunteer who linked LINE and consented gets LINE messages until
# they turn them off on the notifications page.
LINE_MESSAGING_CHANNEL_ACCESS_TOKEN = env.str("LINE_MESSAGING_CHANNEL_ACCESS_TOKEN", default="")
NOTIFICATIONS_CHANNELS = [
    "notifications.channels.email.EmailChannel",
    "notifications.channels.site.SiteChannel",
    *(["notifications.channels.line.LineChannel"] if LINE_MESSAGING_CHANNEL_ACCESS_TOKEN else []),
]
NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = LINE_MESSAGING_CHANNEL_ACCESS_TOKEN

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "courses": {"level": "INFO"},
        "certificates": {"level": "INFO"},
        "notifications": {"level": "INFO"},
        "npv_site": {"level": "INFO"},
    },
}
