"""`claimbank ls pull` against a real local HTTP server that answers as no Label Studio would (issue 16).

The server speaks enough of Label Studio's API for a pull (projects, an export made, waited for, downloaded and
deleted, users) and misbehaves on one path: it sends its answer a byte at a time, answers HTML, JSON nested
100,000 deep, a 5,000-digit number, an answer larger than the cap, or pages of projects that never end. Each
must give one clear line and exit 1 within a bounded time, the token never printed and nothing written.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "label_studio_sdk"
)  # imported before any clock starts: it takes seconds on a loaded machine

from claimbank.cli import main
from claimbank.io.labelstudio.client import Connection, LabelStudioError, export, find_project

CASES = Path(__file__).parent / "cases"
TOKEN = "sentinel-t0ken-hostile"
PROJECTS = {"count": 1, "next": None, "previous": None, "results": [{"id": 1, "title": "ClaimBank"}]}
EXPORT = {"id": 9, "status": "completed", "title": "claimbank pull"}

Answer = tuple[int, str, bytes]  # status, content type, body


def _normal(path: str) -> Answer:
    if path.startswith("/api/projects/1/exports/9/download"):
        return 200, "application/json", b"[]"
    if path.startswith("/api/projects/1/exports"):
        return 200, "application/json", json.dumps(EXPORT).encode()
    if path.startswith("/api/projects"):
        return 200, "application/json", json.dumps(PROJECTS).encode()
    if path.startswith("/api/users"):
        return 200, "application/json", b"[]"
    return 404, "application/json", b'{"detail": "Not found."}'


class _Server:
    """A threaded HTTP server on 127.0.0.1 whose answer to paths starting with ``bad`` is ``answer(path)``."""

    def __init__(self, bad: str, answer: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.requests.append(f"{self.command} {self.path}")
                if self.path.startswith(bad):
                    answer(self)
                    return
                status, kind, body = _normal(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _body(status: int, kind: str, body: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def _trickle(whole: bool, stop: threading.Event) -> Callable[[BaseHTTPRequestHandler], None]:
    """An answer sent one byte every 0.05 s (the headers too if ``whole``), for far longer than any time-out."""
    body = json.dumps(PROJECTS).encode() * 1000

    def answer(handler: BaseHTTPRequestHandler) -> None:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            + "X-Pad: "
            + "a" * 10_000
            + "\r\n\r\n"
        ).encode()
        if not whole:
            handler.wfile.write(head)
            head = b""
        try:
            for byte in head + body:
                if stop.is_set():
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            return  # the client gave up: as it should

    return answer


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", TOKEN)
    return TOKEN


def _pull(url: str, project: Path, *extra: str) -> int:
    return main(["ls", "pull", "--url", url, "--annotations", str(project / "annotations"), *extra])


HOSTILE = {
    "html-projects": ("/api/projects", _body(200, "text/html", b"<!DOCTYPE html><html>Please log in</html>")),
    "html-export": (
        "/api/projects/1/exports/9/download",
        _body(200, "text/html", b"<!DOCTYPE html><html>Please log in</html>"),
    ),
    "nested-projects": ("/api/projects", _body(200, "application/json", b"[" * 100_000 + b"]" * 100_000)),
    "nested-export": (
        "/api/projects/1/exports/9/download",
        _body(200, "application/json", b"[" * 100_000 + b"]" * 100_000),
    ),
    "nested-error": (
        "/api/projects",
        _body(500, "application/json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
    ),
    "digits-projects": (
        "/api/projects",
        _body(200, "application/json", b'{"count": 1' + b"9" * 5000 + b', "results": []}'),
    ),
    "digits-export": (
        "/api/projects/1/exports/9/download",
        _body(200, "application/json", b"[" + b"7" * 5000 + b"]"),
    ),
    "not-utf8-export": (
        "/api/projects/1/exports/9/download",
        _body(200, "application/json", b'["\xff\xfe"]'),
    ),
}

EXPECTED = {
    "html": "with something that is not JSON",
    "nested": "JSON nested too deep to read",
    "digits": "a number too long to read",
    "not-utf8": "not UTF-8",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_an_answer_no_label_studio_gives_is_one_clear_line(
    case: str, project: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the fix: HTML was quoted as Label Studio's refusal of status 200, and nested JSON or a long number
    made the command exit 3 (``RecursionError``, ``ValueError`` inside the SDK or the export's parse)."""
    bad, answer = HOSTILE[case]
    before = (project / "annotations" / "mini.json").read_bytes()
    started = time.monotonic()
    with _Server(bad, answer) as server:
        status = _pull(server.url, project)
    captured = capsys.readouterr()
    assert status == 1, captured.err
    assert time.monotonic() - started < 60  # the pull's own bound; the server would not stop for hours
    (line,) = captured.err.splitlines()
    assert line.startswith("claimbank ls pull: error: ")
    assert EXPECTED[case.split("-")[0] if not case.startswith("not-utf8") else "not-utf8"] in line, line
    assert "Traceback" not in captured.out + captured.err
    assert token not in captured.out + captured.err
    assert captured.out == ""
    assert (project / "annotations" / "mini.json").read_bytes() == before
    if case == "nested-error":
        assert len(server.requests) == 1  # not retried: the same server would answer the same


