"""The deployment the smoke test runs: production settings from an environment file made from
`deploy/ensemble.env.example`, a fresh PostgreSQL database, a Redis database, two gunicorn app
servers started with `deploy/gunicorn.conf.py`, the task worker, the scheduler, and nginx running
`deploy/nginx/ensemble.conf` with loopback ports, a scratch folder and a self-signed certificate
for the offices' host names. An SMTP sink stands for the mail server.

Every process is started here, in its own process group, and stopped here (SIGTERM, then SIGKILL);
the database and the Redis database are dropped and flushed whatever happens.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"
PG = {"host": os.environ.get("PGHOST", "127.0.0.1"), "port": os.environ.get("PGPORT", "5432")}
PG_USER = os.environ.get("PGUSER", "postgres")
# The production file's names, replaced by the test's (checked: none may be left over).
NGINX_HOSTS = "ensemble.example.org www.office-saint-omer.example www.office-aire.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TIMINGS: list[tuple[str, float]] = []  # (command, seconds) of the set-up, printed by smoke.py


def run(command: list[str], *, env: dict | None = None, log: Path | None = None, timeout: int = 300) -> str:
    """Run a command to completion; its output goes to `log` and, on failure, into the error."""
    started = time.monotonic()
    done = subprocess.run(  # noqa: S603 — our own commands
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    TIMINGS.append(
        (" ".join(command[1:3] if "manage.py" in command else command[:1]), time.monotonic() - started)
    )
    if log is not None:
        with log.open("a") as out:
            out.write(
                f"$ {' '.join(command)}  ({time.monotonic() - started:.1f} s)\n{done.stdout}{done.stderr}\n"
            )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- the mail server --------------------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 smoke ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "RCPT":
                recipients.append(re.sub(r"^.*<|>.*$", "", line.decode().strip()).lower())
            if verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                self.server.messages.append((recipients, self._read_data()))
                recipients = []
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")

    def _read_data(self) -> str:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line.decode(errors="replace"))
        self.reply("250 queued")
        return "".join(lines)


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _SmtpHandler)
        self.messages: list[tuple[list[str], str]] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def to(self, address: str) -> list[str]:
        return [body for recipients, body in self.messages if address.lower() in recipients]


# --- configuration ----------------------------------------------------------------------------------


def render_env_file(values: dict[str, str]) -> str:
    """deploy/ensemble.env.example with `values` filled in (their commented lines uncommented):
    the example file is what an operator starts from, so the test starts from it too."""
    lines, missing = [], dict(values)
    for line in (DEPLOY / "ensemble.env.example").read_text().splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]+)=", line)
        if match and match.group(1) in missing:
            name = match.group(1)
            line = f"{name}={missing.pop(name)}"
        lines.append(line)
    lines += [f"{name}={value}" for name, value in missing.items()]
    return "\n".join(lines) + "\n"


def read_env_file(text: str) -> dict[str, str]:
    """As systemd's EnvironmentFile= reads it: NAME=value lines, comments and blanks ignored."""
    env = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            env[name.strip()] = value
    return env


