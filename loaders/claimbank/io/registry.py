"""The registry of external formats: one entry per format, read by the CLI (its commands and ``--help``), the docs
check and the round-trip drift tests. Adding a format is one room ``claimbank/io/<name>/`` (converters both ways,
a ``command`` module with ``add_parser``), its tests, its doc page, and one entry here.

Entries name modules and functions by their dotted path, so that reading the registry imports nothing heavy.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Format:
    """An external annotation format ClaimBank reads and writes."""

    name: str  # the command name: ``claimbank <name> …``
    title: str  # one line for --help and the docs
    doc: str  # its page under docs/
    command: str  # module with ``add_parser(commands, parser_class)``
    to_format: str  # ``module:function``: a ClaimBank annotation set (+ document) -> the format
    from_format: str  # ``module:function``: the format -> a ClaimBank annotation set
    lossy: dict[str, str]  # "<record>.<field>" -> why the format cannot carry it (listed on its doc page)

    def function(self, which: str) -> Callable[..., Any]:
        """``to_format`` or ``from_format``, imported."""
        module, _, name = getattr(self, which).partition(":")
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return found


FORMATS: tuple[Format, ...] = (
    Format(
        name="ls",
        title="Label Studio: labeling config, tasks, push/pull, import of exports",
        doc="docs/labelstudio.md",
        command="claimbank.io.labelstudio.command",
        to_format="claimbank.io.labelstudio.convert:to_results",
        from_format="claimbank.io.labelstudio.convert:from_results",
        lossy={
            "set.created_at": "Label Studio keeps its own timestamps; an import takes the annotation's",
        },
    ),
    Format(
        name="brat",
        title="brat standoff (PolNeAR): .txt + .ann in and out",
        doc="docs/brat.md",
        command="claimbank.io.brat.command",
        to_format="claimbank.io.brat.convert:to_ann",
        from_format="claimbank.io.brat.convert:to_annotation_set",
        lossy={
            "set.created_at": "brat has no timestamps; an import takes the .ann file's modification time",
            "span.confidence": "brat has no place for a number on a text-bound annotation",
            "attribution.confidence": "brat has no place for a number on an event",
        },
    ),
)

BY_NAME = {entry.name: entry for entry in FORMATS}
