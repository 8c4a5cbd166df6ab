"""Training data for the tagger, read from a built dataset folder with ``datasets.load_dataset`` only.

The ``documents`` config is used, not ``tokens``: each row's text and its gold set's SOURCE / CUE / CONTENT spans
and attributions, so that how spans become tags (fragments, overlaps) is this package's choice, made from the
text alone. Labels are ``ClassLabel`` integers there; their
names come from the dataset's own features, so this module does not depend on how claimbank numbers them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROLES = ("SOURCE", "CUE", "CONTENT")


class DatasetError(Exception):
    """The dataset folder is missing, unreadable or lacks what training needs (one line for the user)."""


@dataclass(frozen=True)
class Span:
    """A gold role span. ``entity`` is shared by the fragments of one discontinuous span ('T3', 'T3:2')."""

    id: str
    label: str
    start: int
    end: int
    entity: str
    source_type: str | None
    cue_type: str | None


@dataclass(frozen=True)
class Link:
    """A gold attribution: kind and the ids of its spans."""

    kind: str
    source: str | None
    cue: str
    content: str


@dataclass(frozen=True)
class Example:
    """One article with its gold roles."""

    id: str
    text: str
    spans: tuple[Span, ...]
    links: tuple[Link, ...]


def read_spans(spans: Iterable[dict[str, Any]]) -> tuple[Span, ...]:
    """The role spans of a set, with fragments of a discontinuous span grouped under one entity.

    A span in fragments (schema 2.0) becomes one role span per fragment, named '<id>', '<id>:2', … as 1.x held
    them: each is tagged on its own (they are separate spans to the scorer too) and they share ``entity``, so the
    tagger learns the gap ("he said") as what it is, not as content. This is the one place that reads span ids.
    """
    found = []
    for span in spans:
        if span["label"] not in ROLES:
            continue
        parts = span.get("fragments") or [span]
        for number, part in enumerate(parts, start=1):
            found.append(
                Span(
                    span["id"] if number == 1 else f"{span['id']}:{number}",
                    span["label"],
                    part["start"],
                    part["end"],
                    span["id"].split(":")[0],
                    span.get("source_type"),
                    span.get("cue_type"),
                )
            )
    return tuple(found)


def _decoder(features: Any) -> dict[str, Any]:
    """ClassLabel name lookups for the nested span / attribution / set records of the documents config."""
    sets = features["annotation_sets"]
    record = sets.feature if hasattr(sets, "feature") else sets[0]
    span = record["spans"].feature if hasattr(record["spans"], "feature") else record["spans"][0]
    link = (
        record["attributions"].feature
        if hasattr(record["attributions"], "feature")
        else record["attributions"][0]
    )
    return {"span": span, "attribution": link}


def _name(feature: Any, value: Any) -> Any:
    return feature.int2str(value) if value is not None and hasattr(feature, "int2str") else value


def load_examples(folder: Path, splits: Iterable[str] | None = None) -> dict[str, list[Example]]:
    """Every article with a gold set, per split, from ``folder`` (a dataset folder made by ``claimbank build``)."""
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such dataset folder (make one with `claimbank build`)")
    if not (folder / "README.md").is_file() or not (folder / "data" / "documents").is_dir():
        raise DatasetError(
            f"{folder}: not a dataset folder with the 'documents' config (see `claimbank build`)"
        )
    import datasets

    # datasets' own warnings and progress bars would come between claimbank's one-line messages: quiet them
    # while loading, and put back what the caller had.
    loggers = [logging.getLogger(name) for name in ("datasets", "huggingface_hub")]
    levels = [logger.level for logger in loggers]
    bars = datasets.utils.are_progress_bars_disabled()
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    datasets.disable_progress_bars()
    try:
        loaded = datasets.load_dataset(str(folder), "documents")
    except Exception as error:  # datasets raises many kinds; to the user each is "cannot read it"
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise DatasetError(f"{folder}: cannot load the 'documents' config: {first_line}") from error
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        if not bars:
            datasets.enable_progress_bars()
    wanted = list(loaded) if splits is None else [s for s in splits if s in loaded]
    result: dict[str, list[Example]] = {}
    for split in wanted:
        table = loaded[split]
        decode = _decoder(table.features)
        span_feature, link_feature = decode["span"], decode["attribution"]
        examples = []
        for row in table:
            gold = next((s for s in row["annotation_sets"] if s["gold"]), None)
            if gold is None:
                continue
            spans = [
                {
                    **span,
                    "label": _name(span_feature["label"], span["label"]),
                    "source_type": _name(span_feature["source_type"], span["source_type"]),
                    "cue_type": _name(span_feature["cue_type"], span["cue_type"]),
                }
                for span in gold["spans"]
            ]
            links = tuple(
                Link(_name(link_feature["kind"], a["kind"]), a["source"], a["cue"], a["content"])
                for a in gold["attributions"]
            )
            examples.append(Example(row["id"], row["text"], read_spans(spans), links))
        result[split] = examples
    return result


def fingerprint(examples: Iterable[Example]) -> str:
    """SHA-256 of what training sees (ids, texts, gold roles and links, in order): the same data, the same hash."""
    digest = hashlib.sha256()
    for example in examples:
        record = {
            "id": example.id,
            "text": hashlib.sha256(example.text.encode("utf-8")).hexdigest(),
            "spans": [[s.id, s.label, s.start, s.end, s.source_type, s.cue_type] for s in example.spans],
            "links": [[a.kind, a.source, a.cue, a.content] for a in example.links],
        }
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
