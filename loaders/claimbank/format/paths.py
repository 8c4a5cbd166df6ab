"""Where ClaimBank's files are: the schema (inside an installed wheel or a checkout) and a project's folders."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # claimbank/, this file being claimbank/format/paths.py

# Where `claimbank build` writes and `claimbank.load` reads by default, relative to the working directory.
DEFAULT_OUT = Path("build/dataset")


def schema_dir() -> Path:
    """The folder holding the JSON Schema files, for an installed wheel and for an editable checkout alike.

    The wheel carries ``schema/`` inside the package (``claimbank/schema``); a checkout has it at the repository's
    top level, two folders above the package (``loaders/claimbank``).
    """
    for candidate in (_PACKAGE / "schema", _PACKAGE.parents[1] / "schema"):
        if (candidate / "document.schema.json").is_file():
            return candidate
    raise FileNotFoundError(
        f"ClaimBank's schema files are missing: looked in {_PACKAGE / 'schema'} and {_PACKAGE.parents[1] / 'schema'}"
    )


def find_seeds_dir(start: Path | str) -> Path | None:
    """The nearest ``seeds/`` folder in ``start`` or one of its parents (the project an annotation file is in).

    Found folders are remembered per ``start`` made absolute (a walk over a folder of files asks once, not once a
    file: it was a third of ``claimbank validate``'s time; a relative ``start`` is another folder after a change
    of working folder); a miss is not remembered, so a ``seeds/`` made later is found.
    """
    key = os.path.abspath(start)
    found = _FOUND.get(key)
    if found is not None:
        return found
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / "seeds").is_dir():
            if len(_FOUND) >= 4096:
                _FOUND.clear()
            _FOUND[key] = folder / "seeds"
            return folder / "seeds"
    return None


_FOUND: dict[str, Path] = {}
