"""The job's input: listed on the driver as small units of work, read on the executors one unit at a time.

Raw articles come as JSONL (one JSON object a line), Parquet (one row an article; each row group is one unit), or
``.txt`` files (one article each, its id the file's stem, as ``claimbank preannotate`` makes it). A record is an
object with ``id`` and ``text``, and optionally ``language`` and ``metadata`` (the annotation file's metadata
object: title, url, publisher, published, license); other fields are left out. Annotation files are listed as
``claimbank build`` lists them (:func:`claimbank.validate.core.iter_sources`).

The units' order is the input's order (paths sorted, as ``claimbank build`` sorts them, then lines or rows in
file order): every record's place is (unit index, index within the unit), whatever the partitioning.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from claimbank.util.jsonio import parse, read_bytes
from claimbank.validate.core import iter_sources
from claimbank.validate.problems import Problem, ProblemSink

RAW_SUFFIXES = (".jsonl", ".parquet", ".txt")


JSONL_CHUNK = 16 * 1024 * 1024  # a JSONL file larger than this is read as several units of about this size


class RawUnit(NamedTuple):
    """One unit of raw input: a ``.txt`` file, a stretch of whole lines of a JSONL file, or one row group of a
    Parquet file."""

    kind: str  # "txt", "jsonl" or "parquet"
    path: str
    part: int = 0  # the row group, for Parquet; the first byte, for JSONL
    end: int = -1  # JSONL: the byte after the unit's last line (-1: the end of the file)
    first_line: int = 1  # JSONL: the number of the unit's first line, counted from 1


@dataclass
class RawRecord:
    """One article as read: ``name`` says where it is (``FILE``, ``FILE:LINE`` or ``FILE:ROW``, counted from 1)."""

    name: str
    value: Any = None
    problems: list[Problem] = field(default_factory=list)


class InputError(Exception):
    """A path on the command line the job cannot use (the message is the one line to show)."""


def annotation_units(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """The annotation files under ``paths``, in ``claimbank build``'s order."""
    return list(iter_sources(paths))


def raw_units(paths: Iterable[Path]) -> list[RawUnit]:
    """The raw input under ``paths``: files as named, folders searched for ``*.jsonl``, ``*.parquet`` and ``*.txt``
    (sorted by path)."""
    units: list[RawUnit] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                os.path.join(root, name)
                for root, _, names in os.walk(path)
                for name in names
                if name.endswith(RAW_SUFFIXES)
            )
            units += [unit for name in found for unit in _units_of(name)]
        elif path.suffix in RAW_SUFFIXES:
            if not path.is_file():
                raise InputError(f"{path} does not exist")
            units += _units_of(str(path))
        else:
            raise InputError(f"{path}: not a folder, a .jsonl, a .parquet or a .txt file")
    return units


def _units_of(name: str) -> list[RawUnit]:
    kind = name.rsplit(".", 1)[1]
    if kind == "jsonl":
        return _jsonl_units(name)
    if kind != "parquet":
        return [RawUnit(kind, name)]
    import pyarrow.parquet as pq

    try:
        groups = pq.ParquetFile(name).metadata.num_row_groups
    except Exception:  # an unreadable file is one unit; its executor reports why
        groups = 1
    return [RawUnit("parquet", name, part) for part in range(max(groups, 1))]


def _jsonl_units(name: str) -> list[RawUnit]:
    """A JSONL file as stretches of whole lines of about :data:`JSONL_CHUNK` bytes, so that one large file is read
    by many tasks. The driver reads the file once to find line boundaries (and so every line keeps its number)."""
    try:
        if os.path.getsize(name) <= JSONL_CHUNK:
            return [RawUnit("jsonl", name)]
        units: list[RawUnit] = []
        start = position = 0
        first = 1
        with open(name, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                position += len(line)
                if position - start >= JSONL_CHUNK:
                    units.append(RawUnit("jsonl", name, start, position, first))
                    start, first = position, number + 1
        if position > start:
            units.append(RawUnit("jsonl", name, start, position, first))
        return units
    except OSError:
        return [RawUnit("jsonl", name)]  # its executor reports why it cannot be read


def read_raw(unit: RawUnit, max_bytes: int) -> Iterator[RawRecord]:
    """The records of one unit, each with its problems if it could not be read."""
    if unit.kind == "txt":
        yield _read_txt(unit.path, max_bytes)
    elif unit.kind == "jsonl":
        yield from _read_jsonl(unit, max_bytes)
    else:
        yield from _read_parquet(unit.path, unit.part)


def _read_txt(path: str, max_bytes: int) -> RawRecord:
    sink = ProblemSink(path)
    data = read_bytes(Path(path), sink, max_bytes)
    if data is None:
        return RawRecord(path, problems=sink.problems)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"byte 0x{data[error.start]:02X} at byte offset {error.start} is not UTF-8"
        return RawRecord(path, problems=[Problem("not-utf8", path, "", message)])
    return RawRecord(path, {"id": Path(path).stem, "text": text})


def _read_jsonl(unit: RawUnit, max_bytes: int) -> Iterator[RawRecord]:
    path = unit.path
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below; lines are read one at a time
    except OSError as error:
        yield RawRecord(path, problems=[Problem("file-unreadable", path, "", str(error.strerror or error))])
        return
    with handle:
        handle.seek(unit.part)
        position = unit.part
        for number, line in enumerate(handle, start=unit.first_line):
            if 0 <= unit.end <= position:
                break
            position += len(line)
            if not line.strip():
                continue
            name = f"{path}:{number}"
            if len(line) > max_bytes:
                message = f"the line is {len(line)} bytes, over the limit of {max_bytes}"
                yield RawRecord(name, problems=[Problem("file-too-large", name, "", message)])
                continue
            sink = ProblemSink(name)
            value = parse(line.rstrip(b"\r\n"), sink).value
            yield RawRecord(name, value, sink.problems)


def _read_parquet(path: str, part: int) -> Iterator[RawRecord]:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        first = sum(handle.metadata.row_group(i).num_rows for i in range(part))
        rows = handle.read_row_group(part).to_pylist() if handle.metadata.num_row_groups else []
    except Exception as error:  # pyarrow raises several kinds for a damaged file
        yield RawRecord(
            path, problems=[Problem("file-unreadable", path, "", f"not a readable Parquet file: {error}")]
        )
        return
    for offset, row in enumerate(rows, start=first + 1):
        yield RawRecord(f"{path}:{offset}", {key: value for key, value in row.items() if value is not None})
