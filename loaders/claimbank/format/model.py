"""The document model: pydantic v2 classes from which the JSON Schema in ``schema/`` is generated.

Layers point one way, like the annotation layers of pie-datasets: spans point into the document text; attributions
point at spans; claims point at spans and attributions. Everything a span, attribution or claim refers to is named
by its ``id`` within the same annotation set. What a schema cannot say (offsets inside the text, references that
resolve, ...) is checked by ``claimbank.validate.checks``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from claimbank.format.constants import (  # re-exported: the models' constraints
    FRAGMENT_SEPARATOR,
    ID_PATTERN,
    MAX_SAFE_INT,
    REFERENCES_KEYWORD,
)
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
)

# The one place the schema version is written; a file declaring any other version is refused (a 1.x file with a
# problem that names `claimbank migrate`: claimbank.format.migrate upgrades it). docs/format.md#versions.
SchemaVersion = Literal["2.0"]
SCHEMA_VERSION: Final[str] = get_args(SchemaVersion)[0]

Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="An identifier, unique within its annotation set: letters, digits and _ . : -"),
]
DocumentId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"),
    Field(
        description="The document's identifier, also the stem of its annotation file and seed file: letters, "
        "digits, _ and - only, so that it is always a safe file name."
    ),
]
Offset = Annotated[int, Field(ge=0, le=MAX_SAFE_INT)]
Timestamp = Annotated[
    str,
    # [0-9], not \d: \d is any script's digit in pydantic's (Rust) and Python's regular expressions.
    StringConstraints(
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
    ),
    Field(description="An RFC 3339 timestamp with a time zone, e.g. 2026-11-24T12:00:00Z."),
]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Confidence = Annotated[float, Field(ge=0, le=1)]
_CONFIDENCE = (
    "For a predicted item (a set of origin 'prediction'): the model's confidence in it, from 0 to 1. Omit for "
    "items people made."
)


def refers(layer: str, *labels: str) -> dict[str, Any]:
    """``json_schema_extra`` of a field that holds the id of an item of ``layer`` (with one of ``labels``)."""
    return {REFERENCES_KEYWORD: {"layer": layer, "labels": sorted(labels)}}


class Strict(BaseModel):
    """Base for every model: unknown fields are errors, types are not coerced, instances are immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Fragment(Strict):
    """One contiguous part of a discontinuous span."""

    start: Offset = Field(description="Start offset of the fragment, in code points, inclusive.")
    end: Offset = Field(description="End offset of the fragment, in code points, exclusive.")
    text: str = Field(description="The fragment's text; must equal the document text from start to end.")


class SpanBase(Strict):
    id: Id
    start: Offset = Field(
        description="Start offset, in Unicode code points into the document text, inclusive. For a span in "
        "fragments: the first fragment's start."
    )
    end: Offset = Field(
        description="End offset, in Unicode code points into the document text, exclusive. For a span in "
        "fragments: the last fragment's end."
    )
    text: str = Field(
        description="The spanned text; must equal the document text from start to end (for a span in "
        "fragments, the whole stretch, gaps included)."
    )
    fragments: list[Fragment] | None = Field(
        default=None,
        min_length=2,
        description="For a discontinuous span (a quote broken by 'he said'): its parts, at least two, in text "
        "order, none overlapping another; start and end are then the first's start and the last's end. Omit "
        "for a contiguous span.",
    )
    confidence: Confidence | None = Field(default=None, description=_CONFIDENCE)

    def parts(self) -> list[tuple[int, int]]:
        """The span's stretches of text: its fragments' offsets, or its own for a contiguous span."""
        if self.fragments:
            return [(f.start, f.end) for f in self.fragments]
        return [(self.start, self.end)]

    def joined_text(self) -> str:
        """The span's text without its gaps: the fragments' texts joined by ``FRAGMENT_SEPARATOR``."""
        if self.fragments:
            return FRAGMENT_SEPARATOR.join(f.text for f in self.fragments)
        return self.text


