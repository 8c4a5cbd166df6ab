"""Atomic writes: a reader sees the old file or the new one, and a failed write leaves no debris."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from claimbank.format.canonical import canonical
from claimbank.format.model import Document
from claimbank.util.jsonio import dumps, write_atomic
from tests.strategies import documents


def test_write_atomic_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    write_atomic(target, "old\n")
    write_atomic(target, dumps({"text": "née 👩‍👧"}))
    assert target.read_text(encoding="utf-8") == '{\n  "text": "née 👩‍👧"\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_write_atomic_keeps_the_files_permissions(tmp_path: Path) -> None:
    # The temporary file is private (0600) while it is written; the result must not be.
    old_umask = os.umask(0o022)
    try:
        fresh = tmp_path / "new.json"
        write_atomic(fresh, "new\n")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        shared = tmp_path / "shared.json"
        shared.write_text("old\n", encoding="utf-8")
        shared.chmod(0o664)
        write_atomic(shared, "new\n")
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    finally:
        os.umask(old_umask)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the umask is read from /proc on Linux")
def test_write_atomic_reads_the_umask_without_setting_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Setting the umask to read it changes it for every other thread for a moment: /proc is read instead.
    old_umask = os.umask(0o027)
    try:

        def refuse(mask: int) -> int:
            raise AssertionError("os.umask called while writing")

        monkeypatch.setattr(os, "umask", refuse)
        write_atomic(tmp_path / "new.json", "new\n")
        assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    finally:
        monkeypatch.undo()
        os.umask(old_umask)


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    write_atomic(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "lone \ud800 surrogate")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.json"]


def test_dumps_refuses_nan() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        dumps({"x": float("nan")})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_dumps_is_exactly_the_standard_indented_json(data: dict[str, Any]) -> None:
    document = canonical(Document.model_validate(data))
    assert dumps(document) == json.dumps(document, ensure_ascii=False, indent=2) + "\n"
