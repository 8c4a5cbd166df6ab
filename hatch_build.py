"""Build hook (hatchling): compile claimbank's optional C module, ``claimbank._fastcheck``.

The module makes ``claimbank validate`` about twice as fast (docs/benchmarks.md); without it claimbank runs the
same checks in Python. So a failed compile is a warning, never a failed install: a machine without a C compiler
gets a working, slower claimbank. ``CLAIMBANK_NO_EXTENSION=1`` skips the compile.

- a wheel gets the compiled file inside ``claimbank/`` and a platform tag;
- an editable install (``pip install -e .``) gets it beside the sources, in ``loaders/claimbank/``.

setuptools does the compiling (it knows each platform's compiler and flags); it is in ``build-system.requires``.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("loaders/claimbank/_fastcheck.c")
MODULE = "claimbank._fastcheck"


def compile_extension(root: Path, out_dir: Path) -> Path:
    """Compile the module into ``out_dir``; the path of the built file. Raises on any failure."""
    from setuptools import Distribution, Extension
    from setuptools.command.build_ext import build_ext

    extension = Extension(MODULE, [str(root / SOURCE)], extra_compile_args=_flags())
    command = build_ext(Distribution({"name": "claimbank", "ext_modules": [extension]}))
    with tempfile.TemporaryDirectory() as temp:
        command.build_lib = str(out_dir)
        command.build_temp = temp
        command.ensure_finalized()
        command.run()
    built = out_dir / "claimbank" / f"_fastcheck{sysconfig.get_config_var('EXT_SUFFIX')}"
    if not built.is_file():
        raise FileNotFoundError(built)
    return built


def _flags() -> list[str]:
    if sys.platform == "win32":
        return ["/O2"]
    return ["-O2", "-Wall", "-Wno-unused-parameter", "-Wno-missing-field-initializers"]


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if os.environ.get("CLAIMBANK_NO_EXTENSION"):
            return
        root = Path(self.root)
        try:
            if version == "editable":
                # The editable install imports from loaders/: the compiled file goes beside the sources.
                with tempfile.TemporaryDirectory() as out:
                    built = compile_extension(root, Path(out))
                    target = root / "loaders" / "claimbank" / built.name
                    # Copied beside, then renamed: a process running the old file keeps its copy intact.
                    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                    shutil.copyfile(built, staged)
                    os.replace(staged, target)
                return
            out = Path(self.directory) / "fastcheck-build"
            built = compile_extension(root, out)
        except Exception as error:  # any failure: a slower claimbank, not a failed install
            sys.stderr.write(
                f"claimbank: the optional C module was not built ({type(error).__name__}: {error}); "
                "validation runs in Python, about half as fast\n"
            )
            return
        build_data["force_include"][str(built)] = f"claimbank/{built.name}"
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
