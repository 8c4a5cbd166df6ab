"""Strict JSON reading and atomic JSON writing.

Python's ``json`` silently keeps the last of duplicate keys, accepts ``NaN``/``Infinity`` and lone surrogates;
each of those hides a corrupt annotation file, so here they are problems with a JSON Pointer. Nothing is read
through ``eval`` or pickle.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from claimbank.format.constants import MAX_SAFE_INT
from claimbank.validate.problems import ProblemSink, pointer

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BOM = b"\xef\xbb\xbf"


class _Marked(dict[str, Any]):
    """A JSON object that had duplicate keys; remembers which, so the walk can point at them."""

    duplicates: list[str]


class _NonFinite(float):
    """Stands in for NaN/Infinity so that the walk can point at each one."""

    literal: str


class _Decoder(json.JSONDecoder):
    """A decoder whose hooks note what needs a second look, so that clean files skip the walk."""

    def __init__(self) -> None:
        super().__init__(
            object_pairs_hook=self._object_pairs,
            parse_constant=self._constant,
            parse_int=self._int,
            parse_float=self._float,
        )
        self.suspicious = False
        self.saw_float = False

    def _object_pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        self.suspicious = True
        marked = _Marked(obj)
        seen: set[str] = set()
        marked.duplicates = []
        for key, _ in pairs:
            if key in seen:
                marked.duplicates.append(key)
            seen.add(key)
        return marked

    def _constant(self, literal: str) -> float:
        self.suspicious = True
        value = _NonFinite(float(literal))
        value.literal = literal
        return value

    def _float(self, literal: str) -> float:
        self.saw_float = True
        return float(literal)

    def _int(self, digits: str) -> int:
        if len(digits) > 15:
            self.suspicious = True
            if len(digits.lstrip("-")) > _MAX_DIGITS:
                # int() refuses more than 4,300 digits (a guard against slow conversions); such a number is
                # far beyond 2^53 anyway, so it stands in as one that is reported, with its length.
                return _Huge(digits)
        return int(digits)


_MAX_DIGITS = 100


class _Huge(int):
    """An integer too long to convert: reported as ``json-number-too-large`` with its number of digits."""

    digits: int

    def __new__(cls, literal: str) -> _Huge:
        value = super().__new__(cls, MAX_SAFE_INT + 1 if not literal.startswith("-") else -MAX_SAFE_INT - 1)
        value.digits = len(literal.lstrip("-"))
        return value

    def __repr__(self) -> str:
        return f"<an integer of {self.digits} digits>"

    __str__ = __repr__


def _walk(value: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value with its path, depth first; iterative, so that deep nesting cannot overflow the stack."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        yield path, item
        if isinstance(item, dict):
            stack.extend(((*path, key), child) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(((*path, index), child) for index, child in reversed(list(enumerate(item))))


def _line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


class Parsed(NamedTuple):
    """A parsed JSON value, and whether its text held any float (no annotation field is one)."""

    value: Any | None
    has_floats: bool


def parse_json(data: bytes, sink: ProblemSink) -> Any | None:
    """Decode and parse ``data`` strictly; report every problem to ``sink``; return the value or ``None``."""
    return parse(data, sink).value


def parse(data: bytes, sink: ProblemSink) -> Parsed:
    """:func:`parse_json`, also telling whether the text held a float."""
    if not data.strip():
        sink.add("file-empty", "", "the file holds no JSON")
        return Parsed(None, False)
    if data.startswith(_BOM):
        sink.add("utf8-bom", "", "the file starts with the bytes EF BB BF")
        return Parsed(None, False)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0) != (data[1] == 0)):
        # A NUL beside every ASCII character (or a UTF-16 byte-order mark): not Latin-1, UTF-16.
        sink.add(
            "not-utf8", "", "the file is UTF-16 text (a byte-order mark or NUL bytes between characters)"
        )
        return Parsed(None, False)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_column(data[: error.start].decode("utf-8", "replace"), error.start)
        sink.add(
            "not-utf8",
            "",
            f"byte 0x{data[error.start]:02X} at byte offset {error.start} is not UTF-8 "
            "(Latin-1 or Windows-1252 text?)",
            line=line,
            column=column,
        )
        return Parsed(None, False)
    decoder = _Decoder()
    try:
        value = decoder.decode(text)
    except json.JSONDecodeError as error:
        sink.add("json-syntax", "", error.msg, line=error.lineno, column=error.colno)
        return Parsed(None, False)
    except RecursionError:
        sink.add("json-too-deep", "", "nesting exceeds what the JSON reader can follow")
        return Parsed(None, False)
    if decoder.suspicious or _SURROGATE_ESCAPE.search(text):
        _check_values(value, sink)
    return Parsed(value, decoder.saw_float)


def _check_values(value: Any, sink: ProblemSink) -> None:
    for path, item in _walk(value):
        if isinstance(item, _Marked):
            for key in item.duplicates:
                sink.add("json-duplicate-key", pointer(*path, key), f"key {key!r} appears more than once")
        elif isinstance(item, _NonFinite):
            sink.add("json-nonfinite-number", pointer(*path), f"{item.literal} is not a JSON number")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_SAFE_INT:
            shown = (
                str(item)
                if isinstance(item, _Huge) or item < 10**30
                else f"an integer of {len(str(item))} digits"
            )
            sink.add("json-number-too-large", pointer(*path), f"{shown} is beyond 2^53")
        elif isinstance(item, str) and _SURROGATE.search(item):
            sink.add("json-lone-surrogate", pointer(*path), "the string holds an unpaired surrogate escape")
        if isinstance(item, dict):
            for key in item:
                if _SURROGATE.search(key):
                    sink.add(
                        "json-lone-surrogate", pointer(*path), f"the key {key!r} holds an unpaired surrogate"
                    )


class Unreadable(Exception):
    """Why a file cannot be read: a problem ``code`` (``file-unreadable``, ``file-too-large``,
    ``file-not-regular``) and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_READ_FLAGS_NOFOLLOW = _READ_FLAGS | getattr(os, "O_NOFOLLOW", 0)


