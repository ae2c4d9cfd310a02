"""Production smoke test (issue 11): the repository's own deployment files, run for real.

    .ci/smoke            (or: .venv/bin/python -m tests.smoke.smoke)

nginx (deploy/nginx/ensemble.conf, TLS with a test certificate) in front of two gunicorn app
servers (deploy/gunicorn.conf.py), the task worker and the scheduler, with the production settings
read from an environment file made from deploy/ensemble.env.example, a fresh PostgreSQL database
and Redis. Through the proxy, on each office's own host name: the proxy's own duties; a partner
joins; staff log in (with TOTP, as production requires) and validate the request; the invoice PDF
is rendered by the worker and downloaded by staff (X-Accel-Redirect) but not by anyone else; a
change to a listing is seen at once through both app servers; the login limit is shared by both.

Exit status 0 when every check passed, 1 otherwise (with the processes' logs). Not collected by
pytest (no test_ prefix): CI runs it as its own step.
"""

import json
import re
import secrets
import sys
import time
from collections.abc import Callable

from stdnum import luhn

from .harness import TIMINGS, Deployment
from .web import Client, SmokeFailure, check, find_form, totp

SHARED_HOST, SAINT_OMER_HOST, AIRE_HOST = "ensemble.test", "ot-saint-omer.test", "ot-aire.test"
STAFF_EMAIL, STAFF_PASSWORD = "direction@saint-omer.demo", "ensemble-demo"  # seeded by the demo's code
CLIENT_IP = "198.51.100.23"  # a visitor's address, as nginx would forward it (TEST-NET-2)
MAX_BODY = 25 * 1024 * 1024  # deploy/nginx/ensemble.conf client_max_body_size, = MAX_REQUEST_BODY_BYTES


