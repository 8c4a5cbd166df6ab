"""The features of every dataset config: defined once, used by the builder, the card, ``croissant.json`` and the
tests.

The ``documents`` config has one column per field of the model, from the table of fields
(:mod:`claimbank.format.fields`), so a field added to the model is a column without an edit here. Label columns
are ``ClassLabel``s whose names are the published order of their vocabulary (:mod:`claimbank.dataset.labels`:
append-only, so an index never changes). An attribute a row does not have (the ``cue_type`` of a SOURCE span) is
null, not a made-up label.

The definitions are written in three small types of this module (:class:`Value`, :class:`Label`, :class:`ListOf`,
and dicts for structs) that mirror ``datasets``' ``Value``, ``ClassLabel`` and ``List``: ``datasets`` imports
pandas, which is two CPU seconds of every build, and a build needs only what follows from the definitions (the
Arrow schemas with their ``huggingface`` metadata, the card's YAML). :data:`FEATURES` and the config names
(``DOCUMENTS``, ``CLAIMS``, …) are the same definitions as ``datasets.Features``, made on first use; and
``tests/test_features.py`` holds :func:`arrow_schema`, :func:`to_dict` and :func:`yaml_features` equal to what
``datasets`` makes of those, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa

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


@dataclass(frozen=True)
class Value:
    """A scalar column (``datasets.Value``): ``string``, ``int64``, ``float64`` or ``bool``."""

    dtype: str


@dataclass(frozen=True)
class Label:
    """A label column (``datasets.ClassLabel``): stored as the index of its name."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class ListOf:
    """A list column (``datasets.List``) of ``feature`` (a type of this module, or a dict for a struct)."""

    feature: Any


_ARROW = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_()}


def arrow_type(feature: Any) -> pa.DataType:
    """The Arrow type ``datasets`` stores a feature as."""
    if isinstance(feature, dict):
        return pa.struct([pa.field(name, arrow_type(child)) for name, child in feature.items()])
    if isinstance(feature, ListOf):
        return pa.list_(arrow_type(feature.feature))
    if isinstance(feature, Label):
        return pa.int64()
    return _ARROW[feature.dtype]


def to_dict(feature: Any) -> Any:
    """A feature as ``datasets.Features.to_dict`` writes it (the JSON inside a Parquet file's metadata)."""
    if isinstance(feature, dict):
        return {name: to_dict(child) for name, child in feature.items()}
    if isinstance(feature, ListOf):
        return {"feature": to_dict(feature.feature), "_type": "List"}
    if isinstance(feature, Label):
        return {"names": list(feature.names), "_type": "ClassLabel"}
    return {"dtype": feature.dtype, "_type": "Value"}


def _yaml(feature: Any) -> dict[str, Any]:
    """One feature in the card's YAML, as ``datasets`` writes it (``Features._to_yaml_list``)."""
    if isinstance(feature, dict):
        return {"struct": [{"name": name, **_yaml(child)} for name, child in feature.items()]}
    if isinstance(feature, ListOf):
        inner = _yaml(feature.feature)
        # datasets writes a list of one scalar or of one struct without the level between.
        if list(inner) == ["dtype"]:
            return {"list": inner["dtype"]}
        if list(inner) == ["struct"]:
            return {"list": inner["struct"]}
        return {"list": inner}
    if isinstance(feature, Label):
        return {"dtype": {"class_label": {"names": {str(i): name for i, name in enumerate(feature.names)}}}}
    return {"dtype": feature.dtype}


def to_datasets(feature: Any) -> Any:
    """The ``datasets`` feature of a definition of this module (imports ``datasets``)."""
    import datasets

    if isinstance(feature, dict):
        return {name: to_datasets(child) for name, child in feature.items()}
    if isinstance(feature, ListOf):
        return datasets.List(to_datasets(feature.feature))
    if isinstance(feature, Label):
        return datasets.ClassLabel(names=list(feature.names))
    return datasets.Value(feature.dtype)


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


def label(enum: type[Vocabulary]) -> Label:
    """A vocabulary's column: its published names first, so an index never changes (claimbank.dataset.labels)."""
    return Label(tuple(labels.names(enum)))


