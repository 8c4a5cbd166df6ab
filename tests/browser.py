"""A real headless browser for the tests of what a person looks at: Debian's chromium driven by playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's chromium, headless (never playwright's own browser download, which cannot work here)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CLAIMBANK_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (scripts/test installs it with apt-get)")
        pytest.skip("no chromium on this machine; scripts/test installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            yield launched
        finally:
            launched.close()
