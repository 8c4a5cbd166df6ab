"""Problems as data: what every check returns, and how a collection of them is reported."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from claimbank.validate.codes import CODES

# Problems that make a file unusable rather than wrong (it could not be read, or not be checked); the CLI exits 2
# for them (not 1).
UNREADABLE = frozenset(
    {"file-unreadable", "file-too-large", "file-not-regular", "output-refused", "internal-error"}
)


def pointer(*parts: str | int) -> str:
    """The RFC 6901 JSON Pointer for a path of keys and indices (``pointer("a", 0) == "/a/0"``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file, at one place in it."""

    code: str
    file: str
    pointer: str
    message: str
    hint: str = ""
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown problem code {self.code!r}: add it to claimbank.validate.codes")
        if not self.hint:
            object.__setattr__(self, "hint", CODES[self.code].hint)

    def format(self) -> str:
        """The one-line text form: ``file:pointer: code message (hint: ...)``.

        Always one line: line breaks and other control characters in any part (a file name, a key in the
        pointer, a seed name in the message) are escaped, and a line never starts with ``::`` (which GitHub
        Actions would run as a workflow command).
        """
        at = f" at line {self.line}, column {self.column}" if self.line is not None else ""
        text = f"{self.file}:{self.pointer}: {self.code} {self.message}{at} (hint: {self.hint})"
        return one_line(text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` safe to print as one line of output: control characters and line separators escaped as
    ``\\n``, ``\\x1b``, ``\\u2028`` …; a leading ``::`` becomes ``./::``."""
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)
    return "./" + text if text.startswith("::") else text


class ProblemSink:
    """Collects the problems of one file; checks call :meth:`add` and never raise."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        code: str,
        where: str,
        message: str,
        *,
        hint: str = "",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.problems.append(Problem(code, self.file, where, message, hint, line, column))


@dataclass
class Report:
    """The outcome of validating some files: every problem, grouped by file in the order the files were read."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def exit_code(self) -> int:
        """0 when valid, 2 when a file could not be read at all, 1 for any other problem."""
        if not self.problems:
            return 0
        return 2 if any(p.code in UNREADABLE for p in self.problems) else 1

    def extend(self, file: str, problems: Iterable[Problem]) -> None:
        self.files.append(file)
        self.problems.extend(problems)

    def by_file(self) -> dict[str, list[Problem]]:
        grouped: dict[str, list[Problem]] = {name: [] for name in self.files}
        for problem in self.problems:
            grouped.setdefault(problem.file, []).append(problem)
        return grouped

    def summary(self) -> str:
        grouped = self.by_file()  # each file once, however often it was extended
        invalid = sum(1 for problems in grouped.values() if problems)
        return f"{len(grouped)} file(s) checked, {invalid} invalid, {len(self.problems)} problem(s)"

    def format_text(self) -> str:
        return "".join(p.format() + "\n" for problems in self.by_file().values() for p in problems)

    def to_dict(self) -> dict[str, object]:
        return {
            "valid": self.ok,
            "files": [
                {"file": name, "valid": not problems, "problems": [rows(p) for p in problems]}
                for name, problems in self.by_file().items()
            ],
            "summary": self.summary(),
        }

    def format_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def rows(problem: Problem) -> dict[str, object]:
    """A problem as a flat row (for JSON output, tables and tests)."""
    return {k: v for k, v in asdict(problem).items() if v is not None}


def codes_at(problems: Sequence[Problem]) -> set[tuple[str, str]]:
    """The set of ``(code, pointer)`` pairs, which is what tests compare."""
    return {(p.code, p.pointer) for p in problems}
