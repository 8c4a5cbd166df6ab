"""The module paths of ClaimBank 0.1's flat layout, kept working for a while: ``import claimbank.rows`` gives
``claimbank.dataset.rows`` with a ``DeprecationWarning`` naming the new path. The API names of ``claimbank``
itself (``load_document``, ``validate_paths``, …) did not move.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

# old module (claimbank.<name>) -> where it lives now
MOVED: dict[str, str] = {
    "vocab": "claimbank.format.vocab",
    "model": "claimbank.format.model",
    "formats": "claimbank.format.constants",
    "schema": "claimbank.format.schema",
    "schema_file": "claimbank.format.shipped",
    "paths": "claimbank.format.paths",
    "jsonio": "claimbank.util.jsonio",
    "parallel": "claimbank.util.parallel",
    "codes": "claimbank.validate.codes",
    "problems": "claimbank.validate.problems",
    "checks": "claimbank.validate.checks",
    "schema_check": "claimbank.validate.schema_check",
    "fastpath": "claimbank.validate.fastpath",
    "github": "claimbank.validate.github",
    "features": "claimbank.dataset.features",
    "segment": "claimbank.dataset.segment",
    "rows": "claimbank.dataset.rows",
    "build": "claimbank.dataset.build",
    "card": "claimbank.dataset.card",
    "synth": "claimbank.testing.synth",
    "labelstudio": "claimbank.io.labelstudio.convert",
    "lsclient": "claimbank.io.labelstudio.client",
    "lsimport": "claimbank.io.labelstudio.imports",
    "cli_ls": "claimbank.io.labelstudio.command",
    "brat": "claimbank.io.brat.convert",
    "cli_brat": "claimbank.io.brat.command",
    "cli_common": "claimbank.cli.common",
    "fmt": "claimbank.cli.fmt",
    "docgen": "claimbank.cli.docgen",
    "preannotate": "claimbank.annotate.preannotate",
    "agreement": "claimbank.annotate.agreement",
    "html": "claimbank.annotate.html",
}


class _Alias(ModuleType):
    """A stand-in module whose names are the moved module's (the moved module itself keeps its own spec)."""

    __target__: str

    def __getattr__(self, name: str) -> object:
        return getattr(importlib.import_module(self.__target__), name)

    def __dir__(self) -> list[str]:
        return dir(importlib.import_module(self.__target__))


class _Loader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(
            f"{spec.name} moved to {self.target} (ClaimBank 0.2); the old path will go in a later release",
            DeprecationWarning,
            stacklevel=2,
        )
        alias = _Alias(spec.name)
        alias.__target__ = self.target
        return alias

    def exec_module(self, module: ModuleType) -> None:
        importlib.import_module(self.target)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.partition(".")
        if package != "claimbank" or name not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(MOVED[name]))


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