class SourceSpan(SpanBase):
    __doc__ = SpanLabel.SOURCE.description
    label: Literal[SpanLabel.SOURCE] = Field(description="The span label.")
    source_type: Annotated[SourceType, Field(strict=False)] = Field(description=SourceType.__doc__)
    refers_to: Id | None = Field(
        default=None,
        description="For a pronoun or partial mention ('He', 'they'): the id of the ENTITY or SOURCE span it "
        "refers to. Omit when the source names itself.",
        json_schema_extra=refers("spans", "SOURCE", "ENTITY"),
    )


class CueSpan(SpanBase):
    __doc__ = SpanLabel.CUE.description
    label: Literal[SpanLabel.CUE] = Field(description="The span label.")
    cue_type: Annotated[CueType, Field(strict=False)] = Field(description=CueType.__doc__)


class ContentSpan(SpanBase):
    __doc__ = SpanLabel.CONTENT.description
    label: Literal[SpanLabel.CONTENT] = Field(description="The span label.")


class ClaimSpan(SpanBase):
    __doc__ = SpanLabel.CLAIM.description
    label: Literal[SpanLabel.CLAIM] = Field(description="The span label.")


class EntitySpan(SpanBase):
    __doc__ = SpanLabel.ENTITY.description
    label: Literal[SpanLabel.ENTITY] = Field(description="The span label.")


class ModalitySpan(SpanBase):
    __doc__ = SpanLabel.MODALITY.description
    label: Literal[SpanLabel.MODALITY] = Field(description="The span label.")
    modality_type: Annotated[ModalityType, Field(strict=False)] = Field(description=ModalityType.__doc__)


Span = Annotated[
    SourceSpan | CueSpan | ContentSpan | ClaimSpan | EntitySpan | ModalitySpan,
    Field(discriminator="label"),
]


class AttributionBase(Strict):
    id: Id
    cue: Id = Field(
        description="The id of the CUE span that signals the attribution.",
        json_schema_extra=refers("spans", "CUE"),
    )
    content: Id = Field(
        description="The id of the CONTENT span that is attributed.",
        json_schema_extra=refers("spans", "CONTENT"),
    )
    nested_in: Id | None = Field(
        default=None,
        description="For nested attribution (a source reporting what another source said): the id of the "
        "attribution whose content contains this one. Omit for top-level attributions.",
        json_schema_extra=refers("attributions"),
    )
    confidence: Confidence | None = Field(default=None, description=_CONFIDENCE)


class Attribution(AttributionBase):
    __doc__ = AttributionKind.ATTRIBUTION.description
    kind: Literal[AttributionKind.ATTRIBUTION] = Field(description="The attribution kind.")
    source: Id | None = Field(
        default=None,
        description="The id of the SOURCE span. Omit only when the text names no source at all ('it was "
        "reported that').",
        json_schema_extra=refers("spans", "SOURCE"),
    )


class NonAttribution(AttributionBase):
    __doc__ = AttributionKind.NON_ATTRIBUTION.description
    kind: Literal[AttributionKind.NON_ATTRIBUTION] = Field(description="The attribution kind.")
    source: Id | None = Field(
        default=None,
        description="The id of the SOURCE span of type 'nobody' that names the absent claimer ('No group'), "
        "when the text has one.",
        json_schema_extra=refers("spans", "SOURCE"),
    )


AnyAttribution = Annotated[Attribution | NonAttribution, Field(discriminator="kind")]


class ClaimBase(Strict):
    id: Id
    span: Id = Field(description="The id of the CLAIM span.", json_schema_extra=refers("spans", "CLAIM"))
    factuality: Annotated[Factuality, Field(strict=False)] = Field(
        description=f"{Factuality.__doc__} Relative to the claimer, not the reader."
    )
    modality: list[Id] = Field(
        default_factory=list,
        description="The ids of MODALITY spans (hedges, boosters) that modify this claim.",
        json_schema_extra=refers("spans", "MODALITY"),
    )


