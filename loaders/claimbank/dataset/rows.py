"""Paired converters between annotation documents and dataset rows.

``document_to_row`` / ``row_to_document`` convert losslessly (a round trip gives an equal ``Document``); the
``claims``, ``attributions`` and ``tokens`` rows are views of a document's gold set, one way only. Label columns
hold ``ClassLabel`` integers (see ``claimbank.dataset.features``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from functools import cache
from typing import Any

from claimbank.dataset import features, labels, segment
from claimbank.format import fields, vocab
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet, Document
from claimbank.format.vocab import (
    AttributionKind,
    Claimer,
    CueType,
    Factuality,
    ModalityType,
    SourceType,
    Vocabulary,
)

_RECORDS_OF = {"spans": "span", "attributions": "attribution", "claims": "claim", "annotation_sets": "set"}


@cache
def _vocabulary(name: str) -> tuple[dict[str, int], list[str]]:
    enum = getattr(vocab, name)
    return labels.index(enum), labels.names(enum)


def _encode(record: str, data: dict[str, Any]) -> dict[str, Any]:
    """One record of the file as its ``documents`` row, field by field from the table (labels as integers)."""
    row: dict[str, Any] = {}
    for spec in fields.fields(record):
        value = data.get(spec.name)
        if value is None:
            row[spec.name] = [] if spec.kind in ("records", "refs", "strings") else None
        elif spec.kind == "vocab":
            row[spec.name] = _vocabulary(spec.vocabulary or "")[0][value]
        elif spec.kind == "records":
            row[spec.name] = [_encode(_RECORDS_OF[spec.name], item) for item in value]
        elif spec.kind == "object":
            row[spec.name] = _encode(spec.name, value)
        else:
            row[spec.name] = value
    return row


def _decode(record: str, row: dict[str, Any]) -> dict[str, Any]:
    """The inverse of :func:`_encode`; a null is a field the record does not have (or an unset optional one)."""
    data: dict[str, Any] = {}
    for spec in fields.fields(record):
        value = row.get(spec.name)
        if value is None:
            continue
        if spec.kind == "vocab":
            data[spec.name] = _vocabulary(spec.vocabulary or "")[1][value]
        elif spec.kind == "records":
            data[spec.name] = [_decode(_RECORDS_OF[spec.name], item) for item in value]
        elif spec.kind == "object":
            data[spec.name] = _decode(spec.name, value)
        else:
            data[spec.name] = value
    return data


def document_to_row(document: Document) -> dict[str, Any]:
    """A ``documents`` row: the whole file, label columns as ``ClassLabel`` integers."""
    return _encode("document", canonical(document))


def row_to_document(row: dict[str, Any]) -> Document:
    """The inverse of :func:`document_to_row`."""
    return Document.model_validate(_decode("document", row))


def gold_set(document: Document) -> AnnotationSet | None:
    """The document's gold annotation set, if it has one."""
    return next((s for s in document.annotation_sets if s.gold), None)


def _index(enum: type[Vocabulary], value: Any) -> int | None:
    return None if value is None else _vocabulary(enum.__name__)[0][value]


def claim_rows(
    document: Document, gold: AnnotationSet, bounds: list[tuple[int, int]]
) -> Iterator[dict[str, Any]]:
    spans = {s.id: s for s in gold.spans}
    attributions = {a.id: a for a in gold.attributions}
    for claim in gold.claims:
        span = spans[claim.span]
        attribution = attributions.get(getattr(claim, "attribution", None) or "")
        source = spans.get(attribution.source or "") if attribution else None
        cue = spans[attribution.cue] if attribution else None
        modality = [spans[m] for m in claim.modality]
        s_start, s_end = segment.covering_sentence(bounds, span.start, span.end)
        yield {
            "document_id": document.id,
            "claim_id": claim.id,
            "text": span.text,
            "start": span.start,
            "end": span.end,
            "sentence": document.text[s_start:s_end],
            "sentence_start": s_start,
            "claimer": _index(Claimer, claim.claimer.value),
            "attribution_id": attribution.id if attribution else None,
            "source_text": source.text if source else None,
            "source_type": _index(SourceType, getattr(source, "source_type", None)),
            "cue_text": cue.text if cue else None,
            "cue_type": _index(CueType, getattr(cue, "cue_type", None)),
            "factuality": _index(Factuality, claim.factuality.value),
            "hedged": any(getattr(m, "modality_type", None) == ModalityType.HEDGE for m in modality),
            "modality": [
                {
                    "text": m.text,
                    "start": m.start,
                    "end": m.end,
                    "type": _index(ModalityType, getattr(m, "modality_type", None)),
                }
                for m in modality
            ],
        }