def read_limited(path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, *, follow: bool = True) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them; raises :class:`Unreadable`.

    Never blocks and never reads without end: the file is opened with ``O_NONBLOCK`` (so a FIFO does not wait
    for a writer) and refused unless ``fstat`` says it is a regular file (a FIFO, socket or device is
    ``file-not-regular``); at most ``max_bytes + 1`` bytes are read, so a file that grows while it is read is
    still bounded. ``follow=False`` refuses a symbolic link at ``path`` itself.
    """
    flags = _READ_FLAGS if follow else _READ_FLAGS_NOFOLLOW
    try:
        # Plain os calls: open() builds a buffered reader that costs as much as the rest of the read.
        handle = os.open(path, flags)
    except ValueError as error:  # a NUL in the name
        raise Unreadable("file-unreadable", f"the name is not a usable path ({error})") from None
    except OSError as error:
        raise Unreadable("file-unreadable", error.strerror or str(error)) from None
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("file-unreadable", "Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("file-not-regular", f"it is {_kind(info.st_mode)}, not a regular file; not read")
        size = info.st_size
        if size > max_bytes:
            raise Unreadable("file-too-large", f"{size} bytes is more than the limit of {max_bytes}")
        # One byte more than the size, to see whether the file grew; then never more than the limit and a byte.
        data = os.read(handle, min(size, max_bytes) + 1)
        if len(data) > size or size == 0:  # it grew, or it is a file with no size (in /proc, for one)
            chunks, total = [data], len(data)
            while total <= max_bytes and (more := os.read(handle, min(1 << 20, max_bytes + 1 - total))):
                chunks.append(more)
                total += len(more)
            data = b"".join(chunks)
    except OSError as error:
        raise Unreadable("file-unreadable", error.strerror or str(error)) from None
    finally:
        os.close(handle)
    if len(data) > max_bytes:
        raise Unreadable("file-too-large", f"more than the limit of {max_bytes} bytes")
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bytes(path: Path, sink: ProblemSink, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | None:
    """The bytes of ``path``, or ``None`` after reporting why it cannot be read (see :func:`read_limited`)."""
    try:
        return read_limited(path, max_bytes)
    except Unreadable as refusal:
        sink.add(refusal.code, "", refusal.message)
        return None


def read_json(path: Path, sink: ProblemSink, max_bytes: int = DEFAULT_MAX_BYTES) -> Parsed:
    """Read ``path`` and :func:`parse` it; a file that cannot be read is a problem, not an exception."""
    data = read_bytes(path, sink, max_bytes)
    return Parsed(None, False) if data is None else parse(data, sink)


def dumps(value: Any) -> str:
    """The canonical text of an annotation file: UTF-8 JSON, two-space indent, a final newline.

    The text is exactly ``json.dumps(value, ensure_ascii=False, indent=2)`` (``test_jsonio.py`` holds it to
    that on hostile documents), made ten times faster: the C encoder writes it compactly (refusing NaN), msgspec
    indents it.
    """
    compact = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return msgspec.json.format(compact, indent=2) + "\n"


LOCK_NAME = ".claimbank.lock"


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``folder`` (on a ``.claimbank.lock`` file in it) while the body runs.

    Every command that reads annotation files, changes them and writes them back takes it, so that two such
    commands on one folder run one after the other instead of each overwriting what the other added. The lock
    goes with the process: a killed command leaves no stale lock behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        sweep_temporary(folder)
        yield
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (one we may not signal counts as existing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_temporary(folder: Path) -> None:
    """Remove the temporary files that :func:`write_atomic` calls killed mid-write left in ``folder``.

    Each names its writer's process id; a file whose writer still runs is its, and is left alone.
    """
    for path in folder.glob(".*.tmp"):
        pid = path.name.rsplit(".", 3)[-3] if path.name.count(".") >= 4 else ""
        if pid.startswith("pid") and pid[3:].isdigit() and not pid_alive(int(pid[3:])):
            path.unlink(missing_ok=True)


def _umask() -> int:
    """The process's umask. Linux shows it in /proc (a read, safe beside other threads); elsewhere it can only be
    read by setting it, which briefly changes it for every thread of the process."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o22)
    os.umask(umask)
    return umask


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


