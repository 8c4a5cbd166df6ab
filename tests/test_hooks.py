"""The pre-commit hook this repository offers runs the real command on the files it selects."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_pre_commit_hook_names_the_installed_validator() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "claimbank-validate"
    command, subcommand = shlex.split(hook["entry"])
    assert shutil.which(command), "the hook's entry must be the console script the package installs"
    assert subcommand == "validate"
    assert hook["language"] == "python"
    assert re.search(hook["files"], "annotations/000_fb2fb690b74273a6.json")
    assert not re.search(hook["files"], "tests/cases/invalid/json-syntax/truncated.json")
