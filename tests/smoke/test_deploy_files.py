"""The deployment files agree with the settings and with each other (the smoke test, .ci/smoke,
runs them for real; these checks are cheap and run with the suite)."""

import re
import shutil
import subprocess
from pathlib import Path

from django.core.management import get_commands

from ensemble.core.upload_limits import DEFAULT_MAX_REQUEST_BODY_BYTES
from tests.needs import unavailable
from tests.smoke.harness import nginx_site, read_env_file, render_env_file

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = (DEPLOY / "nginx" / "ensemble.conf").read_text()
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
EXAMPLE = (DEPLOY / "ensemble.env.example").read_text()


def example_default(name: str) -> str:
    """A variable's value in the example file, commented or not."""
    match = re.search(rf"^#?{name}=(.*)$", EXAMPLE, flags=re.M)
    assert match, f"{name} is not in deploy/ensemble.env.example"
    return match.group(1).strip()


def unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


def test_nginx_body_limit_is_djangos():
    size = re.search(r"client_max_body_size (\d+)m;", NGINX)
    assert size, "client_max_body_size missing"
    assert int(size.group(1)) * 1024 * 1024 == DEFAULT_MAX_REQUEST_BODY_BYTES
    assert int(example_default("MAX_REQUEST_BODY_BYTES")) == DEFAULT_MAX_REQUEST_BODY_BYTES


def test_nginx_serves_the_folders_the_settings_write():
    var = example_default("ENSEMBLE_VAR_DIR")
    prefix = example_default("PRIVATE_FILES_ACCEL_REDIRECT_PREFIX")
    private = re.search(rf"location {re.escape(prefix)} \{{\s*internal;\s*alias ([^;]+);", NGINX)
    assert private, f"no internal location {prefix} in deploy/nginx/ensemble.conf"
    assert private.group(1) == f"{var}/private/"  # settings: PRIVATE_ROOT = VAR_DIR / "private"
    # STATIC_ROOT and MEDIA_ROOT are VAR_DIR/static and VAR_DIR/media: `root` appends the URL path.
    for url in ("/static/", "/media/"):
        block = re.search(rf"location {url} \{{\s*root ([^;]+);", NGINX)
        assert block and block.group(1) == var, url
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in NGINX  # appended
    assert example_default("TRUSTED_PROXY_COUNT") == "1"


def test_nginx_upstream_lists_the_app_server_instances():
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", NGINX)
    wanted = re.findall(r"ensemble-web@(\d+)\.service", unit("ensemble.target"))
    assert ports == wanted == ["8001", "8002"]


def test_units_run_existing_commands_with_the_documented_environment_file():
    commands = get_commands()
    for path in UNITS:
        text = path.read_text()
        assert "EnvironmentFile=/etc/ensemble/ensemble.env" in text, path.name
        assert "NoNewPrivileges=yes" in text and "ProtectSystem=strict" in text, path.name
        for name in re.findall(r"manage\.py (\w+)", text):
            assert name in commands, f"{path.name}: manage.py {name} does not exist"
    for name in ("ensemble-web@.service", "ensemble-worker.service"):
        assert f"ReadWritePaths={example_default('ENSEMBLE_VAR_DIR')}" in unit(name)
        assert "Restart=on-failure" in unit(name)
    exec_start = re.search(
        r"ExecStart=\S+/gunicorn -c /srv/ensemble/app/(\S+)", unit("ensemble-web@.service")
    )
    assert exec_start and (ROOT / exec_start.group(1)).is_file()


def test_gunicorn_outlives_nginx_timeout():
    config: dict = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    nginx_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", NGINX).group(1))
    assert config["timeout"] > nginx_timeout
    assert config["wsgi_app"] == "ensemble.wsgi:application"


def test_units_pass_systemd_analyze(tmp_path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        unavailable("systemd-analyze (package systemd) is not installed")
    # The units name the server's paths: point them at this checkout so ExecStart= exists.
    for path in (DEPLOY / "systemd").iterdir():
        text = path.read_text().replace("/srv/ensemble/app", str(ROOT))
        name = path.name.replace("@.service", "@8001.service")
        (tmp_path / name).write_text(text)
    names = [str(p) for p in sorted(tmp_path.iterdir())]
    done = subprocess.run(  # noqa: S603 — systemd's own checker
        [tool, "verify", "--man=no", *names], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr


def test_smoke_test_environment_comes_from_the_example_file():
    text = render_env_file({"SECRET_KEY": "k" * 60, "REDIS_URL": "redis://127.0.0.1:6379/3", "EXTRA": "1"})
    env = read_env_file(text)
    assert env["SECRET_KEY"] == "k" * 60
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/3"  # a commented line, uncommented
    assert env["DEFAULT_FROM_EMAIL"] == "Ensemble <no-reply@ensemble.example.org>"  # kept as written
    assert env["EXTRA"] == "1"
    assert "MAP_TILE_URL" not in env  # commented lines stay comments


def test_smoke_test_nginx_site_is_the_production_file(tmp_path):
    site = nginx_site(
        hosts="a.test b.test c.test",
        app_ports=[1, 2],
        http=3,
        https=4,
        var=tmp_path,
        tls=tmp_path,
        logs=tmp_path,
    )
    assert "listen 127.0.0.1:4 ssl http2;" in site and "server 127.0.0.1:2" in site
    assert "internal;" in site and "client_max_body_size 25m;" in site
    assert "server_name a.test b.test c.test;" in site
