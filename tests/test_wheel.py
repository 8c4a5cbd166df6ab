"""The built wheel carries the schema files and finds them when installed (not only in a checkout)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("claimbank-*.whl")
    return built


def test_wheel_holds_the_package_and_the_schema(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "claimbank/schema/document.schema.json" in names
    assert "claimbank/py.typed" in names
    assert "claimbank/annotate/rules/lexicon.json" in names
    assert "claimbank/cli/main.py" in names
    assert not any(name.startswith(("loaders/", "tests/")) for name in names)


def test_the_wheel_is_pure_python(wheel: Path) -> None:
    """No compiled code of our own: one wheel for every platform and Python."""
    names = zipfile.ZipFile(wheel).namelist()
    assert wheel.name.endswith("-py3-none-any.whl")
    assert not [name for name in names if name.endswith((".so", ".pyd", ".c", ".dylib"))]


def test_installed_wheel_validates_with_its_own_schema(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import claimbank.format.paths as p, claimbank.format.schema as s, claimbank.validate.fastpath as f;print(p.schema_dir()); "
        "s.validator(); f._codec(); print('ok')"
    )
    # -I: isolated mode, so neither the checkout nor the editable install is on the path.
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {probe}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    schema_dir, ok = result.stdout.split()
    assert Path(schema_dir) == site / "claimbank" / "schema"
    assert ok == "ok"