class RefusedOutput(OSError):
    """An output path that a writer will not replace: it is not a regular file (or missing), or it is an input."""

    def __init__(self, path: Path | str, why: str) -> None:
        super().__init__(errno.EEXIST, f"refusing to write over {why}", str(path))


def check_output(path: Path | str) -> None:
    """Raise :class:`RefusedOutput` unless ``path`` is missing or a regular file (not a link, FIFO, socket,
    device or folder): an atomic rename would replace the thing itself, not write into it."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except ValueError:  # a NUL in the name
        raise RefusedOutput(ascii(str(path)), "a name that holds a NUL") from None
    if stat.S_ISLNK(info.st_mode):
        raise RefusedOutput(path, "a symbolic link (name the file it points to)")
    if stat.S_ISDIR(info.st_mode):
        raise RefusedOutput(path, "a folder")
    if not stat.S_ISREG(info.st_mode):
        raise RefusedOutput(path, f"{_kind(info.st_mode)}, not a regular file")


def refuse_input_as_output(output: Path, inputs: Iterable[Path]) -> None:
    """Raise :class:`RefusedOutput` when ``output`` is the same file as one of ``inputs``."""
    for source in inputs:
        try:
            same = os.path.samefile(output, source)
        except (OSError, ValueError):  # either is missing (or unnamable): not the same file
            continue
        if same:
            raise RefusedOutput(output, f"an input of this command ({source})")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half of one.

    Refuses (:class:`RefusedOutput`) to replace anything but a regular file: see :func:`check_output`.
    """
    check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.pid{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); the result gets the old file's mode, or a new file's usual one.
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
