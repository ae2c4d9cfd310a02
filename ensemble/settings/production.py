"""Production: every secret and host comes from the environment."""

import importlib.util
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production (deploy/ensemble.env.example "
        "lists every setting). For development, use `make run` or set "
        "DJANGO_SETTINGS_MODULE=ensemble.settings.dev."
    )
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "private": {"BACKEND": "ensemble.core.private_files.PrivateFileSystemStorage"},
}
# --- Private documents (issue 10) ---------------------------------------------------------------
# An S3-compatible bucket, when PRIVATE_STORAGE_BUCKET is set: a private bucket (no public ACL),
# every download a presigned URL of PRIVATE_FILES_URL_SECONDS. Needs `pip install
# "django-storages[s3]"` (not a default dependency: the local folder is the default).
PRIVATE_STORAGE_BUCKET = os.environ.get("PRIVATE_STORAGE_BUCKET", "")
if PRIVATE_STORAGE_BUCKET:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            'PRIVATE_STORAGE_BUCKET needs django-storages: pip install "django-storages[s3]".'
        )
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PRIVATE_STORAGE_BUCKET,
            "endpoint_url": os.environ.get("PRIVATE_STORAGE_ENDPOINT_URL") or None,
            "region_name": os.environ.get("PRIVATE_STORAGE_REGION") or None,
            "access_key": os.environ.get("PRIVATE_STORAGE_ACCESS_KEY_ID", ""),
            "secret_key": os.environ.get("PRIVATE_STORAGE_SECRET_ACCESS_KEY", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": PRIVATE_FILES_URL_SECONDS,  # noqa: F405
            "file_overwrite": False,
        },
    }
# --- end of private documents -------------------------------------------------------------------

# --- Logins and public forms that resist abuse (issue 10, item 4) -------------------------------
# The Django admin is not mounted in production unless asked for (it then logs in through allauth,
# with the same limits and second factor as everyone).
ADMIN_ENABLED = os.environ.get("ADMIN_ENABLED", "0") == "1"
# --- end of logins and public forms ---------------------------------------------------------------

# --- Observability (issue 11, item 7; docs/observability.md) ------------------------------------
# One JSON object a line on stdout, which journald keeps; request id, office and user id on each.
LOGGING = {  # noqa: F405
    **LOGGING,  # noqa: F405
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_context"],
            "formatter": "json",
        }
    },
}
# Error reports to Sentry (or a compatible service: GlitchTip, Bugsink) when SENTRY_DSN is set.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        # sentry-sdk 3 replaced `send_default_pii=False` by this table, and collects by default
        # more than 2.x did without PII: the user (id, e-mail, IP address), cookies, bodies. Off:
        # a report names the request id (a tag), and the JSON logs say who it was.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {
                "request": {
                    "mode": "allowlist",
                    "terms": ["user-agent", "accept", "content-type", "content-length", "x-request-id"],
                }
            },
            "http_bodies": [],
            "url_query_params": {"mode": "off"},  # search words, one-time tokens
            "database_query_data": False,
            "stack_frame_variables": False,  # a service's locals hold names, addresses, IBANs
        },
    )
# --- end of observability -------------------------------------------------------------------------
