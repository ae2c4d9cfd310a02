"""The test suite: fast hashing, in-memory mail, tasks run at once."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

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
# of the cache itself (tests/test_page_cache.py, tests/test_shared_cache.py).
PUBLIC_PAGE_CACHE_SECONDS = 0
# Its files: in a folder of this process when var/ is the project's (the suite's workers and other
# runs on the machine must not serve each other's pages); in the given var/ when a test starts
# servers with their own ENSEMBLE_VAR_DIR, so that they share it as a deployment's processes do.
if VAR_DIR == BASE_DIR / "var":  # noqa: F405
    _PAGES_DIR = Path(tempfile.mkdtemp(prefix="ensemble-test-pages-"))
    atexit.register(shutil.rmtree, _PAGES_DIR, ignore_errors=True)
else:
    _PAGES_DIR = VAR_DIR / "cache" / "pages"  # noqa: F405
    # Such servers may turn the cache on (tests/test_shared_cache.py starts two).
    PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "0"))
CACHES = {**CACHES, "pages": pages_cache_config("", _PAGES_DIR)}  # noqa: F405
# Counts are written at once (tests/test_stats.py checks the buffer with its own setting).
VISIBILITY_FLUSH_SECONDS = 0
# The suite logs staff in with force_login (no second factor): tests/test_staff_roles_mfa.py turns
# the second-factor check back on.
STAFF_MFA_ENFORCED = False
