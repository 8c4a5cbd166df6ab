"""Fixtures shared by the test modules (a module that needs another project defines its own ``project``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with the test seeds in ``seeds/`` and the hand-made mini document in ``annotations/``."""
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(CASES / "valid" / "mini.json", tmp_path / "annotations" / "mini.json")
    return tmp_path
