"""The pre-commit hook this repository offers runs the real command on the files it selects."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("hook_id", "subcommand"), [("claimbank-validate", "validate"), ("claimbank-fmt", "fmt")]
)
def test_pre_commit_hooks_name_installed_commands(hook_id: str, subcommand: str) -> None:
    hooks = {
        h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    }
    assert sorted(hooks) == ["claimbank-fmt", "claimbank-validate"]
    hook = hooks[hook_id]
    command, named = shlex.split(hook["entry"])
    assert shutil.which(command), "the hook's entry must be the console script the package installs"
    assert named == subcommand
    assert subprocess.run([command, subcommand, "--help"], capture_output=True, check=False).returncode == 0
    assert hook["language"] == "python"
    assert re.search(hook["files"], "annotations/000_fb2fb690b74273a6.json")
    assert not re.search(hook["files"], "tests/cases/invalid/json-syntax/truncated.json")
