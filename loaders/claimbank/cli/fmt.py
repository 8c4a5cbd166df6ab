"""`claimbank fmt`: annotation files rewritten in the one form ClaimBank itself writes.

That form is :func:`claimbank.util.jsonio.dumps` of :func:`claimbank.format.canonical.canonical`: two-space indented UTF-8 JSON,
fields in the models' order, null optional fields left out, a final newline. Every importer and the
pre-annotator write it, so a file edited by hand and formatted again differs from the others only where its
content does, and diffs stay small. Only a valid file is rewritten (formatting must never hide a problem), under
its folder's lock, atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from claimbank.format.canonical import canonical_text
from claimbank.format.model import Document
from claimbank.util.jsonio import (
    DEFAULT_MAX_BYTES,
    Unreadable,
    check_output,
    folder_lock,
    read_limited,
    write_atomic,
)
from claimbank.validate.core import iter_sources, validate_file
from claimbank.validate.problems import Problem


@dataclass(frozen=True)
class Outcome:
    """What formatting one file found: its problems (then it is left alone), or whether its text changes."""

    path: Path
    problems: list[Problem]
    changed: bool


def format_file(
    path: Path, *, write: bool, within: Path | None = None, seeds_dir: Path | None = None
) -> Outcome:
    """Validate ``path`` and, when ``write``, rewrite it in canonical form if it is not in it already.

    The folder's lock is taken only when there is something to write (a file already in form is left alone even
    in a read-only folder), and the file is checked again under it: another command may have changed it.

    A file that cannot be rewritten (a link, which a rename would replace with a copy; a read-only folder) is
    that file's ``output-refused`` problem, and the other files are formatted all the same (a link stopped the
    whole run before).
    """
    outcome, text = _look(path, within, seeds_dir)
    if not write or not outcome.changed:
        return outcome
    try:
        check_output(path)
        with folder_lock(path.parent):
            outcome, text = _look(path, within, seeds_dir)
            if outcome.changed:
                write_atomic(path, text)
    except OSError as error:
        why = error.strerror or type(error).__name__
        problem = Problem("output-refused", str(path), "", f"not reformatted: {why}")
        return Outcome(path, [problem], changed=False)
    return outcome


def _look(path: Path, within: Path | None, seeds_dir: Path | None) -> tuple[Outcome, str]:
    result = validate_file(path, seeds_dir=seeds_dir, max_bytes=DEFAULT_MAX_BYTES, within=within)
    if result.problems:
        return Outcome(path, result.problems, changed=False), ""
    text = canonical_text(Document.model_validate(result.data))
    try:
        current = read_limited(path)
    except Unreadable as refusal:  # it changed since it was validated
        return Outcome(path, [Problem(refusal.code, str(path), "", refusal.message)], changed=False), ""
    return Outcome(path, [], changed=current != text.encode("utf-8")), text


def format_paths(paths: Iterable[Path], *, write: bool, seeds_dir: Path | None = None) -> Iterator[Outcome]:
    """:func:`format_file` for every annotation file under ``paths`` (files as given, folders searched)."""
    for folder, name in iter_sources(paths):
        yield format_file(
            Path(name), write=write, within=Path(folder) if folder else None, seeds_dir=seeds_dir
        )
