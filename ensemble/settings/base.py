"""Settings shared by every environment. Environment variables override what varies."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ENSEMBLE_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "modeltranslation",  # before admin, as its documentation asks
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search fields; harmless on SQLite
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ensemble.core",
    "ensemble.accounts",
    "ensemble.directory",
    "ensemble.listings",
    "ensemble.memberships",
    "ensemble.campaigns",
    "ensemble.events",
    "ensemble.stats",
    "ensemble.billing",
    "ensemble.claims",
    "ensemble.publishing",
    "ensemble.guide",
    "ensemble.screens",
    "ensemble.datatourisme",
    "ensemble.api",
    "ensemble.backoffice",
    "ensemble.portal",
    "ensemble.public",
    "ensemble.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ensemble.core.middleware.OfficeMiddleware",
    "ensemble.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "ensemble.urls"
WSGI_APPLICATION = "ensemble.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ensemble" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ensemble.core.context_processors.office",
            ],
        },
    },
]


def database_config() -> dict:
    """SQLite under var/ by default; DATABASE_URL=postgres://… switches to PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(url)
        config["CONN_MAX_AGE"] = 0  # the pool owns connection reuse
        config["OPTIONS"] = {
            "pool": {"min_size": 2, "max_size": 10, "timeout": 10},
            # Web requests read a page of rows: parallel workers cost more to start (8-14 ms)
            # than they save (the bench measured 1.4 ms without them; docs/benchmarks.md).
            "options": "-c max_parallel_workers_per_gather=0",
        }
        return config
    name = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else VAR_DIR / "ensemble.db"
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        # Keep each thread's connection: opening one runs the PRAGMAs and starts with a cold page
        # cache (1.6 ms against 0.3 ms for a query on an open one; docs/benchmarks.md, fix 6).
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
        },
    }


DATABASES = {"default": database_config()}

# `pages`: the public pages and API answers anonymous visitors read, kept a minute
# (core.page_cache; 0 seconds turns it off). Per process, bounded: about 1,000 pages of 20-60 kB.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PUBLIC_PAGE_CACHE_ENTRIES", "1000"))},
    },
}
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "60"))
# Visitors' views, clicks and impressions are written together at most this often (stats.buffering).
VISIBILITY_FLUSH_SECONDS = float(os.environ.get("VISIBILITY_FLUSH_SECONDS", "5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: e-mail is the login; staff may enable TOTP.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ALLOW_REGISTRATION = False  # partners get their login through the join form
ACCOUNT_ADAPTER = "ensemble.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
# Partners may also log in with a one-time code e-mailed to them (it verifies the address);
# allauth's rate limits (login, failed logins, code requests) stay at their defaults.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Ensemble"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English")), ("nl", _("Nederlands"))]
UI_LANGUAGES = ("fr", "en")
LOCALE_PATHS = [BASE_DIR / "ensemble" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "ensemble" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Ensemble <no-reply@ensemble.localhost>")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # WeasyPrint and fontTools narrate every render at INFO: the worker keeps their warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The public map (Leaflet): tile server URL ({z}/{x}/{y}, optionally {s}) and its attribution (HTML
# allowed, it comes from here). Its origin is added to the directory page's CSP img-src. An empty URL
# draws the markers without a background.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_ATTRIBUTION = os.environ.get(
    "MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
# The host named in the legal notices (name, address, phone), as the law asks (LCEN art. 6).
HOSTING_PROVIDER = os.environ.get("HOSTING_PROVIDER", "")

# Absolute links in e-mails (activation, espace pro).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Jobs the `scheduler` command enqueues once a day.
DAILY_TASKS = [
    "ensemble.memberships.tasks.close_due_memberships_task",
    "ensemble.billing.tasks.expire_quotes_task",
    "ensemble.billing.tasks.send_invoice_reminders_task",
    "ensemble.campaigns.tasks.flag_overdue_campaign_targets_task",
    "ensemble.campaigns.tasks.send_campaign_reminders_task",
]

# django-modeltranslation: listings' public content in FR, EN, NL; French is the source and the
# fallback shown when a translation is missing.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en", "nl")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)
