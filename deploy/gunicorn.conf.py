"""gunicorn settings for Ensemble's app servers (`gunicorn -c deploy/gunicorn.conf.py`).

Used by the systemd unit `ensemble-web@.service` (one instance per port: --bind 127.0.0.1:%i) and
by the production smoke test (`.ci/smoke`), so the test runs what the server runs. Everything that
varies per machine comes from the environment file (`/etc/ensemble/ensemble.env`).
"""

import os

wsgi_app = "ensemble.wsgi:application"

# Sync workers behind nginx: nginx buffers slow clients (request and response), so a worker is
# busy only while Django works. gunicorn reads WEB_CONCURRENCY itself too; the default here is
# (2 x cores) + 1 for a small two-core server running two instances.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
# A request running longer than this is killed (its worker restarted): above nginx's
# proxy_read_timeout, so nginx answers 504 first and the worker is not cut mid-write.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "130"))
# SIGTERM (systemctl stop/restart) lets running requests finish and each process write its last
# visibility counts (stats.buffering) before it exits.
graceful_timeout = 30
# Recycle workers now and then: bounds the memory a long-lived process may accumulate.
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this machine talks to gunicorn; Django itself reads X-Forwarded-Proto
# (SECURE_PROXY_SSL_HEADER) and X-Forwarded-For (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = "127.0.0.1,::1"
# Heartbeat files in memory rather than on disk (PrivateTmp=/tmp is on disk on most servers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 — gunicorn's advice

# Errors to stderr, i.e. the journal. No access log of gunicorn's: Django writes one JSON line
# per request with its request id, view and duration (core.request_id, docs/observability.md).
accesslog = None
errorlog = "-"
