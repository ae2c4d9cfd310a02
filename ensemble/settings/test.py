"""The test suite: fast hashing, in-memory mail, tasks run at once."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Private documents (issue 10): in memory too, and without any URL.
    "private": {"BACKEND": "ensemble.core.private_files.PrivateInMemoryStorage"},
}
ALLOWED_HOSTS = ["*"]
# The public map draws its markers without tiles: no browser test fetches from a tile server.
MAP_TILE_URL = ""
# Tests read what they have just written: the public page cache is off, except in the tests
# of the cache itself (tests/test_page_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = 0
# Counts are written at once (tests/test_stats.py checks the buffer with its own setting).
VISIBILITY_FLUSH_SECONDS = 0
# The suite logs staff in with force_login (no second factor): tests/test_staff_roles_mfa.py turns
# the second-factor check back on.
STAFF_MFA_ENFORCED = False
