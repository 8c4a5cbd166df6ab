"""The Hugging Face ``Features`` of every dataset config: defined once, used by the builder, the card and the tests.

The ``documents`` config has one column per field of the model, from the table of fields
(:mod:`claimbank.format.fields`), so a field added to the model is a column without an edit here. Label columns
are ``ClassLabel``s whose names are the published order of their vocabulary (:mod:`claimbank.dataset.labels`:
append-only, so an index never changes). An attribute a row does not have (the ``cue_type`` of a SOURCE span) is
null, not a made-up label.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import pyarrow as pa
from datasets import ClassLabel, Features, List, Value

from claimbank.dataset import labels
from claimbank.format import fields, vocab
from claimbank.format.vocab import (
    AttributionKind,
    Claimer,
    CueType,
    Factuality,
    ModalityType,
    SourceType,
    SpanLabel,
    Vocabulary,
)

CONFIGS = ("documents", "claims", "attributions", "tokens", "sentences")

# BIO tags: attribution roles in one sequence, claims in another (a CLAIM usually lies inside a CONTENT). Each has a
# second layer ("nested_") for the spans that overlap a span of the first (see claimbank.dataset.rows.layered_tags).
ATTRIBUTION_TAG_LABELS = (SpanLabel.SOURCE, SpanLabel.CUE, SpanLabel.CONTENT)
CLAIM_TAG_LABELS = (SpanLabel.CLAIM,)
TAG_SEQUENCES = {"attribution_tags": ATTRIBUTION_TAG_LABELS, "claim_tags": CLAIM_TAG_LABELS}


def bio_names(labels: Iterable[SpanLabel]) -> list[str]:
    """``O`` then ``B-X``, ``I-X`` for each label, in order."""
    names = ["O"]
    for label in labels:
        names += [f"B-{label.value}", f"I-{label.value}"]
    return names


def tag_names(sequence: str) -> list[str]:
    """The ``ClassLabel`` names of a tag sequence (``attribution_tags``, ``claim_tags``), append-only as released."""
    return labels.ordered(sequence, bio_names(TAG_SEQUENCES[sequence]))


def class_label(enum: type[Vocabulary]) -> ClassLabel:
    """A vocabulary's column: its published names first, so an index never changes (claimbank.dataset.labels)."""
    return ClassLabel(names=labels.names(enum))


def label_index(enum: type[Vocabulary]) -> dict[str, int]:
    """Value -> the integer its ``ClassLabel`` stores."""
    return labels.index(enum)


_string, _int, _bool = Value("string"), Value("int64"), Value("bool")

_KINDS = {
    "id": _string,
    "ref": _string,
    "string": _string,
    "offset": _int,
    "number": Value("float64"),
    "bool": _bool,
}


def record_features(record: str) -> dict[str, Any]:
    """The features of one kind of record of the ``documents`` config, from the table of fields (one column per
    field of the model, label columns as ``ClassLabel``)."""
    out: dict[str, Any] = {}
    for spec in fields.fields(record):
        if spec.kind == "vocab":
            out[spec.name] = class_label(getattr(vocab, spec.vocabulary or ""))
        elif spec.kind in ("refs", "strings"):
            out[spec.name] = List(_string)
        elif spec.kind == "records":
            out[spec.name] = List(record_features(_RECORDS_OF[spec.name]))
        elif spec.kind == "object":
            out[spec.name] = record_features(spec.name)
        else:
            out[spec.name] = _KINDS[spec.kind]
    return out


_RECORDS_OF = fields.RECORDS_OF
SPAN = record_features("span")
ATTRIBUTION = record_features("attribution")
CLAIM = record_features("claim")
ANNOTATION_SET = record_features("set")
METADATA = record_features("metadata")
DOCUMENTS = Features(record_features("document"))

# A role's span: its text (a span in fragments: the fragments' texts joined by FRAGMENT_SEPARATOR), its start and
# end (for fragments, the first's start and the last's end), and every fragment's offsets ([] when contiguous).
FRAGMENTS = List({"start": _int, "end": _int})
_ROLE = {"text": _string, "start": _int, "end": _int, "fragments": FRAGMENTS}

CLAIMS = Features(
    {
        "document_id": _string,
        "claim_id": _string,
        "text": _string,
        "start": _int,
        "end": _int,
        "fragments": FRAGMENTS,
        "sentence": _string,
        "sentence_start": _int,
        "claimer": class_label(Claimer),
        "attribution_id": _string,
        "source_text": _string,
        "source_type": class_label(SourceType),
        "cue_text": _string,
        "cue_type": class_label(CueType),
        "factuality": class_label(Factuality),
        "hedged": _bool,
        "modality": List({"text": _string, "start": _int, "end": _int, "type": class_label(ModalityType)}),
        "license": _string,
    }
)

ATTRIBUTIONS = Features(
    {
        "document_id": _string,
        "attribution_id": _string,
        "kind": class_label(AttributionKind),
        "source": _ROLE,
        "source_type": class_label(SourceType),
        "source_refers_to": _string,
        "cue": _ROLE,
        "cue_type": class_label(CueType),
        "content": _ROLE,
        "nested_in": _string,
        "sentence": _string,
        "sentence_start": _int,
        "license": _string,
    }
)

_ATTRIBUTION_TAGS = List(ClassLabel(names=tag_names("attribution_tags")))
_CLAIM_TAGS = List(ClassLabel(names=tag_names("claim_tags")))
_TAGGED = {
    "tokens": List(_string),
    "starts": List(_int),
    "ends": List(_int),
    "attribution_tags": _ATTRIBUTION_TAGS,
    "claim_tags": _CLAIM_TAGS,
    "nested_attribution_tags": _ATTRIBUTION_TAGS,
    "nested_claim_tags": _CLAIM_TAGS,
}

TOKENS = Features({"document_id": _string, **_TAGGED, "license": _string})

SENTENCES = Features(
    {
        "document_id": _string,
        "sentence_index": _int,
        "start": _int,
        "end": _int,
        "text": _string,
        **_TAGGED,
        "license": _string,
    }
)

FEATURES: dict[str, Features] = {
    "documents": DOCUMENTS,
    "claims": CLAIMS,
    "attributions": ATTRIBUTIONS,
    "tokens": TOKENS,
    "sentences": SENTENCES,
}


@cache
def arrow_schema(config: str) -> pa.Schema:
    """A config's Arrow schema (``Features.arrow_schema``, which is recomputed on every access)."""
    return FEATURES[config].arrow_schema


DESCRIPTIONS = {
    "documents": "One row per article: its exact text, metadata, and every annotation set (passes and gold) with "
    "spans, attributions and claims, exactly as in the annotation files (label columns as ClassLabel).",
    "claims": "One row per claim of the gold set: its text and offsets, the sentence it is in, its claimer "
    "(the author, a source through an attribution, or explicitly unclaimed), the source and cue, FactBank "
    "factuality, and its hedges and boosters.",
    "attributions": "One row per attribution of the gold set, explicit non-attributions included: source, cue and "
    "content with their offsets and types, and the attribution it is nested in.",
    "tokens": "One row per article: tokens (from the text alone) with character offsets and BIO tags, one "
    "sequence for attribution roles (SOURCE, CUE, CONTENT) and one for CLAIM, each with a second layer "
    "(nested_*) for spans that overlap a span of the first, from the gold set.",
    "sentences": "One row per sentence of an article with a gold set: document id, sentence index, character "
    "offsets, the tokens and the same tag columns as tokens, cut to the sentence (a span that runs on past a "
    "sentence end starts again with B- in the next row).",
}
