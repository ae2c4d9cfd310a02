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
    "ensemble.privacy",  # RGPD: export, erasure, retention (issue 10)
    "ensemble.api",
    "ensemble.backoffice",
    "ensemble.portal",
    "ensemble.public",
    "ensemble.demo",
]

MIDDLEWARE = [
    # Observability (issue 11, item 7): every answer, refusals included, gets a request id, an
    # access-log line and its count; they read headers only, never the body.
    "ensemble.core.request_id.RequestIdMiddleware",
    "ensemble.core.metrics.MetricsMiddleware",
    "ensemble.core.upload_limits.RequestBodyLimitMiddleware",  # refuses before anything reads the body
    # The probes and /metrics, answered before anything reads the database (core.health).
    "ensemble.core.health.EarlyEndpointsMiddleware",
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
    "ensemble.accounts.sessions.StaffSessionMiddleware",
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
        # The pool checks a connection before lending it (an empty query, one round trip): after
        # PostgreSQL restarts, the next request gets a fresh connection instead of a dead one.
        config["CONN_HEALTH_CHECKS"] = True
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


# --- Logins and public forms that resist abuse (issue 10, item 4) -------------------------------
def shared_cache_config() -> dict:
    """The cache every process shares: Redis when REDIS_URL is set (redis://host:6379/0), else
    Django's database cache (table created by `manage.py createcachetable`, run by `make migrate`)."""
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    return {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ensemble_cache",
        # Django culls a third of the table past MAX_ENTRIES (300 by default), live counters
        # included: a flood of addresses could then wipe the limits. Keep room for them.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("SHARED_CACHE_ENTRIES", "50000"))},
    }


# The real client address (ensemble.core.client_ip): how many reverse proxies of ours stand in
# front of Django (the client is that many entries from the right of X-Forwarded-For), or which
# addresses/networks they use (comma-separated). Neither: REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
# allauth reads its own setting; the account adapter also asks core.client_ip, so both agree.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Our public forms (ensemble.core.ratelimit): "amount/period/per" rules, per client address (ip),
# typed e-mail (email) or object (key: the quote's token). Every POST counts, valid or not.
RATE_LIMITS = {
    # The join form: a person retrying after typing errors passes; 8 accounts in a row do not.
    "join": "6/h/ip,20/d/ip,4/h/email",
    # The quote link's accept/decline: a partner decides once; a few retries allowed.
    "quote_decision": "30/h/ip,10/h/key",
    # Balad'Enigm codes: a visitor types one or two; guessing needs thousands.
    "gift_code": "20/h/ip",
}
# allauth's limits (login, codes, resets), written out instead of its defaults so they are
# documented here; "key" is the e-mail typed (or the account, for second-factor codes).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",  # every login POST
    "login_failed": "10/m/ip,5/5m/key",  # wrong passwords, and wrong TOTP codes per account
    "request_login_code": "10/h/ip,3/h/key",  # each sends an e-mail
    "reset_password": "10/h/ip,3/h/key",  # each sends an e-mail
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",  # re-sending the verification e-mail
    "signup": "20/m/ip",  # closed (ACCOUNT_ALLOW_REGISTRATION), kept in case
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "manage_email": "10/m/user",
    "change_phone": "1/m/user",
    "verify_phone": "1/30s/key,3/m/ip",
}
# The Django admin (/admin/): logs in through allauth (same limits, same second factor). Off:
# not mounted at all (the production settings turn it off unless ADMIN_ENABLED=1).
ADMIN_ENABLED = os.environ.get("ADMIN_ENABLED", "1") == "1"
# --- end of logins and public forms ---------------------------------------------------------------


def pages_cache_config(redis_url: str, directory: Path) -> dict:
    """The public pages and API answers (core.page_cache), shared by every process: Redis when
    REDIS_URL is set (beside `default`, under its own key prefix: never `clear()` it, that would
    flush the whole Redis database), else files in `directory` that every process of the machine
    reads (docs/decisions.md, part 6). Bounded by PUBLIC_PAGE_CACHE_ENTRIES files (pages of
    5-15 kB compressed); Redis is bounded by its own maxmemory."""
    if redis_url:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "pages",
        }
    return {
        "BACKEND": "ensemble.core.page_cache.FileCache",
        "LOCATION": str(directory),
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PUBLIC_PAGE_CACHE_ENTRIES", "20000"))},
    }


