"""The 0.1 module paths still import, with a DeprecationWarning that names the new path."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from claimbank import _compat


@pytest.mark.parametrize(("old", "new"), sorted(_compat.MOVED.items()))
def test_an_old_module_path_gives_the_new_modules_names_with_a_warning(old: str, new: str) -> None:
    sys.modules.pop(f"claimbank.{old}", None)
    with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
        alias = importlib.import_module(f"claimbank.{old}")
    target = importlib.import_module(new)
    public = [name for name in vars(target) if not name.startswith("_")]
    assert public
    assert all(getattr(alias, name) is getattr(target, name) for name in public)
    assert target.__spec__ is not None
    assert target.__spec__.name == new  # the moved module keeps its own identity


def test_from_import_of_an_old_path_works_in_a_fresh_process() -> None:
    code = "from claimbank.rows import row_to_document; from claimbank import brat; print(brat.to_ann.__module__)"
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "claimbank.io.brat.convert"