def nginx_site(*, hosts: str, app_ports: list[int], http: int, https: int, var: Path, tls: Path, logs: Path):
    """deploy/nginx/ensemble.conf with loopback ports, the scratch folder and the test's
    certificate. Fails if the production file changed shape and a production value survives."""
    text = (DEPLOY / "nginx" / "ensemble.conf").read_text()
    # No IPv6 listeners here; comments dropped (they name the production hosts).
    text = "\n".join(
        line for line in text.splitlines() if "[::]" not in line and not line.lstrip().startswith("#")
    )
    replacements = [
        ("listen 80", f"listen 127.0.0.1:{http}"),
        ("listen 443", f"listen 127.0.0.1:{https}"),
        ("server 127.0.0.1:8001", f"server 127.0.0.1:{app_ports[0]}"),
        ("server 127.0.0.1:8002", f"server 127.0.0.1:{app_ports[1]}"),
        ("/srv/ensemble/var", str(var)),
        ("/etc/letsencrypt/live/ensemble", str(tls)),
        ("/var/log/nginx", str(logs)),
        ("/var/www/letsencrypt", str(var / "acme")),
        (NGINX_HOSTS, hosts),
    ]
    for old, new in replacements:
        if old not in text:
            raise RuntimeError(
                f"deploy/nginx/ensemble.conf no longer contains {old!r}: update the smoke test"
            )
        text = text.replace(old, new)
    leftover = re.findall(
        r"/srv/ensemble|/etc/letsencrypt|/var/log/nginx|example\.|listen (?:80|443)\b", text
    )
    if leftover:
        raise RuntimeError(f"production values left in the smoke test's nginx site: {leftover}")
    return text


def nginx_main(folder: Path, site: Path, logs: Path) -> str:
    # As root, nginx's workers run as `nobody` (as they run as www-data on a server): the scratch
    # folder is world-readable so they can read the static and private files.
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 1;
pid {folder / "nginx.pid"};
error_log {logs / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    server_tokens off;
{temp}
    access_log {logs / "nginx-access.log"};
    include {site};
}}
"""


def self_signed_certificate(folder: Path, hosts: list[str]) -> ssl.SSLContext:
    """A certificate for the offices' host names (as certbot's would be), and a client context that
    trusts exactly it."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ",".join(f"DNS:{h}" for h in hosts)
    run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(folder / "privkey.pem"), "-out", str(folder / "fullchain.pem"),
            "-subj", f"/CN={hosts[0]}", "-addext", f"subjectAltName={names}",
        ]
    )  # fmt: skip
    context = ssl.create_default_context(cafile=str(folder / "fullchain.pem"))
    return context


# --- the processes ------------------------------------------------------------------------------------


