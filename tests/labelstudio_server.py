"""A real Label Studio server for the tests: started on 127.0.0.1 with a temporary data dir and a fixed token.

The server runs from its own virtual environment (``.cache/label-studio-venv``, made once by scripts/test), so
that its pins (numpy, pyarrow, Django, ...) never reach the environment the package is tested in, which gets only
the SDK (the ``labelstudio`` extra). ``CLAIMBANK_LABEL_STUDIO`` names another ``label-studio`` executable; without
either, one on PATH is used.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TOKEN = "claimbank-test-token-0123456789"
# Variables Label Studio reads bare (PORT, USERNAME, ...): cleared so that the machine's environment cannot steer it.
CLEARED = ("PORT", "HOST", "USERNAME", "PASSWORD", "DJANGO_SETTINGS_MODULE")


USERNAME = "claimbank@example.com"
PASSWORD = "claimbank-test-password"


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    log: Path
    username: str = USERNAME
    password: str = PASSWORD


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    request = urllib.request.Request(
        f"{url}/api/current-user/whoami", headers={"Authorization": f"Token {TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


VENV = Path(__file__).resolve().parents[1] / ".cache" / "label-studio-venv"


def executable() -> str | None:
    """The ``label-studio`` to start: $CLAIMBANK_LABEL_STUDIO, else the cached venv's, else one on PATH."""
    named = os.environ.get("CLAIMBANK_LABEL_STUDIO")
    if named:
        return named
    cached = VENV / "bin" / "label-studio"
    complete = (VENV / ".complete").exists()  # written by scripts/test once the install has finished
    return str(cached) if complete and cached.exists() else shutil.which("label-studio")


def start(data_dir: Path, *, timeout: float = 600) -> Iterator[Server]:
    """Start Label Studio, wait until it answers on the port it was given, stop it afterwards.

    It takes ~40 s on a quiet 2-core machine and more than 300 s was seen at load 11, hence the 600 s budget (a
    server that exits fails at once)."""
    executable_path = executable()
    if executable_path is None:
        if os.environ.get("CLAIMBANK_REQUIRE_LABEL_STUDIO"):
            pytest.fail("label-studio is required (scripts/test installs it)")
        pytest.skip("label-studio is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env |= {
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "DJANGO_DB": "sqlite",
        "LABEL_STUDIO_USERNAME": USERNAME,
        "LABEL_STUDIO_PASSWORD": PASSWORD,
        "LABEL_STUDIO_USER_TOKEN": TOKEN,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_LATEST_VERSION_CHECK": "false",
        # Its guard against server-side request forgery refuses an ML backend on 127.0.0.1: ML_BLOCK_LOCAL_IP for
        # the backend's URL, USE_DEFAULT_BANNED_SUBNETS for the webhook it creates for the backend.
        "ML_BLOCK_LOCAL_IP": "false",
        "USE_DEFAULT_BANNED_SUBNETS": "false",
    }
    log = data_dir / "label-studio.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [executable_path, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Label Studio did not answer on {url}; see {log}:\n{log.read_text()[-2000:]}")
            time.sleep(1)
        yield Server(url, TOKEN, log)
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
