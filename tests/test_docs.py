"""The docs' examples run: the JSON example in docs/format.md validates, the README's Python runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from claimbank.validate import check_data

ROOT = Path(__file__).resolve().parents[1]


def _blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)\n```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_format_example_is_a_valid_file() -> None:
    (example,) = _blocks(ROOT / "docs" / "format.md", "json")
    data = json.loads(example)
    problems = check_data(data, name="docs/format.md", seeds_dir=ROOT / "tests" / "cases" / "seeds")
    assert [p.format() for p in problems] == []


def test_readme_python_example_runs() -> None:
    (example,) = _blocks(ROOT / "README.md", "python")
    result = subprocess.run(
        [sys.executable, "-c", example], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "according to" in result.stdout.lower()
    assert "non_attribution: No group" in result.stdout


def test_readme_commands_are_the_ci_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (commands,) = re.findall(r"## The two commands.*?```bash\n(.*?)```", readme, flags=re.DOTALL)
    lines = [line for line in commands.splitlines() if line and not line.startswith("#")]
    assert lines == ["python3 -m pip install -e . && claimbank validate", "bash scripts/test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "exec bash scripts/test\n" in ci
