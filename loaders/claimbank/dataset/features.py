"""The Hugging Face ``Features`` of every dataset config: defined once, used by the builder, the card and the tests.

Label columns are ``ClassLabel``s whose names are the vocabulary's values in the vocabulary's order, so the
integer a column holds is the index of the value in its enum (``label_index``). An attribute a row does not
have (the ``cue_type`` of a SOURCE span) is null, not a made-up label.
"""

from __future__ import annotations

from collections.abc import Iterable

from datasets import ClassLabel, Features, List, Value

from claimbank.format.vocab import (
    AttributionKind,
    Claimer,
    CueType,
    Factuality,
    ModalityType,
    Origin,
    SourceType,
    SpanLabel,
    Split,
    Vocabulary,
)

CONFIGS = ("documents", "claims", "attributions", "tokens", "sentences")

# BIO tags: attribution roles in one sequence, claims in another (a CLAIM usually lies inside a CONTENT). Each has a
# second layer ("nested_") for the spans that overlap a span of the first (see claimbank.dataset.rows.layered_tags).
ATTRIBUTION_TAG_LABELS = (SpanLabel.SOURCE, SpanLabel.CUE, SpanLabel.CONTENT)
CLAIM_TAG_LABELS = (SpanLabel.CLAIM,)


def bio_names(labels: Iterable[SpanLabel]) -> list[str]:
    """``O`` then ``B-X``, ``I-X`` for each label, in order."""
    names = ["O"]
    for label in labels:
        names += [f"B-{label.value}", f"I-{label.value}"]
    return names


def class_label(enum: type[Vocabulary]) -> ClassLabel:
    return ClassLabel(names=[member.value for member in enum])


def label_index(enum: type[Vocabulary]) -> dict[str, int]:
    """Value -> the integer its ``ClassLabel`` stores."""
    return {member.value: index for index, member in enumerate(enum)}


_string, _int, _bool = Value("string"), Value("int64"), Value("bool")

SPAN = {
    "id": _string,
    "label": class_label(SpanLabel),
    "start": _int,
    "end": _int,
    "text": _string,
    "source_type": class_label(SourceType),
    "refers_to": _string,
    "cue_type": class_label(CueType),
    "modality_type": class_label(ModalityType),
}
ATTRIBUTION = {
    "id": _string,
    "kind": class_label(AttributionKind),
    "source": _string,
    "cue": _string,
    "content": _string,
    "nested_in": _string,
}
CLAIM = {
    "id": _string,
    "span": _string,
    "claimer": class_label(Claimer),
    "attribution": _string,
    "factuality": class_label(Factuality),
    "modality": List(_string),
}
ANNOTATION_SET = {
    "id": _string,
    "annotator": _string,
    "origin": class_label(Origin),
    "created_at": _string,
    "gold": _bool,
    "adjudicated_from": List(_string),
    "model_version": _string,
    "imported_from": _string,
    "note": _string,
    "spans": List(SPAN),
    "attributions": List(ATTRIBUTION),
    "claims": List(CLAIM),
}
METADATA = {name: _string for name in ("title", "url", "publisher", "published", "license")}

DOCUMENTS = Features(
    {
        "schema_version": _string,
        "id": _string,
        "seed": _string,
        "sha256": _string,
        "language": _string,
        "text": _string,
        "metadata": METADATA,
        "split": class_label(Split),
        "annotation_sets": List(ANNOTATION_SET),
    }
)

_ROLE = {"text": _string, "start": _int, "end": _int}

CLAIMS = Features(
    {
        "document_id": _string,
        "claim_id": _string,
        "text": _string,
        "start": _int,
        "end": _int,
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

_ATTRIBUTION_TAGS = List(ClassLabel(names=bio_names(ATTRIBUTION_TAG_LABELS)))
_CLAIM_TAGS = List(ClassLabel(names=bio_names(CLAIM_TAG_LABELS)))
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
