"""Validation: the strict reader's verdicts, the JSON Schema and the checks beyond it, problems with stable codes,
and their renderers. ``validate_paths``, ``validate_file``, ``load_document`` … live in ``claimbank.validate.core``
and are re-exported here on first use (so that ``claimbank.validate.codes`` loads nothing else)."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    core = importlib.import_module("claimbank.validate.core")
    try:
        return getattr(core, name)
    except AttributeError:
        raise AttributeError(f"module 'claimbank.validate' has no attribute {name!r}") from None