class Deployment:
    def __init__(self, hosts: list[str]):
        self.hosts = hosts
        self.folder = Path(tempfile.mkdtemp(prefix="ensemble-smoke-"))
        self.folder.chmod(0o755)
        self.var = self.folder / "var"
        self.logs = self.folder / "logs"
        for path in (self.var, self.logs, self.folder / "nginx", self.var / "acme"):
            path.mkdir(parents=True)
        self.db = f"ensemble_smoke_{os.getpid()}"
        self.redis_db = int(os.environ.get("SMOKE_REDIS_DB", "13"))
        self.ports = {name: free_port() for name in ("app1", "app2", "http", "https", "smtp")}
        self.processes: dict[str, subprocess.Popen] = {}
        self.smtp = SmtpSink(self.ports["smtp"])
        self.env: dict[str, str] = {}
        self.tls: ssl.SSLContext | None = None

    # setup
    def write_env_file(self) -> Path:
        values = {
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": ",".join(self.hosts),
            "SITE_URL": f"https://{self.hosts[0]}",
            "DATABASE_URL": f"postgres://{PG_USER}@{PG['host']}:{PG['port']}/{self.db}",
            "DEFAULT_FROM_EMAIL": "Ensemble <no-reply@ensemble.test>",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.ports["smtp"]),
            "ENSEMBLE_VAR_DIR": str(self.var),
            "REDIS_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
            "HOSTING_PROVIDER": "Hébergeur de test, 1 rue du Test, 62500 Saint-Omer",
            # One process per app server: a page cached by one process and not the other is then
            # certain to show (the per-process cache this test guards against).
            "WEB_CONCURRENCY": "1",
        }
        path = self.folder / "ensemble.env"
        path.write_text(render_env_file(values))
        path.chmod(0o600)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        self.env = {**inherited, **read_env_file(path.read_text())}
        return path

    def prepare(self) -> None:
        """What docs/deployment.md has an operator do, in its order."""
        self.write_env_file()
        log = self.logs / "setup.log"
        run(["createdb", "-h", PG["host"], "-p", PG["port"], "-U", PG_USER, self.db], log=log)
        run(["redis-cli", "-n", str(self.redis_db), "flushdb"], log=log)
        manage = [str(BIN / "python"), "manage.py"]
        run([*manage, "migrate", "--noinput"], env=self.env, log=log)
        run([*manage, "createcachetable"], env=self.env, log=log)
        run([*manage, "collectstatic", "--noinput"], env=self.env, log=log)
        run([*manage, "check", "--deploy", "--fail-level", "WARNING"], env=self.env, log=log)

    def seed(self) -> dict:
        import json

        code = f"from tests.smoke.seed import run; run({self.hosts[1]!r}, {self.hosts[2]!r})"
        out = run(
            [str(BIN / "python"), "manage.py", "shell", "-c", code], env=self.env, log=self.logs / "seed.log"
        )
        return json.loads(out.strip().splitlines()[-1])

    def worker_command(self) -> list[str]:
        # `manage.py worker` (leases, retries) where it exists; django-tasks' own worker before it.
        has_worker = any(ROOT.glob("ensemble/*/management/commands/worker.py"))
        return ["worker"] if has_worker else ["db_worker"]

    def start(self) -> None:
        gunicorn = [str(BIN / "gunicorn"), "-c", str(DEPLOY / "gunicorn.conf.py")]
        for name in ("app1", "app2"):
            self.spawn(name, [*gunicorn, "--bind", f"127.0.0.1:{self.ports[name]}"])
        self.spawn("worker", [str(BIN / "python"), "manage.py", *self.worker_command()])
        self.spawn("scheduler", [str(BIN / "python"), "manage.py", "scheduler", "--interval", "30"])
        self.start_nginx()

    def start_nginx(self) -> None:
        self.tls = self_signed_certificate(self.folder / "tls", self.hosts)
        site = self.folder / "nginx" / "ensemble.conf"
        site.write_text(
            nginx_site(
                hosts=" ".join(self.hosts),
                app_ports=[self.ports["app1"], self.ports["app2"]],
                http=self.ports["http"],
                https=self.ports["https"],
                var=self.var,
                tls=self.folder / "tls",
                logs=self.logs,
            )
        )
        main = self.folder / "nginx" / "nginx.conf"
        main.write_text(nginx_main(self.folder / "nginx", site, self.logs))
        nginx = [
            shutil.which("nginx") or "/usr/sbin/nginx",
            "-p",
            str(self.folder / "nginx"),
            "-c",
            str(main),
        ]
        nginx += ["-e", str(self.logs / "nginx-error.log")]
        run([*nginx, "-t"], log=self.logs / "nginx-test.log")
        self.spawn("nginx", [*nginx, "-g", "daemon off;"])

    def spawn(self, name: str, command: list[str]) -> None:
        out = (self.logs / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603 — our own commands
            command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def dead(self) -> list[str]:
        return [f"{name} (exit {p.returncode})" for name, p in self.processes.items() if p.poll() is not None]

    # teardown
    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def drop(self) -> None:
        self.smtp.shutdown()
        # PostgreSQL's and Redis's own clients, as in prepare(); failures here must not hide the result.
        dropdb = [
            "dropdb",
            "--if-exists",
            "--force",
            "-h",
            PG["host"],
            "-p",
            PG["port"],
            "-U",
            PG_USER,
            self.db,
        ]
        flush = ["redis-cli", "-n", str(self.redis_db), "flushdb"]
        for command in (dropdb, flush):
            subprocess.run(command, capture_output=True, check=False)  # noqa: S603

    def show_logs(self, lines: int = 60) -> None:
        for path in sorted(self.logs.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            print(f"\n----- {path.name} (last {len(tail)} lines) -----", file=sys.stderr)
            print("\n".join(tail), file=sys.stderr)
