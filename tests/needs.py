"""What a test needs from the machine: on a person's machine a missing tool or server skips the
test with the reason; in CI (CI=true), which installs and starts everything, it fails it."""

import os

import pytest


def unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
