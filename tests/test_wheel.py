"""The built wheel carries the schema files and finds them when installed (not only in a checkout)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
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
    assert "claimbank/rules/lexicon.json" in names
    assert "claimbank/cli.py" in names
    assert not any(name.startswith(("loaders/", "tests/")) for name in names)


def test_wheel_carries_the_compiled_module_when_there_is_a_compiler(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "claimbank/_fastcheck.pyi" in names  # its types, for the type checkers of claimbank's users
    sources = ("claimbank/_fastcheck.pyi", "claimbank/_fastcheck.c")
    compiled = [name for name in names if name.startswith("claimbank/_fastcheck.") and name not in sources]
    if not compiled and not os.environ.get("CLAIMBANK_REQUIRE_EXTENSION"):
        pytest.skip("no C compiler: the wheel is pure Python")
    assert compiled == [f"claimbank/_fastcheck{sysconfig.get_config_var('EXT_SUFFIX')}"]
    assert "claimbank/_fastcheck.c" not in names
    assert "-py3-none-any" not in wheel.name  # a compiled module makes a platform wheel


def test_installed_wheel_validates_with_its_own_schema(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import claimbank.paths as p, claimbank.schema as s, claimbank.fastpath as f;print(p.schema_dir()); "
        "s.validator(); f._codec(); print('ok', f._compiled is not None)"
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
    schema_dir, ok, compiled = result.stdout.split()
    assert Path(schema_dir) == site / "claimbank" / "schema"
    assert ok == "ok"
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    built = f"claimbank/_fastcheck{suffix}" in zipfile.ZipFile(wheel).namelist()
    assert compiled == str(built)  # the wheel's compiled module loads where it was built
