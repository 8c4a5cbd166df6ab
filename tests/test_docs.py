"""The docs' examples run: the JSON example in docs/format.md validates, the README's Python runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from claimbank.validate.core import check_data

ROOT = Path(__file__).resolve().parents[1]


def _blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)\n```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_format_example_is_a_valid_file() -> None:
    (example,) = _blocks(ROOT / "docs" / "format.md", "json")
    data = json.loads(example)
    problems = check_data(data, name="docs/format.md", seeds_dir=ROOT / "tests" / "cases" / "seeds")
    assert [p.format() for p in problems] == []


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _build(out: Path, *paths: str) -> None:
    """Build the dataset into ``out`` (a scratch folder), as the README's first command does in the checkout."""
    command = [sys.executable, "-m", "claimbank", "build", "--no-progress", "--out", str(out), *paths]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_python_examples_run(tmp_path: Path) -> None:
    _build(tmp_path / "build" / "dataset")
    # The tagger's example (it needs pycrfsuite and trains) is run by tests/test_tagger.py.
    validate_example, dataset_example = [
        b for b in _blocks(ROOT / "README.md", "python") if "pycrfsuite" not in b
    ]
    result = _python(dataset_example, tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
    result = _python(validate_example, ROOT)
    assert result.returncode == 0, result.stderr
    assert "according to" in result.stdout.lower()
    assert "non_attribution: No group" in result.stdout


def test_readme_commands_are_the_ci_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (commands,) = re.findall(r"## The two commands.*?```bash\n(.*?)```", readme, flags=re.DOTALL)
    lines = [line for line in commands.splitlines() if line and not line.startswith("#")]
    assert lines == [
        "python3 -m pip install -e . && claimbank validate && claimbank build",
        "bash scripts/test",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec bash scripts/test\n" in ci


def test_dataset_doc_example_runs(tmp_path: Path) -> None:
    example, _croissant = _blocks(ROOT / "docs" / "dataset.md", "python")  # the second: test_dataset_ml.py
    _build(tmp_path / "build" / "dataset", "tests/cases/valid")
    result = _python(example, tmp_path)
    assert result.returncode == 0, result.stderr
    # One line per document of the first split that has the case's non-attribution (the valid cases share it).
    lines = result.stdout.splitlines()
    assert lines
    assert set(lines) == {"No group | has claimed | responsibility for the attack"}


def test_brat_guide_example_prints_what_it_shows(tmp_path: Path) -> None:
    (block,) = [b for b in _blocks(ROOT / "docs" / "brat.md", "console") if "docs/examples/brat" in b]
    command, expected = block.splitlines()
    args = command.removeprefix("$ claimbank ").replace("imported/", f"{tmp_path}/").split()
    done = subprocess.run(
        [sys.executable, "-m", "claimbank", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == expected
    assert (tmp_path / "annotations" / "drones.json").exists()


def test_ci_guide_github_example_prints_what_it_shows() -> None:
    (block,) = [b for b in _blocks(ROOT / "docs" / "ci.md", "console") if "--format github" in b]
    command, *expected = block.splitlines()
    args = command.removeprefix("$ claimbank ").split()
    done = subprocess.run(
        [sys.executable, "-m", "claimbank", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert (done.stdout + done.stderr).splitlines() == expected
