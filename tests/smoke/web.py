"""What the smoke test needs to talk to the deployment like a browser: an HTTP client that chooses
the address it connects to, the Host header and the TLS server name separately (the offices'
host names have no DNS), keeps cookies by hand (secure cookies included: the test is the browser),
never follows a redirect on its own; a reader of HTML forms; TOTP codes.

Standard library only, so that what is tested is the deployment, not a client library's
conveniences.
"""

import base64
import hashlib
import hmac
import http.client
import re
import socket
import ssl
import struct
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class SmokeFailure(AssertionError):
    """A check of the smoke test failed: the message says what was expected and what came."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    url: str
    path: str = "/"

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def describe(self) -> str:
        """For a failure message: the status, and the page's error messages, or its beginning."""
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', self.text, flags=re.S)
        shown = "; ".join(re.sub(r"<[^>]+>", " ", e).strip() for e in errors) or self.text[:300]
        return f"{self.status} for {self.url} ({self.header('Content-Type')}): {shown!r}"


class _TLSConnection(http.client.HTTPSConnection):
    """Connects to an address but presents `server_name` (SNI), as a browser asking for the office's
    host name would."""

    def __init__(self, address: str, port: int, *, server_name: str, context: ssl.SSLContext, timeout):
        super().__init__(address, port, timeout=timeout, context=context)
        self.server_name = server_name

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


@dataclass
class Client:
    """One browser (one cookie jar) talking to one address: nginx's HTTPS or HTTP port, or an app
    server's port directly (then `extra_headers` play nginx's part: X-Forwarded-Proto…)."""

    host: str
    port: int
    tls: ssl.SSLContext | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    @property
    def origin(self) -> str:
        return f"https://{self.host}"

    def to(self, port: int, *, tls: ssl.SSLContext | None = None, **extra_headers: str) -> "Client":
        """The same browser (same cookies, shared) at another address."""
        return Client(self.host, port, tls, dict(extra_headers), self.cookies, self.timeout)

    def _connection(self) -> http.client.HTTPConnection:
        if self.tls is not None:
            return _TLSConnection(
                "127.0.0.1", self.port, server_name=self.host, context=self.tls, timeout=self.timeout
            )
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)

    def request(self, method: str, path: str, *, data: dict | None = None, headers: dict | None = None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        sent = {"Host": self.host, "User-Agent": "ensemble-smoke", **self.extra_headers}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin  # Django's CSRF check compares it with the host
        sent.update(headers or {})
        connection = self._connection()
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            response = Response(
                answer.status, answer.headers, answer.read(), f"{self.host}:{self.port}{path}", path
            )
        finally:
            connection.close()
        self._keep_cookies(response)
        return response

    def _keep_cookies(self, response: Response) -> None:
        for line in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)  # Django deletes a cookie this way
                else:
                    self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def follow(self, response: Response, *, limit: int = 8) -> Response:
        """Follow redirects within our host, as a browser would (GET after a POST)."""
        for _ in range(limit):
            if response.status not in (301, 302, 303, 307, 308):
                return response
            target = urlsplit(response.header("Location"))
            check(target.netloc in ("", self.host), f"redirected off the host: {response.header('Location')}")
            path = target.path + (f"?{target.query}" if target.query else "")
            response = self.get(path)
        raise SmokeFailure(f"more than {limit} redirects, last: {response.url}")


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "choices": {}, "ids": {}})
        elif not self.forms:
            return
        elif tag == "input":
            self._input(a)
        elif tag == "select":
            self._select = a.get("name")
            self.forms[-1]["choices"].setdefault(self._select, [])
        elif tag == "option" and self._select:
            self.forms[-1]["choices"][self._select].append(a.get("value", ""))
            if "selected" in a:
                self.forms[-1]["fields"][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1]["fields"][self._textarea] = ""

    def _input(self, a: dict) -> None:
        form, name, kind = self.forms[-1], a.get("name"), a.get("type", "text")
        if "id" in a:
            form["ids"][a["id"]] = a.get("value", "")
        if not name or kind in ("submit", "button", "file"):
            return
        if kind in ("checkbox", "radio"):
            form["choices"].setdefault(name, []).append(a.get("value", "on"))
            if "checked" in a:
                form["fields"][name] = a.get("value", "on")
            return
        form["fields"][name] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms(html: str) -> list[dict]:
    """Every form of the page: its action, its fields' current values (what a browser would post
    unchanged), the choices of its selects, radios and checkboxes, and its inputs' values by id."""
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def find_form(response: Response, *, field: str = "", action_end: str = "") -> dict:
    for form in forms(response.text):
        if field and field not in form["fields"] and field not in form["choices"]:
            continue
        if action_end and not form["action"].split("?")[0].endswith(action_end):
            continue
        form["action"] = form["action"] or response.path  # an empty action posts to the page itself
        return form
    raise SmokeFailure(f"no form with field {field!r} / action …{action_end!r} on {response.describe()}")


def totp(secret: str, *, at: float | None = None, digits: int = 6, period: int = 30) -> str:
    """RFC 6238 (HMAC-SHA1), as authenticator apps compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // period))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)
