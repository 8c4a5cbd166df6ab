"""Paired converters between annotation documents and dataset rows.

``document_to_row`` / ``row_to_document`` convert losslessly (a round trip gives an equal ``Document``); the
``claims``, ``attributions``, ``tokens`` and ``sentences`` rows are views of a document's gold set, one way only. Label columns
hold ``ClassLabel`` integers (see ``claimbank.dataset.features``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
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

_RECORDS_OF = fields.RECORDS_OF


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
        if value is None or (spec.kind == "records" and not value):
            continue  # an empty list of records is the model's default ([] or, for a span's fragments, none)
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
            "text": span.joined_text(),
            "start": span.start,
            "end": span.end,
            "fragments": _fragments(span),
            "sentence": document.text[s_start:s_end],
            "sentence_start": s_start,
            "claimer": _index(Claimer, claim.claimer.value),
            "attribution_id": attribution.id if attribution else None,
            "source_text": source.joined_text() if source else None,
            "source_type": _index(SourceType, getattr(source, "source_type", None)),
            "cue_text": cue.joined_text() if cue else None,
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
            "license": document.metadata.license,
        }


def _fragments(span: Any) -> list[dict[str, int]]:
    """A span's fragments as the views give them: offsets only ([] for a contiguous span)."""
    return [{"start": f.start, "end": f.end} for f in span.fragments or ()]


def _role(span: Any) -> dict[str, Any]:
    """A role of an attribution row: the span's joined text, its offsets and its fragments."""
    return {"text": span.joined_text(), "start": span.start, "end": span.end, "fragments": _fragments(span)}


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
            "source": _role(source) if source else None,
            "source_type": _index(SourceType, getattr(source, "source_type", None)),
            "source_refers_to": referent.joined_text() if referent else None,
            "cue": _role(cue),
            "cue_type": _index(CueType, getattr(cue, "cue_type", None)),
            "content": _role(content),
            "nested_in": attribution.nested_in,
            "sentence": document.text[s_start:s_end],
            "sentence_start": s_start,
            "license": document.metadata.license,
        }


# What mapping spans onto tokens found, counted over a build (claimbank build prints it, the card records it).
NOT_ALIGNED = "spans whose edges fall inside a token"
NESTED = "spans in the nested tag layer"
UNTAGGED = "spans in neither tag layer"
ACROSS = "spans across a sentence end"
TALLY = (NOT_ALIGNED, NESTED, UNTAGGED, ACROSS)


def layered_tags(
    tokens: list[tuple[int, int]],
    spans: list[tuple[int, int, str, list[tuple[int, int]]]],
    names: list[str],
    sentence_of: list[int],
    tally: Counter[str],
) -> tuple[list[int], list[int]]:
    """BIO tag indices for ``tokens`` in two layers: the spans of the first, and those that overlap them.

    A span is mapped onto every token it overlaps; a span whose edge falls inside a token (the text has no token
    edge there, as in "Clinton's" cut after "Clinton") still tags the whole token and is counted in ``tally``.
    BIO holds one span per token, so spans are placed outermost first (by start, then longest): a span that
    overlaps one already in the first layer (the roles of a nested attribution inside its outer CONTENT, a claim
    inside a claim) goes to the second layer; one that overlaps spans in both is counted, never dropped silently.

    Each span is (start, end, label, its stretches: ``[(start, end)]``, or its fragments' offsets). A span in
    fragments is one entity: its first fragment is tagged
    ``B-X I-X …``, each later one ``I-X …`` (an ``I-`` after a gap continues the span before it), the gaps keep
    their own tags, and all of it goes in one layer.
    """
    index = {name: i for i, name in enumerate(names)}
    starts = [start for start, _ in tokens]
    ends = [end for _, end in tokens]
    layers = ([0] * len(tokens), [0] * len(tokens))
    for _, _, label, parts in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        ranges = [(bisect_right(ends, start), bisect_left(starts, end)) for start, end in parts]
        if any(first >= last for first, last in ranges):
            tally[UNTAGGED] += 1  # no token at all (a valid span always has one)
            continue
        if any(
            starts[first] != start or ends[last - 1] != end
            for (first, last), (start, end) in zip(ranges, parts, strict=True)
        ):
            tally[NOT_ALIGNED] += 1
        if sentence_of[ranges[0][0]] != sentence_of[ranges[-1][1] - 1]:
            tally[ACROSS] += 1
        for depth, tags in enumerate(layers):
            if not any(any(tags[first:last]) for first, last in ranges):
                for number, (first, last) in enumerate(ranges):
                    tags[first:last] = [index[f"I-{label}"]] * (last - first)
                    if number == 0:
                        tags[first] = index[f"B-{label}"]
                if depth:
                    tally[NESTED] += 1
                break
        else:
            tally[UNTAGGED] += 1
    return layers


