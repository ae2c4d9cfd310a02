"""Shared helpers for the browser tests: Debian's Chromium driven by Playwright, axe-core."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from .needs import unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"


def require_chromium() -> None:
    """Skip with a visible reason on a person's machine; fail under CI, which installs it."""
    if os.path.exists(CHROMIUM):
        return
    unavailable(f"Chromium not found at {CHROMIUM} (run `make chromium`).")


def assert_accessible(page) -> None:
    """axe-core, WCAG 2.1 A and AA rules: zero violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def browser():
    """A headless Debian Chromium driven by Playwright's sync API."""
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test itself
    # makes (not the live server's) are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(page, live_server, user, password: str = "correct-horse-battery") -> None:
    page.goto(f"{live_server.url}/comptes/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
