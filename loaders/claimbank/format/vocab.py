"""The label vocabulary: every label and attribute value ClaimBank knows, with when to use it.

This module is the single source of truth for the vocabulary. The pydantic models (``model.py``) take their
enums from here, the JSON Schema (``schema/``) is generated from those models, and the guidelines' tables are
checked against these descriptions by the tests; change a label here and everything else follows or fails.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Vocabulary(StrEnum):
    """A string enum whose members carry a description saying when to use them."""

    description: str

    def __new__(cls, value: str, description: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class SpanLabel(Vocabulary):
    """What a text span is in an attribution or a claim."""

    SOURCE = (
        "SOURCE",
        "The expression that names or refers to whoever the content is attributed to: a person, an "
        "organisation, a group, a document, or the negated claimer of an explicit non-attribution. Mark the "
        "whole noun phrase that identifies the source ('military officials', 'the interior ministry', 'He', "
        "'Al Kadhimi’s sources', 'No group').",
    )
    CUE = (
        "CUE",
        "The words that link a source to its content and signal that something is attributed: a verb of "
        "saying or thinking ('said', 'realise'), 'according to', a noun of saying ('plans'), or a credit line "
        "('Image Credit:'). Auxiliaries and adverbs inside the verb group belong to the cue ('have recently "
        "said').",
    )
    CONTENT = (
        "CONTENT",
        "What is attributed: the proposition, belief or material the source is said to say, think or provide, "
        "without the source and the cue. Complementisers ('that') are left out.",
    )
    CLAIM = (
        "CLAIM",
        "A check-worthy proposition the article puts forward, asserted by the author or attributed to a source: "
        "something a fact-checker could verify or refute. One CLAIM span per proposition; a CONTENT span may "
        "hold several claims.",
    )
    ENTITY = (
        "ENTITY",
        "A mention of the person, organisation or group that a SOURCE refers to, marked only so that the "
        "SOURCE's refers_to can point at it (e.g. 'Al Kadhimi' for the pronoun source 'He'). Not a source itself.",
    )
    MODALITY = (
        "MODALITY",
        "A word or phrase that changes how certain a claim is presented: a hedge ('apparent', 'reportedly', "
        "'may') or a booster ('will surely', 'clearly'). Linked from the claims it modifies.",
    )


class SourceType(Vocabulary):
    """Who a SOURCE is."""

    NAMED_PERSON = (
        "named_person",
        "A person identified by name or by a unique title, or a pronoun referring to one "
        "('Prime Minister Mustafa Al Kadhimi', 'He' = Al Kadhimi).",
    )
    NAMED_ORGANIZATION = (
        "named_organization",
        "A named non-state organisation: a company, party, militia, NGO or group ('Kataib Hezbollah').",
    )
    GOVERNMENT_BODY = (
        "government_body",
        "A state institution speaking as an institution: a ministry, army, agency, court or government "
        "('the interior ministry', 'the government').",
    )
    UNNAMED_OFFICIAL = (
        "unnamed_official",
        "One or more officials identified by role or institution but not by name ('military officials', "
        "'a senior security official').",
    )
    ANONYMOUS = (
        "anonymous",
        "A source deliberately left unidentified ('sources', 'people familiar with the matter', "
        "'Al Kadhimi’s sources').",
    )
    COLLECTIVE = (
        "collective",
        "A broad or vague collective holding a view ('most in Iraq', 'many Iraqis', 'they' referring to such a "
        "group).",
    )
    MEDIA = (
        "media",
        "A news outlet, agency or publication, including the agency of a credit line ('REUTERS', 'state TV').",
    )
    AUTHOR = (
        "author",
        "The journalist or the publication itself, when it appears in the text as a source ('we', 'this "
        "newspaper has learned'). Claims the author asserts without any source span use claimer 'author' instead.",
    )
    NOBODY = (
        "nobody",
        "The negated claimer of an explicit non-attribution ('No group' in 'No group has claimed "
        "responsibility'). Used only as the source of a non_attribution.",
    )
    UNSPECIFIED = (
        "unspecified",
        "Not classified yet: the span came from a corpus or tool that has no source types (a brat or PolNeAR "
        "import). Never in a gold set made with these guidelines; classify it when the set is reviewed.",
    )


class CueType(Vocabulary):
    """How a CUE attributes its content."""

    VERB_OF_SAYING = (
        "verb_of_saying",
        "A verb (phrase) of speech or communication: 'said', 'told', 'announced', 'voiced plans', 'claimed', "
        "'denied'.",
    )
    ACCORDING_TO = (
        "according_to",
        "A prepositional cue that attributes without a verb: 'according to', 'as per', 'citing', 'in the "
        "words of'.",
    )
    BELIEF_COGNITION = (
        "belief_cognition",
        "A verb or phrase of belief, knowledge or perception: 'believe', 'realise', 'have some idea', 'know', "
        "'expect', 'saw'.",
    )
    NOUN = (
        "noun",
        "A noun of saying or thinking that carries the attribution by itself: 'the claim that', 'his view "
        "that', 'a statement'.",
    )
    CREDIT_LINE = (
        "credit_line",
        "A credit that attributes an embedded item (a photo, a chart) to its provider: 'Image Credit:', "
        "'Photo:'. A wire dateline ('RENO, Nev. (AP) —') is not one: the agency is the article's author.",
    )
    OTHER = (
        "other",
        "Any other attribution signal (a colon introducing a quote, quotation marks alone); say why in the "
        "annotation set's note.",
    )
    UNSPECIFIED = (
        "unspecified",
        "Not classified yet: the span came from a corpus or tool that has no cue types (a brat or PolNeAR "
        "import). Never in a gold set made with these guidelines; classify it when the set is reviewed.",
    )


class AttributionKind(Vocabulary):
    """Whether an attribution names who holds the content or says that nobody does."""

    ATTRIBUTION = (
        "attribution",
        "The text attributes the content to a source (which may be left unnamed: 'it was reported that').",
    )
    NON_ATTRIBUTION = (
        "non_attribution",
        "The text says explicitly that nobody claims or asserts the content ('No group has claimed "
        "responsibility'). This is a statement about the absence of a claimer, not a missing annotation.",
    )


class Claimer(Vocabulary):
    """Who stands behind a claim."""

    AUTHOR = (
        "author",
        "The article asserts the claim itself, with no attribution ('The Prime Minister was unharmed'): the "
        "journalist is the claimer.",
    )
    SOURCE = (
        "source",
        "The claim is the content (or part of the content) of an attribution; its claimer is that "
        "attribution's source.",
    )
    UNCLAIMED = (
        "unclaimed",
        "The article says explicitly that nobody claims it: the claim is the content of a non_attribution.",
    )


class Factuality(Vocabulary):
    """FactBank's factuality scale: how committed the claimer is presented to be to the claim."""

    CT_POS = ("CT+", "Certain that it is the case ('the attack wounded six members').")
    PR_POS = ("PR+", "Probable: presented as likely ('apparent assassination attempt', 'will likely').")
    PS_POS = ("PS+", "Possible: presented as a possibility ('may', 'could').")
    CT_NEG = ("CT-", "Certain that it is not the case ('No group has claimed responsibility').")
    PR_NEG = ("PR-", "Probably not the case ('is unlikely to').")
    PS_NEG = ("PS-", "Possibly not the case ('may not').")
    CT_U = (
        "CTu",
        "The claimer knows whether it is the case but the text does not say which ('knows whether').",
    )
    UU = ("Uu", "Uncommitted or unknown: the claimer takes no stance, or the text gives no way to tell.")


