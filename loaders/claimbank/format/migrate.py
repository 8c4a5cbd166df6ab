"""Schema migrations: a parsed annotation file of an older schema version as a file of this one.

Pure functions on the parsed JSON (no I/O; ``claimbank migrate`` in :mod:`claimbank.cli.migrate` reads, validates
and writes). Each step says what it changed, one line per change, so a migration can be reviewed.

1.x → 2.0 (docs/format.md#versions):

- ``schema_version`` becomes ``"2.0"``; every 1.0 field means the same in 2.0;
- 1.x held a discontinuous span as one span per fragment, the later ones named ``<id>:2``, ``<id>:3``, … (what
  ``brat import`` made of ``T3 Content 0 5;10 15``, and what 1.x ``brat export`` joined into one line again). In
  2.0 they are one span in ``fragments``: pieces with the same label, the same fields besides their offsets and
  text, and no reference to any but the first are joined (the span keeps the first's id); pieces that differ or
  are referred to are left as spans of their own, and said so.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from claimbank.format import fields

TARGET = "2.0"
_PIECE = re.compile(r"^(.+):([0-9]+)$")
_OWN = ("id", "start", "end", "text")  # what a fragment piece may have of its own


def needs_migration(data: Any) -> bool:
    """True for a document of an older version this module upgrades (1.x)."""
    return isinstance(data, dict) and _is_1x(data.get("schema_version"))


def _is_1x(version: Any) -> bool:
    return isinstance(version, str) and re.fullmatch(r"1\.[0-9]+", version) is not None


def migrate(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document upgraded to :data:`TARGET`, and what changed; a document already there comes back as it is."""
    if not needs_migration(data):
        return data, []
    upgraded = copy.deepcopy(data)
    changes = [f"schema_version {data['schema_version']} -> {TARGET}"]
    text = upgraded.get("text")
    for item in upgraded.get("annotation_sets") or []:
        if isinstance(item, dict) and isinstance(text, str):
            changes += _join_pieces(item, text)
    # Keep the field order of a 1.0 file: schema_version stays first.
    upgraded["schema_version"] = TARGET
    return upgraded, changes


def _referenced(item: dict[str, Any]) -> set[str]:
    """Every span id some reference of the set names (from the table of fields)."""
    named: set[str] = set()
    for layer, record in fields.LAYERS.items():
        for spec in fields.references(record, "spans"):
            for data in item.get(layer) or []:
                value = data.get(spec.name) if isinstance(data, dict) else None
                if isinstance(value, str):
                    named.add(value)
                elif isinstance(value, list):
                    named.update(v for v in value if isinstance(v, str))
    return named


def _join_pieces(item: dict[str, Any], text: str) -> list[str]:
    spans = item.get("spans")
    if not isinstance(spans, list):
        return []
    by_id = {s["id"]: s for s in spans if isinstance(s, dict) and isinstance(s.get("id"), str)}
    pieces: dict[str, list[dict[str, Any]]] = {}
    for span in by_id.values():
        match = _PIECE.match(span["id"])
        head = by_id.get(match.group(1)) if match and int(match.group(2)) >= 2 else None
        if head is not None and head.get("label") == span.get("label"):
            pieces.setdefault(head["id"], []).append(span)
    referenced = _referenced(item)
    changes: list[str] = []
    joined: set[str] = set()
    for head_id, later in pieces.items():
        head = by_id[head_id]
        where = f"set {item.get('id')!r}: {head_id}"
        names = ", ".join(p["id"] for p in later)
        if "fragments" in head or any("fragments" in p for p in later):
            continue
        if any(p["id"] in referenced for p in later):
            changes.append(f"{where}: {names} left as spans of their own (a reference names one)")
            continue
        same = {k: v for k, v in head.items() if k not in _OWN}
        if any({k: v for k, v in p.items() if k not in _OWN} != same for p in later):
            changes.append(
                f"{where}: {names} left as spans of their own (their fields differ from {head_id}'s)"
            )
            continue
        parts = sorted((p for p in [head, *later]), key=lambda p: (p["start"], p["end"]))
        if any(parts[i]["start"] < parts[i - 1]["end"] for i in range(1, len(parts))):
            changes.append(f"{where}: {names} left as spans of their own (they overlap)")
            continue
        start, end = parts[0]["start"], parts[-1]["end"]
        fragments = [{"start": p["start"], "end": p["end"], "text": p["text"]} for p in parts]
        rebuilt: dict[str, Any] = {}
        for key, value in head.items():  # the model's field order, fragments after the text
            rebuilt[key] = {"start": start, "end": end, "text": text[start:end]}.get(key, value)
            if key == "text":
                rebuilt["fragments"] = fragments
        head.clear()
        head.update(rebuilt)
        joined.update(p["id"] for p in later)
        changes.append(f"{where}: {names} joined into {head_id}, one span in {len(fragments)} fragments")
    if joined:
        item["spans"] = [s for s in spans if not (isinstance(s, dict) and s.get("id") in joined)]
    return changes
