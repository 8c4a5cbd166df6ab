"""Validation of annotation files: read strictly, check against the schema, then check what the schema cannot say.

This is the one validator behind every entry point: ``claimbank validate``, :func:`validate_paths`,
:func:`load_document`, and (later) the dataset builder and the importers.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimbank.format.paths import find_seeds_dir
from claimbank.util.jsonio import DEFAULT_MAX_BYTES, parse, read_bytes, read_limited
from claimbank.util.parallel import chunk_size, ordered_map
from claimbank.validate import fastpath, folders
from claimbank.validate.problems import Problem, ProblemSink, Report

if TYPE_CHECKING:
    from claimbank.format.model import Document


class ValidationFailed(Exception):
    """Raised by :func:`load_document` for an invalid file; ``problems`` says everything that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


class FileResult:
    """The outcome for one file: its problems, and the parsed JSON when it could be parsed."""

    def __init__(
        self,
        path: Path | str,
        problems: list[Problem],
        data: Any | None,
        decoded: Any | None = None,
        doc_id: str = "",
    ) -> None:
        self._path = path  # a name becomes a Path when asked for: most results are only counted
        self.problems = problems
        self._data = data
        # A file the fast path accepted keeps its decoded document, made plain JSON data only if someone asks
        # for it: one parse per file (msgspec.to_builtins costs a fifth of json.loads on the same bytes).
        self._decoded = decoded
        self._doc_id = doc_id

    @property
    def path(self) -> Path:
        if not isinstance(self._path, Path):
            self._path = Path(self._path)
        return self._path

    @property
    def document_id(self) -> str | None:
        """The document's id as the file gives it, if it gives a string."""
        if self._doc_id:
            return self._doc_id
        doc_id = self.data.get("id") if isinstance(self.data, dict) else None
        return doc_id if isinstance(doc_id, str) else None

    @property
    def data(self) -> Any | None:
        if self._data is None and self._decoded is not None:
            self._data = fastpath.to_data(self._decoded)
            self._decoded = None
        return self._data

    @property
    def ok(self) -> bool:
        return not self.problems


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The annotation files named by ``paths``: files as given, folders searched for ``*.json``, sorted."""
    for _, path in iter_sources(paths):
        yield Path(path)


def iter_sources(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """(a folder the file must stay inside, or ""; the file), as strings, sorted within each folder.

    Folders are searched for ``*.json`` files as ``Path.rglob`` does (links to folders are not followed; links to
    files are listed). A file found in a folder that is itself a link must stay inside the folder once followed:
    it comes with the folder, and :func:`validate_file` checks that. Any other file found there is inside by
    construction, and a file named directly is where the user says: both come with "".
    """
    paths = list(paths)
    seen: set[str] = set()  # a file named twice (or found again in a folder also named) is checked once
    for path in paths:
        if path.is_dir():
            # Strings, not Path objects: a million Path objects held at once would cost ~370 MB.
            folder = str(path)
            for name, link in sorted(_json_files(folder)):
                if len(paths) > 1:  # one folder alone lists each file once: no set of a million names
                    if os.path.normpath(name) in seen:
                        continue
                    seen.add(os.path.normpath(name))
                yield (folder if link else "", name)
        elif os.path.normpath(path) not in seen:
            seen.add(os.path.normpath(path))
            yield "", str(path)


def _json_files(folder: str) -> list[tuple[str, bool]]:
    """(path, is a link) of every ``*.json`` file under ``folder``; one ``scandir`` per folder, no ``stat`` but
    for links.

    Each path is spelled as ``Path`` spells it, the way every problem names its file: ``scandir(".")`` would give
    ``./x.json``, which a report then listed beside ``x.json`` as a second file.
    """
    found: list[tuple[str, bool]] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        here = current == os.curdir  # only the top: the folders below it are pending under their bare names
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    path = entry.name if here else entry.path
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(path)
                    elif entry.name.endswith(".json") and _listed(entry):
                        found.append((path, entry.is_symlink()))
        except OSError:
            continue  # a folder that cannot be listed, as rglob does
    return found


def _listed(entry: os.DirEntry[str]) -> bool:
    """A file, as rglob's ``is_file`` says; a link loop too (``is_file`` raises on it), so that reading it
    reports it for that file alone instead of ending the walk."""
    try:
        return entry.is_file()
    except OSError:
        return True


def check_data(
    data: Any,
    *,
    name: str,
    path: Path | None = None,
    seeds_dir: Path | None = None,
    has_floats: bool | None = None,
) -> list[Problem]:
    """Every problem of already-parsed annotation data (schema first, then the checks beyond it)."""
    # Imported here: the schema's validators and the models load pydantic and jsonschema, which a run on valid
    # files (the fast path) never needs; nor the checks.
    from claimbank.validate import checks, schema_check

    sink = ProblemSink(name)
    schema_check.check(data, sink, has_floats=has_floats)
    checks.check_document(data, sink, path=path, seeds_dir=seeds_dir)
    # One line per problem: the schema's explanation can reach one missing field by several routes (each
    # branch of a union), which for "{}" printed each of its 6 problems 6 times.
    return list(dict.fromkeys(sink.problems))


def validate_file(
    path: Path,
    *,
    seeds_dir: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str | None = None,
    within: Path | None = None,
) -> FileResult:
    """Validate one annotation file. ``seeds_dir`` defaults to the nearest ``seeds/`` above the file.

    ``within``: the folder the file was found in; a file that links outside it is reported, not read.
    An unexpected failure while checking it (a bug) becomes the file's ``internal-error`` problem, so that it never
    hides what the other files of a run have to report.
    """
    try:
        return _validate_file(path, seeds_dir=seeds_dir, max_bytes=max_bytes, name=name, within=within)
    except Exception as error:  # the last resort for one file; the run goes on
        return FileResult(path, [internal_error(name or str(path), error)], None)


def internal_error(name: str, error: BaseException) -> Problem:
    """The ``internal-error`` problem of one file, naming the exception (a bug in claimbank)."""
    if os.environ.get("CLAIMBANK_DEBUG"):
        raise error
    return Problem("internal-error", name, "", f"{type(error).__name__}: {error}")


def _validate_file(
    path: Path,
    *,
    seeds_dir: Path | None,
    max_bytes: int,
    name: str | None,
    within: Path | None,
) -> FileResult:
    sink = ProblemSink(name or str(path))
    if within is not None and not folders.inside(path, within):
        sink.add("path-outside-tree", "", f"{path} leads to {path.resolve()}, outside {within}")
        return FileResult(path, sink.problems, None)
    data = read_bytes(path, sink, max_bytes)
    if data is None:
        return FileResult(path, sink.problems, None)
    seeds = seeds_dir if seeds_dir is not None else find_seeds_dir(path.parent)
    return validate_bytes(data, name=sink.file, path=path, seeds_dir=seeds)


def validate_bytes(
    data: bytes, *, name: str, path: Path | None = None, seeds_dir: Path | None = None
) -> FileResult:
    """Validate the bytes of one annotation file (``path``, if given, is where it lives: its name is checked).

    A file :func:`claimbank.validate.fastpath.quick_check` is certain about is done; any other goes through the full
    validator, which finds and explains every problem.
    """
    quick = fastpath.quick_check(data, path=path, seeds_dir=seeds_dir)
    if quick is not None:
        return FileResult(path or name, [], None, decoded=quick, doc_id=quick.id)
    return _full_result(data, name=name, path=path, seeds_dir=seeds_dir)


def _full_result(data: bytes, *, name: str, path: Path | None, seeds_dir: Path | None) -> FileResult:
    """What the full validator finds in a file the fast path was not certain of."""
    sink = ProblemSink(name)
    parsed = parse(data, sink)
    if sink.problems:
        return FileResult(path or Path(name), sink.problems, parsed.value)
    problems = check_data(
        parsed.value, name=name, path=path, seeds_dir=seeds_dir, has_floats=parsed.has_floats
    )
    return FileResult(path or Path(name), problems, parsed.value)


def _check_one(
    source: tuple[str, str], seeds_dir: Path | None, max_bytes: int
) -> tuple[list[Problem], str | None]:
    """One file's problems and document id: what :func:`validate_paths` needs back from a worker.

    A file found outside a linked folder is read and tried on the fast path by its name as a string: a valid
    file then costs no ``Path`` objects, no sink and no result, which were a fifth of a valid file's time in a
    folder walk. The rest is :func:`validate_file`'s way, the same problems for the same file: the full
    validator on the bytes read, or (a file that cannot be read, or a bug) ``validate_file`` itself.
    """
    folder, name = source
    if not folder:
        data: bytes | None = None
        try:
            data = read_limited(name, max_bytes)
            seeds = seeds_dir if seeds_dir is not None else find_seeds_dir(_parent(name))
            quick = fastpath.quick_check(data, path=name, seeds_dir=seeds)
        except Exception:  # unreadable, or a bug: validate_file reads it again and says which
            data = quick = None
        if quick is not None:
            return [], quick.id
        if data is not None:  # what validate_file would do next with these bytes, under the name it gives
            path = Path(name)
            try:
                result = _full_result(data, name=str(path), path=path, seeds_dir=seeds)
            except Exception as error:  # the last resort for one file, as in validate_file
                return [internal_error(str(path), error)], None
            return result.problems, result.document_id
    within = Path(folder) if folder else None
    result = validate_file(Path(name), seeds_dir=seeds_dir, max_bytes=max_bytes, within=within)
    return result.problems, result.document_id


def _parent(name: str) -> str:
    """``str(Path(name).parent)`` for a file's name (the key :func:`find_seeds_dir` remembers folders by)."""
    return os.path.dirname(name) or "."


