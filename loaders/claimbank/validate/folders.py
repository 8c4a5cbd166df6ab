"""Whether a file stays inside a folder once links are followed, with the folders' real paths cached for one walk.

Apart from :mod:`claimbank.validate.checks` so that a run on valid files (the fast path) does not import the
checks: :mod:`claimbank.validate.core` asks it for every file of a folder walk.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


def inside(path: Path, folder: Path) -> bool:
    """``path`` is in ``folder`` once every link is followed (a missing file counts as inside: nothing to follow).

    Called once per file of a folder walk, so the folders' real paths are looked up once each; only a file that is
    itself a link is resolved on its own.
    """
    try:
        if os.path.islink(path):
            return os.path.realpath(path).startswith(_real(str(folder)) + os.sep)
        parent = _real(str(path.parent))
        root = _real(str(folder))
        return parent == root or parent.startswith(root + os.sep)
    except (OSError, RuntimeError, ValueError):  # a link loop; a NUL in a name
        return False


@lru_cache(maxsize=4096)
def _real(path: str) -> str:
    return os.path.realpath(path, strict=False)


def forget_folders() -> None:
    """Drop the cached real paths of folders (a folder walk starts with this)."""
    _real.cache_clear()
