"""Issue 12, A1: the links that leave the site (e-mails, PDFs, the printed guide, List-Unsubscribe)
use the address the office is served at: its own host name over https, else SITE_URL, which
`make run` sets to the port it runs on."""

import datetime
import os
import re
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest
from django.core import mail

from ensemble.billing.quote_pdf import quote_links
from ensemble.core import links, unsubscribe
from ensemble.guide.selectors import public_url

pytestmark = pytest.mark.django_db

DOMAIN = "partenaires.tourisme-saintomer.example"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def domain_office(office):
    office.domain = DOMAIN
    office.save(update_fields=["domain"])
    return office


def test_absolute_url_under_site_url_for_an_office_without_domain(office, settings):
    settings.SITE_URL = "http://127.0.0.1:8100"
    assert links.absolute_url(office, "/saint-omer/adherer/") == "http://127.0.0.1:8100/saint-omer/adherer/"
    assert links.office_url(office, "public:join") == "http://127.0.0.1:8100/saint-omer/adherer/"


def test_absolute_url_on_the_office_s_own_host_without_its_prefix(domain_office, other_office):
    assert links.office_url(domain_office, "public:join") == f"https://{DOMAIN}/adherer/"
    assert links.absolute_url(domain_office, "/saint-omer/") == f"https://{DOMAIN}/"
    # the deployment's own paths (media, accounts) are served on that host as they are
    assert links.absolute_url(domain_office, "/media/x.jpg") == f"https://{DOMAIN}/media/x.jpg"
    # another office's path is not cut, and another office keeps SITE_URL
    assert links.absolute_url(other_office, "/aire-sur-la-lys/").startswith("http://")


def test_join_confirmation_link_follows_site_url(submit, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "http://127.0.0.1:8100"
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    body = mail.outbox[0].body
    assert "http://127.0.0.1:8100/saint-omer/comptes/activer/" in body
    assert ":8000" not in body


def test_join_confirmation_link_on_the_office_s_host(
    client, domain_office, submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    message = mail.outbox[0]
    link = re.search(rf"https://{re.escape(DOMAIN)}(/comptes/activer/\S+/\S+/)", message.body)
    assert link is not None, message.body
    assert f'href="https://{DOMAIN}/comptes/activer/' in message.alternatives[0].content
    # the link answers on that host, and setting the password lands in the espace pro
    page = client.get(link.group(1), HTTP_HOST=DOMAIN)
    assert page.status_code == 200 and "Choisir mon mot de passe" in page.content.decode()
    response = client.post(
        link.group(1),
        {"password1": "Marais-audomarois-22", "password2": "Marais-audomarois-22"},
        HTTP_HOST=DOMAIN,
    )
    assert response.status_code == 302
    assert response["Location"] == "/saint-omer/espace-pro/"


def test_other_absolute_links_use_the_office_s_host(domain_office, make_membership):
    url = unsubscribe.unsubscribe_url(domain_office, "camille@moulin.example", "campaigns")
    assert url.startswith(f"https://{DOMAIN}/desinscription/")
    assert public_url(domain_office, 42) == f"https://{DOMAIN}/fiches/42/"


def test_quote_pdf_links_use_the_office_s_host(domain_office):
    from ensemble.billing.quotes import Quote

    quote = Quote(
        pk=1,
        office=domain_office,
        number="DE-2022-00001",
        sent_at=datetime.datetime(2022, 12, 1, 10, 0, tzinfo=datetime.UTC),
    )
    found = quote_links(quote)
    assert found["link"].startswith(f"https://{DOMAIN}/devis/")
    assert found["portal_link"] == f"https://{DOMAIN}/espace-pro/devis/"


FAKE_PYTHON = """#!/bin/sh
# Stands for .venv/bin/python in `make run`: notes which command got which SITE_URL.
echo "$2 $SITE_URL" >> "$H3_RUN_LOG"
if [ "$2" = "runserver" ]; then
  for i in $(seq 1 100); do
    [ "$(wc -l < "$H3_RUN_LOG")" -ge 3 ] && exit 0
    sleep 0.05
  done
fi
"""


def test_make_run_gives_the_server_and_the_worker_its_own_address(tmp_path):
    """`make run PORT=8100`: the web server, the worker and the scheduler get
    SITE_URL=http://127.0.0.1:8100 (the demo step is skipped with -o demo)."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    python = fake_bin / "python"
    python.write_text(textwrap.dedent(FAKE_PYTHON))
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "run.log"
    log.touch()
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env["H3_RUN_LOG"] = str(log)
    subprocess.run(  # noqa: S603 — a fixed command
        ["make", "-s", "-o", "demo", "run", "PORT=8100", f"BIN={fake_bin}"],  # noqa: S607
        cwd=ROOT,
        env=env,
        start_new_session=True,  # `make run` ends with `kill 0` on its own process group
        capture_output=True,
        timeout=60,
    )
    lines = sorted(log.read_text().split("\n"))
    assert [line for line in lines if line] == [
        "runserver http://127.0.0.1:8100",
        "scheduler http://127.0.0.1:8100",
        "worker http://127.0.0.1:8100",
    ]
