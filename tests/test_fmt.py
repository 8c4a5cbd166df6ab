"""`claimbank fmt`: valid files rewritten in the canonical form, invalid ones reported and never touched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from claimbank import load_document
from claimbank.cli import main
from claimbank.format.canonical import canonical, canonical_text

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).parent / "cases"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    data = json.loads((CASES / "valid" / "mini.json").read_text(encoding="utf-8"))
    # What a hand edit might leave: one long line, keys in another order, an explicit null.
    data = {key: data[key] for key in reversed(list(data))}
    data["annotation_sets"][0]["note"] = None
    (tmp_path / "annotations" / "mini.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_the_repository_annotations_are_formatted(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--check", str(ROOT / "annotations")]) == 0
    assert "would reformat" not in capsys.readouterr().out


def test_check_lists_the_file_and_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "annotations" / "mini.json"
    before = path.read_bytes()
    assert main(["fmt", "--check", str(project / "annotations")]) == 1
    assert f"would reformat {path}" in capsys.readouterr().out
    assert path.read_bytes() == before


def test_fmt_rewrites_the_same_content_in_canonical_form(project: Path) -> None:
    path = project / "annotations" / "mini.json"
    document = load_document(path)
    assert main(["fmt", str(project / "annotations")]) == 0
    text = path.read_text(encoding="utf-8")
    assert text == canonical_text(document)
    assert text.startswith('{\n  "schema_version"')
    assert canonical(load_document(path)) == canonical(document)
    assert main(["fmt", "--check", str(path)]) == 0  # formatting again changes nothing


def test_an_invalid_file_is_reported_and_left_alone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / "annotations" / "mini.json"
    broken = path.read_text(encoding="utf-8").replace('"text": "AFP"', '"text": "APF"', 1)
    path.write_text(broken, encoding="utf-8")
    assert main(["fmt", str(project / "annotations")]) == 1
    captured = capsys.readouterr()
    assert "span-text-mismatch" in captured.out
    assert "1 invalid (left as they are)" in captured.err
    assert path.read_text(encoding="utf-8") == broken


def test_an_unreadable_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", str(tmp_path / "missing.json")]) == 2
    assert "file-unreadable" in capsys.readouterr().out


def _copy_as(project: Path, doc_id: str, folder: Path) -> Path:
    data = json.loads((project / "annotations" / "mini.json").read_text(encoding="utf-8"))
    data["id"] = doc_id
    folder.mkdir(exist_ok=True)
    path = folder / f"{doc_id}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_link_is_that_files_problem_and_the_others_are_formatted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the fix a link among the files stopped the run with exit 2 ("refusing to write over a symbolic
    link"), and the files after it were not formatted. Now it is one ``output-refused`` line and the rest go on."""
    annotations = project / "annotations"
    real = _copy_as(project, "linked", annotations / "real")
    (annotations / "linked.json").symlink_to("real/linked.json")
    last = _copy_as(project, "zz", annotations)
    before = real.read_bytes()
    paths = [annotations / "mini.json", annotations / "linked.json", last]
    assert main(["fmt", *map(str, paths)]) == 2
    captured = capsys.readouterr()
    assert (
        f"{annotations / 'linked.json'}:: output-refused not reformatted: refusing to write over a symbolic link"
        in captured.out
    )
    assert f"reformatted {last}" in captured.out
    assert (annotations / "linked.json").is_symlink()
    assert real.read_bytes() == before
    assert canonical_text(load_document(last)) == last.read_text(encoding="utf-8")
    assert "3 file(s): 2 reformatted, 1 invalid" in captured.err
