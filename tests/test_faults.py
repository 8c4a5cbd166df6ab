"""Faults injected into real runs: a killed import, a full disk, a read-only folder, two writers at once, a server
that never answers. In each, the error is clear and no data is lost or half-written.

(Also tested elsewhere: SIGKILL during a build in ``test_build.py``; Label Studio down, answering 503, and a 502
after an import that went through, in ``test_labelstudio_live.py``.)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from claimbank import load_document
from claimbank.cli import main
from claimbank.format.canonical import canonical
from claimbank.io.labelstudio.convert import to_results
from claimbank.testing.synth import corpus
from claimbank.validate.core import validate_paths

ROOT = Path(__file__).resolve().parents[1]


def _project(path: Path, documents: int) -> Path:
    """A project folder (annotations/ + seeds/) with the gold file and ``documents`` synthetic ones."""
    shutil.copytree(ROOT / "seeds", path / "seeds")
    shutil.copytree(ROOT / "annotations", path / "annotations")
    for text, annotation in corpus(documents, seed=3):
        (path / "seeds" / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        (path / "annotations" / f"{annotation['id']}.json").write_text(
            json.dumps(annotation, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return path


def _export(project: Path, annotation_id: int) -> Path:
    """A Label Studio export with one annotation (id ``annotation_id``) on every document of ``project``."""
    tasks: list[dict[str, Any]] = []
    for number, path in enumerate(sorted((project / "annotations").glob("*.json"))):
        document = canonical(load_document(path))
        first = document["annotation_sets"][0]
        tasks.append(
            {
                "id": number + 1,
                "data": {
                    "text": document["text"],
                    "document_id": document["id"],
                    "sha256": document["sha256"],
                },
                "annotations": [
                    {
                        "id": annotation_id,
                        "completed_by": annotation_id,
                        "result": to_results(first),
                        "was_cancelled": False,
                        "created_at": "2026-11-24T10:00:00Z",
                    }
                ],
            }
        )
    out = project / f"export-{annotation_id}.json"
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return out


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".claimbank.lock"  # the lock file is made once and stays empty
    }


def _claimbank(args: list[str], *, cwd: Path, fsize: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "claimbank", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        preexec_fn=limit,
        timeout=600,
        check=False,
    )


def test_a_full_disk_during_a_build_leaves_the_previous_dataset(tmp_path: Path) -> None:
    project = _project(tmp_path, 150)
    first = _claimbank(["build", "--out", "dataset", "--no-progress"], cwd=project)
    assert first.returncode == 0, first.stderr
    before = _snapshot(project / "dataset")
    (project / "annotations" / "000_fb2fb690b74273a6.json").touch()  # same content: the point is the rewrite
    full = _claimbank(["build", "--out", "dataset", "--no-progress"], cwd=project, fsize=16 * 1024)
    assert full.returncode == 2, full.stderr
    assert "File too large" in full.stderr
    assert "Traceback" not in full.stderr + full.stdout
    assert _snapshot(project / "dataset") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".dataset")] == []


def test_a_full_disk_during_an_import_changes_no_file(tmp_path: Path) -> None:
    project = _project(tmp_path, 3)
    export = _export(project, 41)
    before = _snapshot(project / "annotations")
    biggest = max(p.stat().st_size for p in (project / "annotations").glob("*.json"))
    args = ["ls", "import", str(export), "--annotations", "annotations"]
    result = _claimbank(args, cwd=project, fsize=biggest + 1024)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "File too large" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert _snapshot(project / "annotations") == before  # no file changed, no temporary file left


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    folder.chmod(0o555)
    try:
        yield
    finally:
        folder.chmod(0o755)


def _unprivileged(run: Callable[[], int]) -> tuple[int, str]:
    """``run()``'s status and stderr, as an unprivileged user: root ignores file permissions.

    As root, a forked child drops to ``nobody`` (the interpreter and claimbank are loaded already, so it needs
    no access to where Python lives); otherwise the call runs here.
    """
    if os.geteuid() != 0:
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = run()
        return status, err.getvalue()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 99
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                status = run()
            os.write(write, err.getvalue().encode())
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        stderr = pipe.read().decode()
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status), stderr


@pytest.fixture
def open_project(tmp_path: Path) -> Iterator[Path]:
    """A project in a folder every user may enter (pytest's own tmp_path is private to its owner)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="claimbank-faults-"))
    folder.chmod(0o755)
    try:
        project = _project(folder / "project", 3)
        for path in [project, *project.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield project
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def test_a_read_only_output_folder_gives_a_clear_error(open_project: Path) -> None:
    import claimbank.dataset.build  # noqa: F401  (loaded before the fork: the child may not reach Python's files)

    out_parent = open_project / "out"
    out_parent.mkdir()
    with _read_only(out_parent):
        status, stderr = _unprivileged(
            lambda: main(["build", str(open_project / "annotations"), "--out", str(out_parent / "dataset")])
        )
    assert status == 2, stderr
    assert "Permission denied" in stderr
    assert "Traceback" not in stderr
    assert list(out_parent.iterdir()) == []


def test_a_read_only_annotation_folder_is_left_as_it_was(open_project: Path) -> None:
    import claimbank.io.labelstudio.imports  # noqa: F401

    export = _export(open_project, 42)
    export.chmod(0o644)
    annotations = open_project / "annotations"
    before = _snapshot(annotations)
    with _read_only(annotations):
        status, stderr = _unprivileged(
            lambda: main(["ls", "import", str(export), "--annotations", str(annotations)])
        )
    assert status == 2, stderr
    assert "Permission denied" in stderr
    assert "Traceback" not in stderr
    assert _snapshot(annotations) == before


def test_sigkill_during_an_import_leaves_every_file_whole(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", 120)
    export = _export(project, 43)
    done = tmp_path / "done"
    shutil.copytree(project, done)
    finished = _claimbank(["ls", "import", str(export), "--annotations", "annotations"], cwd=done)
    assert finished.returncode == 0, finished.stderr
    old, new = _snapshot(project / "annotations"), _snapshot(done / "annotations")
    process = subprocess.Popen(
        [sys.executable, "-m", "claimbank", "ls", "import", str(export), "--annotations", "annotations"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while (
        _snapshot(project / "annotations") == old and process.poll() is None and time.monotonic() < deadline
    ):
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)  # as soon as the first file has been replaced
    process.wait()
    now = _snapshot(project / "annotations")
    # A file being written when the kill came stays behind as a temporary file (not *.json: nobody reads it);
    # the next writer in this folder sweeps it.
    now = {name: digest for name, digest in now.items() if not name.endswith(".tmp")}
    assert set(now) == set(old)
    assert all(now[name] in (old[name], new[name]) for name in now)
    assert any(now[name] != old[name] for name in now)
    assert validate_paths([project / "annotations"]).ok
    rerun = _claimbank(["ls", "import", str(export), "--annotations", "annotations"], cwd=project)
    assert rerun.returncode == 0, rerun.stderr
    assert _snapshot(project / "annotations") == new  # the import resumes to the same end, nothing twice


def test_two_imports_into_the_same_files_at_once_lose_nothing(tmp_path: Path) -> None:
    project = _project(tmp_path, 60)
    exports = [_export(project, 51), _export(project, 52)]
    for _ in range(2):
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "claimbank", "ls", "import", str(e), "--annotations", "annotations"],
                cwd=project,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for e in exports
        ]
        for process in processes:
            _, err = process.communicate(timeout=600)
            assert process.returncode == 0, err
    for path in (project / "annotations").glob("*.json"):
        sets = [s["id"] for s in json.loads(path.read_text(encoding="utf-8"))["annotation_sets"]]
        assert {"ls-annotation-51", "ls-annotation-52"} <= set(sets), path.name
        assert len(sets) == len(set(sets))
    assert validate_paths([project / "annotations"]).ok


def test_a_server_that_never_answers_times_out_a_bounded_number_of_times() -> None:
    """A socket that accepts and then says nothing: the real server cannot be made to hang on cue."""
    from claimbank.io.labelstudio.client import Connection, LabelStudioError, find_or_create_project

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    connection = Connection(
        f"http://127.0.0.1:{listener.getsockname()[1]}",
        "sentinel-t0ken",
        attempts=2,
        backoff=0.01,
        timeout=0.5,
    )
    connection.client()  # the SDK's import, before the clock starts: seconds on a loaded machine
    started = time.monotonic()
    try:
        with pytest.raises(LabelStudioError) as failure:
            find_or_create_project(connection, "x")
    finally:
        stop.set()
        thread.join()
        for connection_socket in accepted:
            connection_socket.close()
        listener.close()
    assert "failed 2 times" in str(failure.value)
    assert "Timeout" in str(failure.value)
    assert "sentinel-t0ken" not in str(failure.value)
    assert time.monotonic() - started < 30  # bounded: attempts x (SDK retries + 1) x timeout, not forever