# `default` is shared by every process of the deployment: rate limits, allauth's login limits
# (see "Logins and public forms that resist abuse" above) and sessions (below).
# `pages`: the public pages and API answers anonymous visitors read, keyed by their office's
# content version and the date, so kept for hours (core.page_cache; 0 seconds turns it off).
CACHES = {
    "default": shared_cache_config(),
    "pages": pages_cache_config(os.environ.get("REDIS_URL", ""), VAR_DIR / "cache" / "pages"),
}
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", str(6 * 3600)))
# Sessions are read from the shared cache and written through to the database: two app servers
# agree, a logout ends the session everywhere at once, and a cache that loses them (a Redis
# restart) only costs a database read.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "default"
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
# allauth's rate limits: ACCOUNT_RATE_LIMITS above.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# --- Staff roles and second factor (accounts.roles, backoffice.access) ---
# Roles that touch money, exports, settings or staff must meet TOTP (an office may require it of
# everyone). The test settings turn the check off for the suite's force_login; the tests of the
# second factor turn it back on.
STAFF_MFA_ENFORCED = os.environ.get("STAFF_MFA_ENFORCED", "1") == "1"
# A staff session ends after this long without a request, and after this long in all.
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", str(2 * 3600)))
STAFF_SESSION_MAX_AGE_SECONDS = int(os.environ.get("STAFF_SESSION_MAX_AGE_SECONDS", str(12 * 3600)))
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
# Files served at the site's root by WhiteNoise, before any view: /favicon.ico (browsers ask for it
# on every page, whatever the page links to), on every office's host name too.
WHITENOISE_ROOT = BASE_DIR / "ensemble" / "root"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "ensemble.core.private_files.PrivateFileSystemStorage"},
}
# --- Private documents (issue 10) ---------------------------------------------------------------
# `default` (MEDIA_ROOT, MEDIA_URL) holds published listing photos only. Invoices, the print guide,
# claim banners and the image bank go to the `private` storage, which has no URL: views that check
# who asks serve them (ensemble.core.private_files.serve_private_file).
PRIVATE_ROOT = VAR_DIR / "private"
# Behind nginx, e.g. "/_private/": nginx sends the bytes from an `internal` location aliased to
# PRIVATE_ROOT (docs/deployment.md). Empty: the Django process streams them.
PRIVATE_FILES_ACCEL_REDIRECT_PREFIX = os.environ.get("PRIVATE_FILES_ACCEL_REDIRECT_PREFIX", "")
# With an S3-compatible private bucket: how long a presigned download URL lives.
PRIVATE_FILES_URL_SECONDS = 60
# --- end of private documents -------------------------------------------------------------------

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# /healthz/queue/ answers 503 when a task has waited longer than this (no worker takes the work).
TASK_QUEUE_MAX_WAIT_SECONDS = int(os.environ.get("TASK_QUEUE_MAX_WAIT_SECONDS", "300"))
# `manage.py worker` (core.worker): a running task's lease, renewed every third of it by a
# heartbeat; once expired, the task is handed to another worker. Failed tasks are retried after
# TASK_RETRY_BACKOFF_SECONDS × 4^(attempt − 1), TASK_MAX_ATTEMPTS attempts in all (an e-mail too).
TASK_LEASE_SECONDS = int(os.environ.get("TASK_LEASE_SECONDS", "60"))
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "5"))
TASK_RETRY_BACKOFF_SECONDS = int(os.environ.get("TASK_RETRY_BACKOFF_SECONDS", "30"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
# The SMTP server when EMAIL_BACKEND is SMTP's (production's default); Django reads no environment.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
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

# Readable lines here (development, tests); the production settings write JSON to stdout. The
# filter adds the request id, the office and the user id (core.request_id) to every record;
# `ensemble.access` writes one line per request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "ensemble.core.request_id.RequestContextFilter"}},
    "formatters": {
        "readable": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "ensemble.core.request_id.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": "readable",
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    # WeasyPrint and fontTools narrate every render at INFO: the worker keeps their warnings only.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# /metrics answers `Authorization: Bearer <METRICS_TOKEN>`; empty, it answers 404 (core.views).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

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
    # Publication snapshots of partners whose season starts today (publishing.services).
    "ensemble.publishing.tasks.refresh_starting_seasons_task",
    "ensemble.billing.tasks.expire_quotes_task",
    "ensemble.billing.tasks.send_invoice_reminders_task",
    "ensemble.campaigns.tasks.flag_overdue_campaign_targets_task",
    "ensemble.campaigns.tasks.send_campaign_reminders_task",
    # RGPD retention (issue 10): e-mail bodies, IP addresses, finished task results.
    "ensemble.privacy.tasks.apply_retention_task",
    "ensemble.core.tasks.clear_expired_sessions_task",  # Django's clearsessions
]

# --- uploads (issue 10, item 5) ---------------------------------------------------------------------
# A request body longer than this is refused with 413 before it is read (core.upload_limits); set
# nginx's `client_max_body_size` to the same value. Above the largest single upload (an image: 10 MB,
# a DATAtourisme import: 20 MB) plus the form around it.
MAX_REQUEST_BODY_BYTES = int(os.environ.get("MAX_REQUEST_BODY_BYTES", str(25 * 1024 * 1024)))
# Form fields (not files) kept in memory, and files held in memory before they spill to a temporary
# file: Django's defaults, written down so they are a choice.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Images are refused above this many pixels, checked from the header before decoding (core.images).
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", "40000000"))
# Photos per listing, counting those awaiting the office's validation (listings.services.photos).
LISTING_MAX_PHOTOS = int(os.environ.get("LISTING_MAX_PHOTOS", "20"))
# --- end of uploads ----------------------------------------------------------------------------------

# django-modeltranslation: public content in FR, EN, NL; French is the source. A missing
# translation falls back in this order (the office's choice: a Dutch visitor reads English
# before French). Every reader goes through `ensemble.core.languages`, which reads this order.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en", "nl")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("fr",), "nl": ("en", "fr"), "en": ("fr",)}

# Backups (issue 11, item 3): `manage.py backup --to DIR` keeps this many newest archives in DIR.
BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