class AuthorClaim(ClaimBase):
    __doc__ = Claimer.AUTHOR.description
    claimer: Literal[Claimer.AUTHOR] = Field(description="Who stands behind the claim.")


class SourceClaim(ClaimBase):
    __doc__ = Claimer.SOURCE.description
    claimer: Literal[Claimer.SOURCE] = Field(description="Who stands behind the claim.")
    attribution: Id = Field(
        description="The id of the attribution (kind 'attribution') whose content holds it.",
        json_schema_extra=refers("attributions", "attribution"),
    )


class UnclaimedClaim(ClaimBase):
    __doc__ = Claimer.UNCLAIMED.description
    claimer: Literal[Claimer.UNCLAIMED] = Field(description="Who stands behind the claim.")
    attribution: Id = Field(
        description="The id of the non_attribution that says nobody claims it.",
        json_schema_extra=refers("attributions", "non_attribution"),
    )


AnyClaim = Annotated[AuthorClaim | SourceClaim | UnclaimedClaim, Field(discriminator="claimer")]


class AnnotationSet(Strict):
    """One annotator's (or one program's) annotation of the document. At most one set per document is gold."""

    id: Id
    annotator: str = Field(
        min_length=1,
        max_length=200,
        description="Who made the set: a person's handle, an adjudicator, or a program's name.",
    )
    origin: Annotated[Origin, Field(strict=False)] = Field(description=Origin.__doc__)
    created_at: Timestamp
    gold: bool = Field(
        default=False,
        description="True for the adjudicated gold set; at most one set per document.",
    )
    adjudicated_from: list[Id] = Field(
        default_factory=list,
        description="For an adjudicated set: the ids of the annotation sets it was adjudicated from.",
        json_schema_extra=refers("annotation_sets"),
    )
    model_version: str | None = Field(
        default=None, description="For origin 'prediction': the program and version that made the set."
    )
    imported_from: str | None = Field(
        default=None,
        description="For origin 'imported': where the set came from, e.g. 'label-studio:project/3/task/17'.",
    )
    note: str | None = Field(default=None, description="Free-text remarks on the set (decisions, doubts).")
    spans: list[Span] = Field(default_factory=list, description="Text spans, each with a label.")
    attributions: list[AnyAttribution] = Field(
        default_factory=list, description="Attributions and explicit non-attributions, over spans."
    )
    claims: list[AnyClaim] = Field(default_factory=list, description="Check-worthy claims, over spans.")


class Metadata(Strict):
    """Facts about the article itself, as far as they are known."""

    title: str | None = Field(default=None, description="The headline.")
    url: str | None = Field(default=None, description="Where the article was published.")
    publisher: str | None = Field(default=None, description="The outlet that published it.")
    published: str | None = Field(default=None, description="Publication date, ISO 8601, as far as known.")
    license: str | None = Field(
        default=None, description="The licence or terms under which the text is held."
    )


class Document(Strict):
    """A ClaimBank annotation file: one article's exact text and every annotation set made on it."""

    schema_version: SchemaVersion = Field(description="The ClaimBank schema version this file follows.")
    id: DocumentId
    seed: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.txt$",
        description="The file name, inside seeds/, of the article's text; the text below must equal it.",
    )
    sha256: Sha256 = Field(description="The SHA-256 of the text encoded as UTF-8, lowercase hex.")
    language: str = Field(
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", description="BCP 47 language tag, e.g. 'en'."
    )
    text: str = Field(description="The article's exact text; every offset counts code points into it.")
    metadata: Metadata = Field(default_factory=Metadata)
    split: Annotated[Split, Field(strict=False)] | None = Field(
        default=None,
        description=f"{Split.__doc__} Set by an importer from the corpus's own split (brat import --split) and "
        "kept by claimbank build; a document without one is put in a split by the hash of its id.",
    )
    annotation_sets: list[AnnotationSet] = Field(
        default_factory=list, description="The annotation sets made on this document."
    )