def class_label(enum: type[Vocabulary]) -> Any:
    """A vocabulary's column as a ``datasets.ClassLabel`` (imports ``datasets``)."""
    return to_datasets(label(enum))


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
            out[spec.name] = label(getattr(vocab, spec.vocabulary or ""))
        elif spec.kind in ("refs", "strings"):
            out[spec.name] = ListOf(_string)
        elif spec.kind == "records":
            out[spec.name] = ListOf(record_features(_RECORDS_OF[spec.name]))
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
_DOCUMENTS = record_features("document")

# A role's span: its text (a span in fragments: the fragments' texts joined by FRAGMENT_SEPARATOR), its start and
# end (for fragments, the first's start and the last's end), and every fragment's offsets ([] when contiguous).
FRAGMENTS = ListOf({"start": _int, "end": _int})
_ROLE = {"text": _string, "start": _int, "end": _int, "fragments": FRAGMENTS}

_CLAIMS = {
    "document_id": _string,
    "claim_id": _string,
    "text": _string,
    "start": _int,
    "end": _int,
    "fragments": FRAGMENTS,
    "sentence": _string,
    "sentence_start": _int,
    "claimer": label(Claimer),
    "attribution_id": _string,
    "source_text": _string,
    "source_type": label(SourceType),
    "cue_text": _string,
    "cue_type": label(CueType),
    "factuality": label(Factuality),
    "hedged": _bool,
    "modality": ListOf({"text": _string, "start": _int, "end": _int, "type": label(ModalityType)}),
    "license": _string,
}

_ATTRIBUTIONS = {
    "document_id": _string,
    "attribution_id": _string,
    "kind": label(AttributionKind),
    "source": _ROLE,
    "source_type": label(SourceType),
    "source_refers_to": _string,
    "cue": _ROLE,
    "cue_type": label(CueType),
    "content": _ROLE,
    "nested_in": _string,
    "sentence": _string,
    "sentence_start": _int,
    "license": _string,
}

_ATTRIBUTION_TAGS = ListOf(Label(tuple(tag_names("attribution_tags"))))
_CLAIM_TAGS = ListOf(Label(tuple(tag_names("claim_tags"))))
_TAGGED = {
    "tokens": ListOf(_string),
    "starts": ListOf(_int),
    "ends": ListOf(_int),
    "attribution_tags": _ATTRIBUTION_TAGS,
    "claim_tags": _CLAIM_TAGS,
    "nested_attribution_tags": _ATTRIBUTION_TAGS,
    "nested_claim_tags": _CLAIM_TAGS,
}

_TOKENS = {"document_id": _string, **_TAGGED, "license": _string}

_SENTENCES = {
    "document_id": _string,
    "sentence_index": _int,
    "start": _int,
    "end": _int,
    "text": _string,
    **_TAGGED,
    "license": _string,
}

# Each config's columns: the one definition every form below is made from.
DEFINITIONS: dict[str, dict[str, Any]] = {
    "documents": _DOCUMENTS,
    "claims": _CLAIMS,
    "attributions": _ATTRIBUTIONS,
    "tokens": _TOKENS,
    "sentences": _SENTENCES,
}


@cache
def arrow_schema(config: str) -> pa.Schema:
    """A config's Arrow schema with the ``huggingface`` metadata ``datasets`` reads its features from (what
    ``Features.arrow_schema`` gives)."""
    definition = DEFINITIONS[config]
    metadata = json.dumps({"info": {"features": to_dict(definition)}})
    return pa.schema(arrow_type(definition)).with_metadata({"huggingface": metadata})


def yaml_features(config: str) -> list[dict[str, Any]]:
    """A config's ``features`` in the card's ``dataset_info`` (what ``DatasetInfo._to_yaml_dict`` gives)."""
    struct: list[dict[str, Any]] = _yaml(DEFINITIONS[config])["struct"]
    return struct


_HF_NAMES = {config.upper(): config for config in CONFIGS}  # DOCUMENTS, CLAIMS, …


@cache
def hf_features(config: str) -> Any:
    """A config's ``datasets.Features`` (imports ``datasets``)."""
    import datasets

    return datasets.Features(to_datasets(DEFINITIONS[config]))


def __getattr__(name: str) -> Any:
    """``FEATURES`` and ``DOCUMENTS``, ``CLAIMS``, …: ``datasets.Features``, made when first asked for."""
    if name == "FEATURES":
        return {config: hf_features(config) for config in CONFIGS}
    if name in _HF_NAMES:
        return hf_features(_HF_NAMES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