def _tagged(
    document: Document, gold: AnnotationSet, bounds: list[tuple[int, int]], tally: Counter[str]
) -> Any:
    """Tokens of the whole text, the sentence of each token, and every tag column."""
    tokens = segment.tokenize(document.text)
    sentence_starts = [start for start, _ in bounds]
    sentence_of = [max(bisect_right(sentence_starts, start) - 1, 0) for start, _ in tokens]
    columns: dict[str, list[int]] = {}
    for name, sequence in features.TAG_SEQUENCES.items():
        spans = [(s.start, s.end, s.label.value, s.parts()) for s in gold.spans if s.label in sequence]
        outer, nested = layered_tags(tokens, spans, features.tag_names(name), sentence_of, tally)
        columns[name], columns[f"nested_{name}"] = outer, nested
    return tokens, sentence_of, columns


def token_row(
    document: Document, tokens: list[tuple[int, int]], columns: dict[str, list[int]]
) -> dict[str, Any]:
    return {
        "document_id": document.id,
        "tokens": [document.text[s:e] for s, e in tokens],
        "starts": [s for s, _ in tokens],
        "ends": [e for _, e in tokens],
        **columns,
        "license": document.metadata.license,
    }


def _restarts(names: list[str]) -> dict[int, int]:
    """``I-X`` index -> ``B-X`` index, from a tag sequence's names (their order is the released one)."""
    index = {name: i for i, name in enumerate(names)}
    return {i: index[f"B-{name[2:]}"] for i, name in enumerate(names) if name.startswith("I-")}


# Per tag column (both layers): how a row that begins inside a span begins it again.
_RESTART = {
    f"{layer}{name}": _restarts(features.tag_names(name))
    for name in features.TAG_SEQUENCES
    for layer in ("", "nested_")
}


def _restart(column: str, tags: list[int]) -> list[int]:
    """A row's tags with a leading ``I-X`` (a span that began in the sentence before) turned into ``B-X``."""
    if tags and tags[0] in _RESTART[column]:
        return [_RESTART[column][tags[0]], *tags[1:]]
    return tags


def sentence_rows(
    document: Document,
    bounds: list[tuple[int, int]],
    tokens: list[tuple[int, int]],
    sentence_of: list[int],
    columns: dict[str, list[int]],
) -> Iterator[dict[str, Any]]:
    """One row per sentence that holds a token: the document's tokens and tags cut at sentence ends."""
    first = 0
    while first < len(tokens):
        number = sentence_of[first]
        last = first
        while last < len(tokens) and sentence_of[last] == number:
            last += 1
        start = min(bounds[number][0], tokens[first][0]) if bounds else tokens[first][0]
        end = max(bounds[number][1], tokens[last - 1][1]) if bounds else tokens[last - 1][1]
        yield {
            "document_id": document.id,
            "sentence_index": number,
            "start": start,
            "end": end,
            "text": document.text[start:end],
            "tokens": [document.text[s:e] for s, e in tokens[first:last]],
            "starts": [s for s, _ in tokens[first:last]],
            "ends": [e for _, e in tokens[first:last]],
            **{name: _restart(name, tags[first:last]) for name, tags in columns.items()},
            "license": document.metadata.license,
        }
        first = last


def view_rows(document: Document, tally: Counter[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rows of every config for one document (only ``documents`` when it has no gold set). What mapping
    spans onto tokens found is added to ``tally``."""
    rows: dict[str, list[dict[str, Any]]] = {config: [] for config in features.CONFIGS}
    rows["documents"] = [document_to_row(document)]
    gold = gold_set(document)
    if gold is None:
        return rows
    tally = Counter() if tally is None else tally
    bounds = segment.sentences(document.text)
    rows["claims"] = list(claim_rows(document, gold, bounds))
    rows["attributions"] = list(attribution_rows(document, gold, bounds))
    tokens, sentence_of, columns = _tagged(document, gold, bounds, tally)
    rows["tokens"] = [token_row(document, tokens, columns)]
    rows["sentences"] = list(sentence_rows(document, bounds, tokens, sentence_of, columns))
    return rows
