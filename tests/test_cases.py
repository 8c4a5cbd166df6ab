"""The validator against the case folders: every valid case passes, every invalid case reports exactly its problems.

Add a case by adding files: ``tests/cases/valid/<id>.json``, or ``tests/cases/invalid/<code>/<id>.json`` with
``<id>.expect`` listing ``CODE POINTER`` lines. No code changes needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimbank.validate.codes import CODES
from claimbank.validate.core import validate_file
from claimbank.validate.problems import codes_at

CASES = Path(__file__).parent / "cases"
VALID = sorted((CASES / "valid").glob("*.json"))
INVALID = sorted((CASES / "invalid").glob("*/*.json"))


def _expected(case: Path) -> set[tuple[str, str]]:
    lines = case.with_suffix(".expect").read_text(encoding="utf-8").splitlines()
    return {(code, where) for code, _, where in (line.partition(" ") for line in lines if line.strip())}


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_has_no_problems(case: Path) -> None:
    result = validate_file(case)
    assert [p.format() for p in result.problems] == []


@pytest.mark.parametrize("case", INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_invalid_case_reports_exactly_its_problems(case: Path) -> None:
    expected = _expected(case)
    assert case.parent.name in {code for code, _ in expected}, "a case must expect the code of its folder"
    result = validate_file(case)
    assert codes_at(result.problems) == expected, "\n".join(p.format() for p in result.problems)


def test_every_code_has_a_case() -> None:
    folders = {p.name for p in (CASES / "invalid").iterdir() if p.is_dir()}
    # Codes that need a missing path, a size limit, a renamed file or two files: tested in test_validate.py.
    # schema-invalid is the fallback for schema keywords the reporter does not name yet; no schema rule uses one.
    elsewhere = {
        "file-unreadable",
        "file-too-large",
        "file-name-mismatch",
        "duplicate-document",
        "schema-invalid",
        # A FIFO or a device cannot be committed; internal-error is a bug by definition, so no input file may
        # produce it for good: both are made on the spot in test_robust.py.
        "file-not-regular",
        "internal-error",
        "output-refused",  # a writer's refusal (a link, a read-only folder): test_fmt.py
    }
    # ls-* codes are about Label Studio exports, not annotation files: tested in test_labelstudio_import.py.
    elsewhere |= {code for code in CODES if code.startswith("ls-")}
    # brat-* codes are about .ann files: tested in test_brat.py.
    elsewhere |= {code for code in CODES if code.startswith("brat-")}
    untested = set(CODES) - folders - elsewhere
    assert untested == set(), f"codes without a case folder: {sorted(untested)}"
    assert folders <= set(CODES), f"case folders naming unknown codes: {sorted(folders - set(CODES))}"


def test_there_are_enough_cases() -> None:
    assert len(VALID) >= 1
    assert len(INVALID) >= 44