def validate_paths(
    paths: Iterable[Path], *, seeds_dir: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES, jobs: int = 1
) -> Report:
    """Validate every annotation file under ``paths``, including checks across files (duplicate ids).

    ``jobs`` > 1 checks files in that many worker processes; the report is the same, in the same order.
    """
    report = Report()
    seen: dict[str, str] = {}
    folders.forget_folders()  # folders' real paths are cached for one walk, not across walks
    sources = list(iter_sources(paths))
    check = partial(_check_one, seeds_dir=seeds_dir, max_bytes=max_bytes)
    results = ordered_map(check, sources, jobs, chunk_size(len(sources), jobs))
    for (_, name), (problems, doc_id) in zip(sources, results, strict=True):
        if doc_id is not None:
            if doc_id in seen:
                message = f"document {doc_id!r} is also in {seen[doc_id]}"
                problems = [*problems, Problem("duplicate-document", name, "/id", message)]
            else:
                seen[doc_id] = name
        report.extend(name, problems)
    return report


def load_document(path: Path, *, seeds_dir: Path | None = None, within: Path | None = None) -> Document:
    """Read, validate and return one annotation file as a :class:`~claimbank.format.model.Document`.

    Raises :class:`ValidationFailed` with every problem when the file is not valid. ``within``: as for
    :func:`validate_file` (a link out of that folder is ``path-outside-tree``, not read).
    """
    result = validate_file(path, seeds_dir=seeds_dir, within=within)
    if result.problems:
        raise ValidationFailed(result.problems)
    from claimbank.format.model import Document

    return Document.model_validate(result.data)
