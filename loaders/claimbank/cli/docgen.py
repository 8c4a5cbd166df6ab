"""Generated parts of the docs: the vocabulary tables in the guidelines, the table of problem codes, and the
file of released label orders (appended to, never reordered).

Each generated part sits between ``<!-- BEGIN GENERATED: name ... -->`` and ``<!-- END GENERATED: name -->``
markers; ``claimbank docs --write`` rewrites them and ``claimbank docs --check`` (run by the tests) fails on drift.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from claimbank.format import vocab
from claimbank.validate.codes import CODES


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def vocabulary_tables() -> str:
    parts = []
    for enum in vocab.VOCABULARIES:
        parts.append(f"### {enum.__name__}: {enum.__doc__}\n\n| value | when to use it |\n|---|---|\n")
        parts.append("".join(f"| `{member.value}` | {_cell(member.description)} |\n" for member in enum))
        parts.append("\n")
    return "".join(parts).rstrip("\n")


def error_table() -> str:
    rows = "".join(
        f"| `{code.name}` | {_cell(code.title)} | {_cell(code.hint)} |\n" for code in CODES.values()
    )
    return "| code | meaning | hint |\n|---|---|---|\n" + rows.rstrip("\n")


# file (relative to the project root) -> {block name: generator}
BLOCKS: dict[str, dict[str, Callable[[], str]]] = {
    "docs/guidelines.md": {"vocabulary": vocabulary_tables},
    "docs/errors.md": {"codes": error_table},
}


def render(text: str, blocks: dict[str, Callable[[], str]]) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, generate in blocks.items():
        pattern = re.compile(
            rf"(<!-- BEGIN GENERATED: {re.escape(name)}\b[^>]*-->\n).*?(<!-- END GENERATED: {re.escape(name)} -->)",
            re.DOTALL,
        )
        match = pattern.search(text)
        if match is None:
            raise ValueError(f"no generated block {name!r}")
        text = f"{text[: match.start()]}{match.group(1)}{generate()}\n{match.group(2)}{text[match.end() :]}"
    return text


# Whole generated files (relative to the project root) -> their generator.
FILES: dict[str, Callable[[], str]] = {
    "loaders/claimbank/dataset/released_labels.json": lambda: _released_labels(),
}


def _released_labels() -> str:
    from claimbank.dataset.labels import released_text  # imports datasets: only when the docs are generated

    return released_text()


def stale(root: Path) -> list[str]:
    """The docs under ``root`` whose generated blocks (or generated files) are out of date."""
    return [
        name
        for name, blocks in BLOCKS.items()
        if (root / name).read_text(encoding="utf-8")
        != render((root / name).read_text(encoding="utf-8"), blocks)
    ] + [name for name, generate in FILES.items() if (root / name).read_text(encoding="utf-8") != generate()]


def write(root: Path) -> list[str]:
    """Regenerate every block under ``root``; returns the files that changed."""
    changed = []
    for name, blocks in BLOCKS.items():
        path = root / name
        old = path.read_text(encoding="utf-8")
        new = render(old, blocks)
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    for name, generate in FILES.items():
        path = root / name
        new = generate()
        if path.read_text(encoding="utf-8") != new:
            path.write_text(new, encoding="utf-8")
            changed.append(name)
    return changed
