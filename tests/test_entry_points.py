"""One verdict behind every entry point: each invalid case gets the same codes at the same pointers from the
Python API, `claimbank validate`, `load_document`, the dataset builder, and (for exports) `claimbank ls import`.

The case folders are the ones ``test_cases.py`` runs: ``tests/cases/invalid/<code>/`` (annotation files) and
``tests/cases/ls-invalid/<code>/`` (Label Studio exports, made by ``tests/tools/make_ls_cases.py``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from claimbank.cli import main
from claimbank.dataset.build import build
from claimbank.io.labelstudio.imports import plan_import, read_export
from claimbank.validate.core import ValidationFailed, load_document, validate_file
from claimbank.validate.problems import Report, codes_at

CASES = Path(__file__).parent / "cases"
INVALID = sorted((CASES / "invalid").glob("*/*.json"))
LS_INVALID = sorted((CASES / "ls-invalid").glob("*/*.json"))
_LINE = re.compile(r"^(?P<file>[^:]+):(?P<pointer>[^:]*): (?P<code>[a-z0-9-]+) ")


def _expected(case: Path) -> set[tuple[str, str]]:
    lines = case.with_suffix(".expect").read_text(encoding="utf-8").splitlines()
    return {(code, where) for code, _, where in (line.partition(" ") for line in lines if line.strip())}


def test_there_are_enough_invalid_cases() -> None:
    assert len(INVALID) + len(LS_INVALID) >= 44 + 10
    assert len({case.parent.name for case in [*INVALID, *LS_INVALID]}) >= 40


@pytest.mark.parametrize("case", INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_entry_point_gives_the_same_verdict(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _expected(case)
    api = validate_file(case)
    assert codes_at(api.problems) == expected

    status = main(["validate", "--format", "json", str(case)])
    report = json.loads(capsys.readouterr().out)
    cli = {(p["code"], p["pointer"]) for f in report["files"] for p in f["problems"]}
    api_report = Report()
    api_report.extend(str(case), api.problems)
    assert (cli, status) == (expected, api_report.exit_code)
    assert status != 0

    with pytest.raises(ValidationFailed) as failure:
        load_document(case)
    assert codes_at(failure.value.problems) == expected

    result = build([case], tmp_path / "dataset", seeds_dir=CASES / "seeds")
    assert codes_at(result.report.problems) == expected
    assert not (tmp_path / "dataset").exists(), "an invalid input must leave no output"


@pytest.mark.parametrize("case", LS_INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_label_studio_exports_get_the_same_verdict_from_api_and_cli(
    case: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = _expected(case)
    assert case.parent.name in {code for code, _ in expected}
    annotations = project / "annotations"
    before = (annotations / "mini.json").read_bytes()

    tasks, report = read_export(case)
    if tasks is not None:
        report = plan_import(tasks, str(case), annotations).report
    assert codes_at(report.problems) == expected

    status = main(["ls", "import", str(case), "--annotations", str(annotations)])
    captured = capsys.readouterr()
    lines = [m for m in map(_LINE.match, captured.out.splitlines()) if m]
    assert len(lines) == len(captured.out.splitlines()), captured.out
    assert {(m["code"], m["pointer"]) for m in lines} == expected
    assert status == report.exit_code != 0
    assert "Traceback" not in captured.out + captured.err
    assert (annotations / "mini.json").read_bytes() == before, "a rejected import must change nothing"
