"""ClaimBank: news articles annotated for claims and their attribution, as standoff JSON and HF datasets.

The Python API::

    from claimbank import load, load_document, validate_paths
    report = validate_paths([Path("annotations")])   # every problem, as data
    document = load_document(Path("annotations/000_fb2fb690b74273a6.json"))   # a typed, validated Document
    claims = load("claims")   # the built dataset (claimbank build), a datasets.DatasetDict
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimbank import _compat

if TYPE_CHECKING:
    from datasets import DatasetDict, IterableDatasetDict

    from claimbank.format.model import Document
    from claimbank.validate.core import ValidationFailed, load_document, validate_paths
    from claimbank.validate.problems import Problem, Report

_compat.install()  # the 0.1 module paths (claimbank.rows, …) still import, with a DeprecationWarning

# Each name of the API is imported when first used (PEP 562), so that `claimbank validate` on valid files, which
# never builds a model, does not pay for loading pydantic (tests/test_cli.py holds it to that).
_LAZY = {
    "Document": "claimbank.format.model",
    "Problem": "claimbank.validate.problems",
    "Report": "claimbank.validate.problems",
    "ValidationFailed": "claimbank.validate.core",
    "load_document": "claimbank.validate.core",
    "validate_paths": "claimbank.validate.core",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'claimbank' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Document",
    "Problem",
    "Report",
    "ValidationFailed",
    "__version__",
    "load",
    "load_document",
    "validate_paths",
]


def load(
    config: str = "documents", path: str | Path | None = None, **kwargs: Any
) -> DatasetDict | IterableDatasetDict:
    """A built ClaimBank config as a ``DatasetDict``: ``datasets.load_dataset(path, config, **kwargs)``.

    ``path`` defaults to ``build/dataset`` (where ``claimbank build`` writes); pass ``streaming=True`` or any other
    ``load_dataset`` argument through ``kwargs``. Training code that does not want this package can call
    ``datasets.load_dataset`` directly: the built folder needs nothing else.
    """
    import datasets

    from claimbank.dataset.features import CONFIGS
    from claimbank.format.paths import DEFAULT_OUT

    if config not in CONFIGS:
        raise ValueError(f"unknown config {config!r}; ClaimBank has {', '.join(CONFIGS)}")
    folder = Path(path) if path is not None else DEFAULT_OUT
    if not (folder / "README.md").is_file():
        raise FileNotFoundError(f"no built dataset at {folder}: run `claimbank build --out {folder}` first")
    result: DatasetDict | IterableDatasetDict = datasets.load_dataset(str(folder), config, **kwargs)
    return result