class ModalityType(Vocabulary):
    """Which way a MODALITY span moves the certainty of a claim."""

    HEDGE = ("hedge", "Lowers certainty: 'apparent', 'reportedly', 'may', 'suspected'.")
    BOOSTER = ("booster", "Raises certainty: 'surely', 'clearly', 'undoubtedly'.")


class Origin(Vocabulary):
    """Where an annotation set comes from."""

    MANUAL = ("manual", "Made by a person, in ClaimBank files or by adjudication.")
    PREDICTION = (
        "prediction",
        "Proposed by a program (a pre-annotator or a model); record its model_version.",
    )
    IMPORTED = (
        "imported",
        "Converted from another tool or corpus (Label Studio, brat); record where in imported_from.",
    )


class Split(Vocabulary):
    """Which part of the dataset a document belongs to, as its corpus fixed it."""

    TRAIN = ("train", "For training: models may see it as often as they like.")
    VALIDATION = (
        "validation",
        "For choosing between models and settings during development (a corpus's dev set).",
    )
    TEST = ("test", "Held out for the final evaluation only; never looked at during development.")


VOCABULARIES: tuple[type[Vocabulary], ...] = (
    SpanLabel,
    SourceType,
    CueType,
    AttributionKind,
    Claimer,
    Factuality,
    ModalityType,
    Origin,
    Split,
)