def attribution_rows(
    document: Document, gold: AnnotationSet, bounds: list[tuple[int, int]]
) -> Iterator[dict[str, Any]]:
    spans = {s.id: s for s in gold.spans}
    for attribution in gold.attributions:
        source = spans.get(attribution.source or "")
        cue, content = spans[attribution.cue], spans[attribution.content]
        referent = spans.get(getattr(source, "refers_to", None) or "")
        roles = [s for s in (source, cue, content) if s is not None]
        s_start, s_end = segment.covering_sentence(
            bounds, min(s.start for s in roles), max(s.end for s in roles)
        )
        yield {
            "document_id": document.id,
            "attribution_id": attribution.id,
            "kind": _index(AttributionKind, attribution.kind.value),
            "source": {"text": source.text, "start": source.start, "end": source.end} if source else None,
            "source_type": _index(SourceType, getattr(source, "source_type", None)),
            "source_refers_to": referent.text if referent else None,
            "cue": {"text": cue.text, "start": cue.start, "end": cue.end},
            "cue_type": _index(CueType, getattr(cue, "cue_type", None)),
            "content": {"text": content.text, "start": content.start, "end": content.end},
            "nested_in": attribution.nested_in,
            "sentence": document.text[s_start:s_end],
            "sentence_start": s_start,
        }


class TagMisaligned(AssertionError):
    """A span whose edges are not token edges: the tokenizer failed to cut at a span boundary."""


def _tags(
    tokens: list[tuple[int, int]], spans: list[tuple[int, int, str]], names: list[str]
) -> tuple[list[int], int]:
    """BIO tag indices for ``tokens``, and how many spans were left untagged.

    BIO holds one span per token, so spans are placed outermost first (by start, then longest): a span nested in
    or overlapping an already tagged one (the roles of a nested attribution inside its outer CONTENT) is left
    out of the tags and counted. No token may cross a span edge, which the tokenizer guarantees by cutting at every
    span boundary; this is checked, not assumed. (A span's first and last token are its edges, except for white
    space the span holds at its edges.)
    """
    index = {name: i for i, name in enumerate(names)}
    starts = [start for start, _ in tokens]
    ends = [end for _, end in tokens]
    tags = [0] * len(tokens)
    skipped = 0
    for start, end, label in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        first, last = bisect_left(starts, start), bisect_right(ends, end)
        for edge in (start, end):
            inside = bisect_right(starts, edge) - 1
            if 0 <= inside < len(tokens) and starts[inside] < edge < ends[inside]:
                raise TagMisaligned(f"span [{start}, {end}) edge {edge} falls inside token {tokens[inside]}")
        if first >= last or any(tags[first:last]):
            skipped += 1  # white space only, or nested in a span already tagged
            continue
        tags[first] = index[f"B-{label}"]
        tags[first + 1 : last] = [index[f"I-{label}"]] * (last - first - 1)
    return tags, skipped


def token_row(document: Document, gold: AnnotationSet) -> dict[str, Any]:
    role_spans = [
        (s.start, s.end, s.label.value) for s in gold.spans if s.label in features.ATTRIBUTION_TAG_LABELS
    ]
    claim_spans = [
        (s.start, s.end, s.label.value) for s in gold.spans if s.label in features.CLAIM_TAG_LABELS
    ]
    cuts = [offset for start, end, _ in role_spans + claim_spans for offset in (start, end)]
    tokens = segment.tokenize(document.text, cuts)
    role_tags, _ = _tags(tokens, role_spans, features.bio_names(features.ATTRIBUTION_TAG_LABELS))
    claim_tags, _ = _tags(tokens, claim_spans, features.bio_names(features.CLAIM_TAG_LABELS))
    return {
        "document_id": document.id,
        "tokens": [document.text[s:e] for s, e in tokens],
        "starts": [s for s, _ in tokens],
        "ends": [e for _, e in tokens],
        "attribution_tags": role_tags,
        "claim_tags": claim_tags,
    }


def view_rows(document: Document) -> dict[str, list[dict[str, Any]]]:
    """The rows of every config for one document (only ``documents`` when it has no gold set)."""
    rows: dict[str, list[dict[str, Any]]] = {"documents": [document_to_row(document)]}
    gold = gold_set(document)
    if gold is None:
        return rows | {"claims": [], "attributions": [], "tokens": []}
    bounds = segment.sentences(document.text)
    rows["claims"] = list(claim_rows(document, gold, bounds))
    rows["attributions"] = list(attribution_rows(document, gold, bounds))
    rows["tokens"] = [token_row(document, gold)]
    return rows
