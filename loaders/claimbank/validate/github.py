"""`claimbank validate --format github`: each problem as a GitHub Actions workflow command, at its line.

GitHub shows an ``::error file=…,line=…::`` line of a job's output as an annotation on that line of the pull
request's diff. A problem names a JSON Pointer, not a line, so :func:`line_of` walks the file's text to the value
the pointer names (or, when that value is missing, to the deepest part of the path that exists).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable

from claimbank.validate.problems import Problem, Report

_WHITE = " \t\r\n"


class _NotJson(Exception):
    """The text is not JSON where the walk needs it to be: no line is given."""


class _Walker:
    """Finds where values start in a JSON text, without building them."""

    def __init__(self, text: str) -> None:
        self.text = text
        # container start -> {key or index: where its value starts}: each container is walked once, however
        # many problems point into it (2,000 problems in one list took 54 s when each walked it again).
        self.members: dict[int, dict[str, int]] = {}

    def skip_white(self, at: int) -> int:
        while at < len(self.text) and self.text[at] in _WHITE:
            at += 1
        return at

    def string_end(self, at: int) -> int:
        """The index after the string that starts (with its quote) at ``at``: the first quote after an even
        number of backslashes (``str.find`` jumps over a long text)."""
        quote = at
        while True:
            quote = self.text.find('"', quote + 1)
            if quote < 0:
                raise _NotJson
            backslashes = 0
            while self.text[quote - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2 == 0:
                return quote + 1

    def value_end(self, at: int) -> int:
        """The index after the value that starts at ``at`` (a container is skipped by counting brackets outside
        strings, without recursion: a file may nest deeper than Python recurses)."""
        if at >= len(self.text):
            raise _NotJson
        char = self.text[at]
        if char == '"':
            return self.string_end(at)
        if char in "{[":
            depth = 0
            while at < len(self.text):
                char = self.text[at]
                if char == '"':
                    at = self.string_end(at)
                    continue
                if char in "{[":
                    depth += 1
                elif char in "}]":
                    depth -= 1
                    if depth == 0:
                        return at + 1
                at += 1
            raise _NotJson
        while at < len(self.text) and self.text[at] not in _WHITE + ",]}":
            at += 1  # a number, true, false or null
        return at

    def expect(self, at: int, char: str) -> int:
        if at >= len(self.text) or self.text[at] != char:
            raise _NotJson
        return at + 1

    def member(self, at: int, token: str) -> int | None:
        """Where the value of ``token`` starts in the container starting at ``at``, or None if it has none."""
        char = self.text[at] if at < len(self.text) else ""
        if char not in "{[":
            return None
        if char == "[" and not (token.isdigit() and (token == "0" or not token.startswith("0"))):
            return None
        if at not in self.members:
            self.members[at] = self._members(at, char)
        return self.members[at].get(token)

    def _members(self, at: int, char: str) -> dict[str, int]:
        found: dict[str, int] = {}
        close = "}" if char == "{" else "]"
        at = self.skip_white(at + 1)
        index = 0
        while at < len(self.text) and self.text[at] != close:
            if char == "{":
                key_end = self.string_end(at)
                key = json.loads(self.text[at:key_end])
                at = self.skip_white(self.expect(self.skip_white(key_end), ":"))
                found.setdefault(key, at)  # the first of duplicate keys, as before
            else:
                found[str(index)] = at
            at = self.skip_white(self.value_end(at))
            index += 1
            if at < len(self.text) and self.text[at] == ",":
                at = self.skip_white(at + 1)
        return found


class Locator:
    """The lines of one JSON text's values, for many pointers: containers walked once, lines found by bisection."""

    def __init__(self, text: str) -> None:
        self.walker = _Walker(text)
        self.breaks = [index for index, char in enumerate(text) if char == "\n"]

    def line(self, pointer: str) -> int | None:
        """As :func:`line_of`."""
        walker, text = self.walker, self.walker.text
        try:
            at = walker.skip_white(0)
            if at >= len(text):
                return None
            for token in pointer.split("/")[1:] if pointer else []:
                found = walker.member(at, token.replace("~1", "/").replace("~0", "~"))
                if found is None:
                    break
                at = found
        except (_NotJson, ValueError):
            return None
        return bisect.bisect_left(self.breaks, at) + 1


def line_of(text: str, pointer: str) -> int | None:
    """The 1-based line where the value at ``pointer`` starts in the JSON ``text``; for a pointer to something
    missing, the line of its deepest existing ancestor; None when the text is not JSON along the way."""
    return Locator(text).line(pointer)


def _escape(value: str, *, property_value: bool = False) -> str:
    """As GitHub's workflow commands require: % and line breaks always, ':' and ',' in a property."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property_value else value


def command(problem: Problem, line: int | None) -> str:
    """One problem as an ``::error`` workflow command (at the problem's own line and column when it has them:
    a JSON syntax error)."""
    where = f"file={_escape(problem.file, property_value=True)}"
    if problem.line is not None:
        where += f",line={problem.line}"
        if problem.column is not None:
            where += f",col={problem.column}"
    elif line is not None:
        where += f",line={line}"
    title = _escape(problem.code, property_value=True)
    hint = f" (hint: {problem.hint})" if problem.hint else ""
    return f"::error {where},title={title}::{_escape(f'{problem.pointer}: {problem.message}{hint}')}"


def format_github(report: Report, read: Callable[[str], str | None]) -> str:
    """Every problem of ``report`` as a workflow command; ``read(file)`` gives a file's text, or None."""
    lines = []
    for file, problems in report.by_file().items():
        text = read(file) if problems else None
        locator = Locator(text) if text is not None else None
        for problem in problems:
            line = locator.line(problem.pointer) if locator is not None and problem.line is None else None
            lines.append(command(problem, line))
    return "".join(line + "\n" for line in lines)