@pytest.mark.parametrize("whole", [False, True], ids=["body", "headers-and-body"])
def test_a_server_that_trickles_its_answer_meets_a_deadline(
    whole: bool, project: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One byte every 0.05 s never lets a read time out (60 s each); before the fix the pull waited for the
    whole answer, ~15 minutes here, and a server that never stops would hold it for ever. Now each request has a
    deadline in all (``--deadline``), headers included."""
    stop = threading.Event()
    started = time.monotonic()
    try:
        with _Server("/api/projects", _trickle(whole, stop)) as server:
            status = _pull(server.url, project, "--deadline", "1.5")
    finally:
        stop.set()
    took = time.monotonic() - started
    captured = capsys.readouterr()
    assert status == 1
    (line,) = captured.err.splitlines()
    assert "no whole answer within 1.5 s" in line, line
    assert took < 60, took  # the trickle would last 75 minutes
    assert token not in captured.err


def test_an_answer_over_the_size_cap_is_refused_unread(token: str) -> None:
    """The export is read up to ``max_answer_bytes`` and no further (a server could send without end)."""
    body = b"[" + b'"abcdefgh",' * 200_000 + b'"x"]'
    with _Server("/api/projects/1/exports/9/download", _body(200, "application/json", body)) as server:
        connection = Connection(server.url, TOKEN, attempts=1, max_answer_bytes=100_000)
        with pytest.raises(LabelStudioError) as failure:
            export(connection, find_project(connection, "ClaimBank"))
    assert "larger than 100,000 bytes" in str(failure.value)
    small = Connection(server.url, TOKEN, attempts=1)
    assert small.max_answer_bytes >= 2**30


def test_pages_of_projects_that_never_end_are_refused(token: str) -> None:
    """A server whose every page of projects is full and says there is a next one: the listing stops when a
    page repeats one already seen (it asked for pages for ever)."""
    page = {
        "next": "http://x/api/projects/?page=2",
        "previous": None,
        "count": 10_000,
        "results": [{"id": n, "title": f"p{n}"} for n in range(100)],  # a full page, the same every time
    }
    started = time.monotonic()
    with _Server("/api/projects", _body(200, "application/json", json.dumps(page).encode())) as server:
        connection = Connection(server.url, TOKEN, attempts=1)
        with pytest.raises(LabelStudioError) as failure:
            find_project(connection, "ClaimBank")
    assert "repeats" in str(failure.value)
    assert len(server.requests) < 10
    assert time.monotonic() - started < 60


def test_the_guard_holds_through_the_environments_proxy(
    project: Path, token: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A proxy named by HTTP_PROXY that answers a login page. Before the fix the environment's proxy was not used
    at all (httpx reads it only when it makes the transport itself: "cannot connect to" the host); now the request
    goes through the guard to the proxy (it names the Label Studio host) and the answer is refused in one line,
    as it is without a proxy."""
    login = _body(200, "text/html", b"<!DOCTYPE html><html>Please log in</html>")
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "NO_PROXY",
        "ALL_PROXY",
        "HTTPS_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    with _Server("", login) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        status = _pull("http://label-studio.invalid:8080", project, "--deadline", "30")
        captured = capsys.readouterr()
        assert status == 1, captured.err
        (line,) = captured.err.splitlines()
        assert "with something that is not JSON" in line, line
        assert proxy.requests, "the proxy was not used"
        assert "label-studio.invalid:8080/api/" in proxy.requests[0], proxy.requests
        assert token not in captured.out + captured.err
        seen = len(proxy.requests)
        with _Server("/none", login) as server:  # NO_PROXY names the host: straight to it, the proxy unused
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            assert _pull(server.url, project) == 0, capsys.readouterr().err
        assert len(proxy.requests) == seen


def test_a_proxy_of_a_scheme_the_guard_cannot_carry_is_one_clear_line(
    project: Path, token: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("http_proxy", "all_proxy", "no_proxy", "NO_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "socks5://127.0.0.1:1")
    status = _pull("http://label-studio.invalid:8080", project)
    captured = capsys.readouterr()
    assert status == 1
    (line,) = captured.err.splitlines()
    assert "through the environment's proxy" in line, line
    assert "'socks5' is not supported" in line, line


def test_a_well_behaved_server_still_pulls(
    project: Path, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same server, answering as Label Studio does: the guard lets it through (an empty export: nothing new)."""
    with _Server("/nowhere", _body(500, "text/plain", b"")) as server:
        status = _pull(server.url, project)
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "DELETE /api/projects/1/exports/9" in " ".join(server.requests)