class Smoke:
    def __init__(self, deployment: Deployment, seeded: dict):
        self.d = deployment
        self.place = seeded["offices"]["saint-omer"]["place"]
        self.token = secrets.token_hex(4)
        self.partner_email = f"smoke-{self.token}@example.org"
        self.establishment = f"Gîte du marais {self.token}"
        self.staff = self.visitor()
        self.invoice_pdf = ""

    # clients
    def visitor(self, host: str = SAINT_OMER_HOST) -> Client:
        """A browser through nginx (HTTPS)."""
        return Client(host, self.d.ports["https"], self.d.tls)

    def direct(self, app: str, client: Client | None = None) -> Client:
        """The same browser sent straight to one app server, headers as nginx sets them."""
        client = client or Client(SAINT_OMER_HOST, 0)
        return client.to(self.d.ports[app], **{"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_IP})

    # --- the checks ---------------------------------------------------------------------------------

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        for app in ("app1", "app2"):
            while True:
                check(not self.d.dead(), f"a process exited: {self.d.dead()}")
                try:
                    if self.direct(app).get("/healthz/").status == 200:
                        break
                except OSError:
                    pass
                check(time.monotonic() < deadline, f"{app} did not answer /healthz/ within 60 s")
                time.sleep(0.3)

    def proxy(self) -> None:
        plain = Client(SAINT_OMER_HOST, self.d.ports["http"])
        answer = plain.get("/adherer/?x=1")
        check(answer.status == 301, f"HTTP is not redirected: {answer.describe()}")
        check(
            answer.header("Location") == f"https://{SAINT_OMER_HOST}/adherer/?x=1", answer.header("Location")
        )
        try:
            stranger = Client("unknown.test", self.d.ports["http"]).get("/")
        except OSError:  # nginx's 444: the connection is closed without an answer
            stranger = None
        check(stranger is None, f"an unknown host got an answer: {stranger and stranger.describe()}")
        for path in ("/healthz/", "/healthz/queue/"):
            answer = self.visitor().get(path)
            check(answer.status == 200, f"{path}: {answer.describe()}")
        answer = self.visitor().request("POST", "/adherer/", headers={"Content-Length": str(MAX_BODY + 1)})
        check(answer.status == 413, f"a body over the limit was not refused by nginx: {answer.describe()}")
        answer = self.visitor().get("/_private/invoices/anything.pdf")
        check(answer.status == 404, f"the internal location answers the public: {answer.describe()}")

    def offices_on_their_hosts(self) -> None:
        names = {SAINT_OMER_HOST: "Pays de Saint-Omer", AIRE_HOST: "Aire-sur-la-Lys"}
        for host, name in names.items():
            answer = self.visitor(host).get("/", headers={"Accept-Encoding": "gzip"})
            check(answer.status == 200, f"{host}/: {answer.describe()}")
            check(answer.header("Content-Encoding") == "gzip", f"{host}/ is not compressed")
            rid = answer.header("X-Request-ID")
            check(re.fullmatch(r"[0-9a-f]{32}", rid), f"{host}/ has no request id from nginx: {rid!r}")
            page = self.visitor(host).get("/").text
            others = [other for other in names.values() if other != name and other in page]
            check(name in page and not others, f"{host}/ is not {name}'s office home page")
        home = self.visitor().get("/")
        shared = self.visitor(SHARED_HOST).get("/aire-sur-la-lys/")
        check(shared.status == 200, f"the shared host does not serve /<office>/: {shared.describe()}")
        css = re.search(r'href="(/static/[^"]+\.css)"', home.text)
        check(css, "no stylesheet on the home page")
        answer = self.visitor().get(css.group(1))
        check(answer.status == 200, f"static file: {answer.describe()}")
        check(
            "immutable" in answer.header("Cache-Control"), f"hashed static name not cached: {answer.headers}"
        )

    def join(self) -> None:
        browser = self.visitor()
        page = browser.get("/adherer/")
        check(page.status == 200, f"join form: {page.describe()}")
        form = find_form(page, field="establishment_name")
        data = dict(form["fields"])
        data.update(
            establishment_name=self.establishment,
            first_name="Camille",
            last_name="Delattre",
            address="3 rue des Maraîchers",
            postcode="62500",
            city="Saint-Omer",
            phone="+33321987654",
            email=self.partner_email,
            siret=siret(self.token),
            category=next(c for c in form["choices"]["category"] if c),
            pack=form["choices"]["pack"][0],
            payment_method="transfer",
            accept_charter="on",
            accept_cgv="on",
            website="",
        )
        answer = browser.post(form["action"], data)
        check(answer.status == 302, f"the join form was not accepted: {answer.describe()}")
        self.wait_for(
            lambda: self.d.smtp.to(self.partner_email), "the join confirmation e-mail (worker, SMTP)"
        )

    def staff_login(self) -> None:
        """Log in as the direction, set up TOTP as production asks at the first login."""
        page = self.staff.get("/comptes/login/")
        form = find_form(page, field="password")
        answer = self.staff.post(
            form["action"],
            {**form["fields"], "login": STAFF_EMAIL, "password": STAFF_PASSWORD},
        )
        check(answer.status == 302, f"staff login refused: {answer.describe()}")
        page = self.staff.follow(self.staff.get("/gestion/"))
        if "/comptes/reauthenticate/" in page.url:  # allauth confirms the password before TOTP set-up
            form = find_form(page, field="password")
            page = self.staff.follow(
                self.staff.post(form["action"], {**form["fields"], "password": STAFF_PASSWORD})
            )
        form = find_form(page, field="code")
        secret = form["ids"].get("authenticator_secret", "")
        check(re.fullmatch(r"[A-Z2-7]{16,}", secret), f"no TOTP secret on the set-up page: {page.describe()}")
        answer = self.staff.post(form["action"], {**form["fields"], "code": totp(secret)})
        check(answer.status == 302, f"TOTP set-up refused: {answer.describe()}")
        page = self.staff.follow(self.staff.get("/gestion/"))
        check(page.status == 200 and "/gestion/adhesions/" in page.text, f"back office: {page.describe()}")

    def validate(self) -> None:
        listing = self.staff.get("/gestion/adhesions/")
        ids = set(re.findall(r'href="(?:/saint-omer)?/gestion/adhesions/(\d+)/"', listing.text))
        check(self.establishment in listing.text and len(ids) == 1, f"the request is not listed: {ids}")
        membership = f"/gestion/adhesions/{ids.pop()}/"
        form = find_form(self.staff.get(membership), action_end="/valider/")
        answer = self.staff.post(form["action"], form["fields"])
        check(answer.status == 302, f"validation refused: {answer.describe()}")
        page = self.staff.get(membership)
        invoice = re.search(r'href="((?:/saint-omer)?/gestion/factures/\d+/)"', page.text)
        check(invoice, f"no invoice on the validated membership: {page.describe()}")
        self.invoice_pdf = invoice.group(1) + "pdf/"

    def invoice_pdf_downloads(self) -> None:
        def pdf():
            answer = self.staff.get(self.invoice_pdf)
            return answer if answer.status == 200 and answer.body.startswith(b"%PDF") else None

        answer = self.wait_for(pdf, "the invoice PDF rendered by the worker", seconds=90)
        check(
            answer.header("Content-Type") == "application/pdf",
            f"PDF served as {answer.header('Content-Type')}",
        )
        check("attachment" in answer.header("Content-Disposition"), "the PDF has no file name")
        behind = self.direct("app1", self.staff).get(self.invoice_pdf)
        accel = behind.header("X-Accel-Redirect")
        check(behind.status == 200 and accel.startswith("/_private/") and not behind.body, behind.describe())
        for client in (self.visitor(), self.direct("app2")):
            answer = client.get(self.invoice_pdf)
            check(answer.status in (302, 403, 404), f"an anonymous visitor got the PDF: {answer.describe()}")
            check(not answer.body.startswith(b"%PDF"), "an anonymous visitor got PDF bytes")
        answer = self.visitor().get(accel)
        check(answer.status == 404, f"the private file's own path answers the public: {answer.describe()}")

    def listing_change_seen_by_both(self) -> None:
        check(self.place, "the seed made no published place")
        public = f"/fiches/{self.place}/"
        for app in ("app1", "app2", "app1", "app2"):  # twice each: cached, if anything caches
            answer = self.direct(app).get(public)
            check(answer.status == 200, f"{app} {public}: {answer.describe()}")
        edit = f"/gestion/fiches/{self.place}/modifier/"
        form = find_form(self.staff.get(edit), field="short_description_fr")
        text = f"Vérifié par le test de fumée {self.token}."
        answer = self.staff.post(form["action"], {**form["fields"], "short_description_fr": text})
        check(answer.status == 302, f"the listing edit was refused: {answer.describe()}")
        for app in ("app1", "app2"):
            answer = self.direct(app).get(public)
            check(
                text in answer.text,
                f"{app} still serves the old listing (X-Cache: {answer.header('X-Cache') or '-'}): "
                "a change must be seen at once by every app server",
            )

    def login_limit_shared(self, email: str = "accueil@saint-omer.demo") -> None:
        """allauth's per-account failed-login limit (5 in 5 minutes) counted in the shared cache:
        five wrong passwords split over both app servers (3 + 2), then the right password is
        refused on either, and through nginx. Counted per process, each would have seen fewer
        than five failures and let the right password in."""
        browsers = {app: self.direct(app) for app in ("app1", "app2")}
        forms = {app: find_form(b.get("/comptes/login/"), field="password") for app, b in browsers.items()}

        def attempt(app: str, password: str):
            return browsers[app].post(
                "/comptes/login/", {**forms[app]["fields"], "login": email, "password": password}
            )

        for number, app in enumerate(["app1", "app2", "app1", "app2", "app1"], start=1):
            answer = attempt(app, f"wrong-{number}")
            check(
                answer.status == 200 and "errorlist" in answer.text,
                f"failed login {number}: {answer.describe()}",
            )
        for app in ("app2", "app1"):
            answer = attempt(app, STAFF_PASSWORD)
            check(answer.status != 302, f"{app} let the right password in after 5 failures on both servers")
            check("errorlist" in answer.text or answer.status == 429, f"{app}: {answer.describe()}")
        browser = self.visitor()
        form = find_form(browser.get("/comptes/login/"), field="password")
        answer = browser.post(form["action"], {**form["fields"], "login": email, "password": STAFF_PASSWORD})
        check(answer.status != 302, "nginx's app servers let the right password in after the limit")

    def still_running(self) -> None:
        check(not self.d.dead(), f"processes died during the test: {self.d.dead()}")
        health = json.loads(self.visitor().get("/healthz/queue/").text)
        check(health["failed"] == 0, f"failed background tasks: {health}")

    # helpers
    def wait_for(self, probe: Callable, what: str, *, seconds: float = 45):
        deadline = time.monotonic() + seconds
        while not (result := probe()):
            check(not self.d.dead(), f"a process exited while waiting for {what}: {self.d.dead()}")
            check(time.monotonic() < deadline, f"{what}: nothing after {seconds:.0f} s")
            time.sleep(0.5)
        return result


def siret(token: str) -> str:
    """A valid SIRET that no other run uses: a SIREN (8 digits and its Luhn key), 4 digits, and the
    Luhn key of the whole."""
    number = int(token, 16)
    siren = f"{number % 10**8:08d}"
    body = siren + luhn.calc_check_digit(siren) + f"{number // 10**8 % 10**4:04d}"
    return body + luhn.calc_check_digit(body)


STEPS = [
    ("proxy: HTTPS redirect, unknown hosts, health, body limit, internal location", Smoke.proxy),
    (
        "several offices, each on its own host name; gzip, request id, static files",
        Smoke.offices_on_their_hosts,
    ),
    ("a partner joins (the confirmation e-mail leaves through the worker)", Smoke.join),
    ("staff log in, with TOTP", Smoke.staff_login),
    ("staff validate the request (its invoice is issued)", Smoke.validate),
    ("the invoice PDF: rendered, downloaded by staff only (X-Accel-Redirect)", Smoke.invoice_pdf_downloads),
    ("a listing change is seen at once through both app servers", Smoke.listing_change_seen_by_both),
    ("the login limit is shared by both app servers", Smoke.login_limit_shared),
    ("every process still runs, no background task failed", Smoke.still_running),
]


def main() -> int:
    started = time.monotonic()
    deployment = Deployment([SHARED_HOST, SAINT_OMER_HOST, AIRE_HOST])
    passed, failed = 0, 0
    try:
        stamp = time.monotonic()
        deployment.prepare()
        seeded = deployment.seed()
        deployment.start()
        smoke = Smoke(deployment, seeded)
        smoke.wait_until_ready()
        worker, took = " ".join(deployment.worker_command()), time.monotonic() - stamp
        print(f"  set-up (migrate, collectstatic, seed, start; worker: {worker}): {took:.0f} s")
        print("    " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in TIMINGS))
        for title, step in STEPS:
            stamp = time.monotonic()
            step(smoke)
            passed += 1
            print(f"  ok   {title} ({time.monotonic() - stamp:.1f} s)")
    except (SmokeFailure, RuntimeError, OSError, KeyError, ValueError) as exc:
        failed = 1
        print(f"  FAIL {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        deployment.stop()
        if failed:
            deployment.show_logs()
            print(f"\nLogs and configuration kept in {deployment.folder}", file=sys.stderr)
        deployment.drop()
        if not failed:
            import shutil

            shutil.rmtree(deployment.folder, ignore_errors=True)
    print(f"  {len(STEPS) - passed - failed} not run; {time.monotonic() - started:.0f} s in all")
    print(f"smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
