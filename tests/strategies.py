"""hypothesis strategies for ClaimBank documents over hostile text: emoji and ZWJ sequences, combining marks,
CRLF, right-to-left scripts and NFD forms. Every generated document is valid by construction."""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import strategies as st

from claimbank.format.vocab import CueType, Factuality, ModalityType, Origin, SourceType, Split
from claimbank.validate.checks import splits_character

PIECES = [
    "The minister said",
    " ",
    "\r\n",
    "\n",
    "café",
    "cafe\u0301",  # NFD
    "👩\u200d👩\u200d👧",
    "🇮🇶",
    "👍🏽",
    "مرحبا بالعالم",
    "שלום",
    "李伟说",
    "’",
    "—",
    "Zoë",
    ".",
    ",",
    "\u00a0",
    "x",
]

texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join)
ids = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True)


def _boundaries(text: str) -> list[int]:
    return [i for i in range(len(text) + 1) if not splits_character(text, i)]


@st.composite
def spans_for(draw: st.DrawFn, text: str) -> list[dict[str, Any]]:
    cuts = _boundaries(text)
    allowed = set(cuts)
    spans: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 8))):
        start, end = sorted(draw(st.lists(st.sampled_from(cuts), min_size=2, max_size=2, unique=True)))
        # Spans are trimmed (guidelines §5); white space never starts a character cluster here, so trimming
        # keeps the boundaries between characters, which the check below makes sure of.
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end or start not in allowed or end not in allowed:
            continue
        index = len(spans)
        label = draw(st.sampled_from(["SOURCE", "CUE", "CONTENT", "CLAIM", "ENTITY", "MODALITY"]))
        span: dict[str, Any] = {
            "id": f"s{index}",
            "label": label,
            "start": start,
            "end": end,
            "text": text[start:end],
        }
        if label == "SOURCE":
            span["source_type"] = draw(
                st.sampled_from([t.value for t in SourceType if t != SourceType.NOBODY])
            )
        elif label == "CUE":
            span["cue_type"] = draw(st.sampled_from([t.value for t in CueType]))
        elif label == "MODALITY":
            span["modality_type"] = draw(st.sampled_from([t.value for t in ModalityType]))
        inner = [cut for cut in cuts if start < cut < end]
        if len(inner) >= 2 and draw(st.booleans()):  # a span in fragments: a gap left out of its middle
            gap_start, gap_end = sorted(
                draw(st.lists(st.sampled_from(inner), min_size=2, max_size=2, unique=True))
            )
            first, second = text[start:gap_start].rstrip(), text[gap_end:end].lstrip()
            first_end, second_start = start + len(first), end - len(second)
            if first and second and first_end in allowed and second_start in allowed:
                span["fragments"] = [
                    {"start": start, "end": first_end, "text": first},
                    {"start": second_start, "end": end, "text": second},
                ]
        spans.append(span)
    return spans


@st.composite
def annotation_sets(draw: st.DrawFn, text: str, index: int, gold: bool) -> dict[str, Any]:
    spans = draw(spans_for(text))
    by_label: dict[str, list[str]] = {}
    for span in spans:
        by_label.setdefault(span["label"], []).append(span["id"])
    # Ids as other tools make them (brat's E1, E1:Content2), and ones that look like another layer's.
    attribution_id = draw(st.sampled_from(["a0", "n1", "E1", "E1:Content2", "c_attribution"]))
    claim_prefix = draw(st.sampled_from(["c", "k-", "a_claim"]))
    attributions = []
    if by_label.get("CUE") and by_label.get("CONTENT"):
        attribution = {
            "id": attribution_id,
            "kind": "attribution",
            "cue": by_label["CUE"][0],
            "content": by_label["CONTENT"][0],
        }
        if by_label.get("SOURCE") and draw(st.booleans()):
            attribution["source"] = by_label["SOURCE"][0]
        attributions.append(attribution)
    claims = []
    for position, span_id in enumerate(by_label.get("CLAIM", [])):
        claim: dict[str, Any] = {
            "id": f"{claim_prefix}{position}",
            "span": span_id,
            "factuality": draw(st.sampled_from([f.value for f in Factuality])),
        }
        if attributions and draw(st.booleans()):
            claim |= {"claimer": "source", "attribution": attribution_id}
        else:
            claim["claimer"] = "author"
        if by_label.get("MODALITY") and draw(st.booleans()):
            claim["modality"] = by_label["MODALITY"][:1]
        claims.append(claim)
    item: dict[str, Any] = {
        "id": f"set{index}",
        "annotator": draw(st.sampled_from(["ann-1", "Zoë", "李", "annotator with spaces"])),
        "origin": draw(st.sampled_from([o.value for o in Origin])),
        "created_at": "2026-11-24T12:00:00Z",
        "spans": spans,
        "attributions": attributions,
        "claims": claims,
    }
    if gold:
        item["gold"] = True
    if draw(st.booleans()):
        item["note"] = draw(texts)
    return item


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    text = draw(texts)
    count = draw(st.integers(0, 3))
    sets = [
        draw(annotation_sets(text, index, gold=index == 0 and draw(st.booleans()))) for index in range(count)
    ]
    split = draw(st.sampled_from([None, *(member.value for member in Split)]))
    return {
        **({} if split is None else {"split": split}),
        "schema_version": "2.0",
        "id": draw(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)),
        "seed": "seed.txt",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "language": "en",
        "text": text,
        "metadata": draw(
            st.fixed_dictionaries({}, optional={"title": texts, "url": st.just("https://example.org/a")})
        ),
        "annotation_sets": sets,
    }


def problems_of_predicted_set(text: str, item: dict[str, Any]) -> list[str]:
    """The problems of a document holding ``text`` and the annotation set ``item`` that a predictor made for it
    (the seed file is not there: ``seed-missing`` is left out)."""
    from claimbank.format import migrate
    from claimbank.validate.core import check_data

    data = {
        "schema_version": migrate.TARGET,
        "id": "x",
        "seed": "x.txt",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "language": "en",
        "text": text,
        "annotation_sets": [item],
    }
    return [p.format() for p in check_data(data, name="h") if p.code != "seed-missing"]
