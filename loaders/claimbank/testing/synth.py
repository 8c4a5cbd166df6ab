"""Synthetic ClaimBank corpora: valid, realistic-sized articles for tests and benchmarks (never for training).

Each article is about 3,000 code points of news-like sentences with non-ASCII text (accents, typographic
apostrophes, Arabic and Chinese names, emoji ZWJ sequences), and a gold set with attributions (one explicit
non-attribution and sometimes a nested one), claims with factuality, hedges and a pronoun source. The same
``seed`` gives the same corpus.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimbank.format.canonical import canonical
from claimbank.format.model import Document
from claimbank.util.jsonio import dumps

_NAMES = ["Mustafa al-Kadhimi", "Zoë Hernández", "محمد العلي", "李伟", "Søren Kierkegård", "Amélie Poulain"]
_BODIES = ["the interior ministry", "the defence ministry", "the electoral commission", "the central bank"]
_SOURCES = [
    ("military officials", "unnamed_official"),
    ("the interior ministry", "government_body"),
    ("people familiar with the talks", "anonymous"),
    ("most residents", "collective"),
    ("Reuters", "media"),
]
_CUES = [("said", "verb_of_saying"), ("believe", "belief_cognition"), ("announced", "verb_of_saying")]
_FACTS = [
    "three drones were launched at the residence of {name} on Sunday",
    "the attack wounded six members of the protection team in the Green Zone",
    "{body} will publish the final results next week",
    "turnout in the elections reached 41 percent 🗳️",
    "the convoy of {name} was diverted near the airport ✈️",
    "two suspects were detained in Baghdad’s Karrada district",
]
_FILLER = [
    "Despite the ongoing security troubles since 2003, the capital has seen months of relative calm.",
    "Residents of the neighbourhood described a night of explosions and sirens 👨‍👩‍👧.",
    "The government has walked a thin line between its neighbours and its allies.",
    "Analysts in Erbil and Basra expect more violence before the new cabinet is formed.",
    "The café on the corner, a favourite of journalists, stayed closed on Monday.",
    "Many of these groups have since gained influence over politics — using intimidation to press their case.",
]


class _Writer:
    """Builds a text and its spans together, so every offset is right by construction."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[dict[str, Any]] = []

    def add(self, text: str, label: str | None = None, **attrs: Any) -> str | None:
        span_id = None
        if label is not None:
            span_id = f"s{len(self.spans) + 1}"
            self.spans.append(
                {
                    "id": span_id,
                    "label": label,
                    "start": self.length,
                    "end": self.length + len(text),
                    "text": text,
                    **attrs,
                }
            )
        self.parts.append(text)
        self.length += len(text)
        return span_id

    def claim_span(self, text: str) -> str:
        """A CLAIM span over exactly the same stretch as the last span added."""
        last = self.spans[-1]
        span_id = f"s{len(self.spans) + 1}"
        self.spans.append(
            {"id": span_id, "label": "CLAIM", "start": last["start"], "end": last["end"], "text": text}
        )
        return span_id

    @property
    def text(self) -> str:
        return "".join(self.parts)


def document(index: int, seed: int = 0, *, target_length: int = 3000) -> tuple[str, dict[str, Any]]:
    """The text and the annotation file (as a dict) of synthetic article ``index``."""
    rng = random.Random(f"{seed}:{index}")
    doc_id = f"synth-{seed}-{index:07d}"
    w = _Writer()
    attributions: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    name = rng.choice(_NAMES)
    w.add(f"{name} under pressure after drone attack\n\n")
    while w.length < target_length:
        roll = rng.random()
        fact = rng.choice(_FACTS).format(name=rng.choice(_NAMES), body=rng.choice(_BODIES))
        if roll < 0.05:
            source_text, source_type = rng.choice(_SOURCES)
            cue_text, cue_type = rng.choice(_CUES)
            start_source = w.add(source_text[0].upper() + source_text[1:], "SOURCE", source_type=source_type)
            w.add(" ")
            cue = w.add(cue_text, "CUE", cue_type=cue_type)
            w.add(" that ")
            content = w.add(fact, "CONTENT")
            claim = w.claim_span(fact)
            w.add(". ")
            a_id = f"a{len(attributions) + 1}"
            attributions.append(
                {"id": a_id, "kind": "attribution", "source": start_source, "cue": cue, "content": content}
            )
            claims.append(
                {
                    "id": f"c{len(claims) + 1}",
                    "span": claim,
                    "claimer": "source",
                    "attribution": a_id,
                    "factuality": "CT+",
                }
            )
        elif roll < 0.08:
            cue = w.add("According to", "CUE", cue_type="according_to")
            w.add(" ")
            source = w.add(rng.choice(_BODIES), "SOURCE", source_type="government_body")
            w.add(", ")
            content = w.add(fact, "CONTENT")
            w.add(". ")
            attributions.append(
                {
                    "id": f"a{len(attributions) + 1}",
                    "kind": "attribution",
                    "source": source,
                    "cue": cue,
                    "content": content,
                }
            )
        elif roll < 0.10:
            w.add("He", "SOURCE", source_type="named_person")
            he = w.spans[-1]
            w.add(" ")
            cue = w.add("told reporters", "CUE", cue_type="verb_of_saying")
            w.add(" that ")
            content = w.add(fact, "CONTENT")
            w.add(". ")
            he["refers_to"] = "s0"  # the headline's name, added as an ENTITY span below
            attributions.append(
                {
                    "id": f"a{len(attributions) + 1}",
                    "kind": "attribution",
                    "source": he["id"],
                    "cue": cue,
                    "content": content,
                }
            )
        elif roll < 0.13:
            hedge = rng.random() < 0.5
            w.add("Officials say ")
            if hedge:
                modality = w.add("apparently", "MODALITY", modality_type="hedge")
                w.add(" ")
            text = fact
            w.add(text, "CLAIM")
            claims.append(
                {
                    "id": f"c{len(claims) + 1}",
                    "span": w.spans[-1]["id"],
                    "claimer": "author",
                    "factuality": "PR+" if hedge else "CT+",
                    **({"modality": [modality]} if hedge else {}),
                }
            )
            w.add(". ")
        else:
            w.add(rng.choice(_FILLER) + " ")
    nobody = w.add("No group", "SOURCE", source_type="nobody")
    w.add(" ")
    cue = w.add("has claimed", "CUE", cue_type="verb_of_saying")
    w.add(" ")
    content = w.add("responsibility for the attack", "CONTENT")
    w.add(".\n")
    attributions.append(
        {
            "id": f"a{len(attributions) + 1}",
            "kind": "non_attribution",
            "source": nobody,
            "cue": cue,
            "content": content,
        }
    )
    # The headline's name is the antecedent of every "He"; add it as an ENTITY span and point the pronouns at it.
    entity = {"id": "s0", "label": "ENTITY", "start": 0, "end": len(name), "text": name}
    text = w.text
    annotation = {
        "schema_version": "2.0",
        "id": doc_id,
        "seed": f"{doc_id}.txt",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "language": "en",
        "text": text,
        "metadata": {"title": text.split("\n", 1)[0], "license": "CC0-1.0"},
        "annotation_sets": [
            {
                "id": "gold",
                "annotator": "synth",
                "origin": "prediction",
                "model_version": f"claimbank.testing.synth seed={seed}",
                "created_at": "2026-01-01T00:00:00Z",
                "gold": True,
                "spans": [entity, *w.spans],
                "attributions": attributions,
                "claims": claims,
            }
        ],
    }
    return text, annotation


def corpus(count: int, seed: int = 0, *, target_length: int = 3000) -> Iterator[tuple[str, dict[str, Any]]]:
    """``count`` synthetic articles, one at a time."""
    for index in range(count):
        yield document(index, seed, target_length=target_length)


def write_project(folder: Path, count: int, seed: int = 0, *, target_length: int = 3000) -> Path:
    """Write ``count`` articles (of about ``target_length`` code points each) as ``folder/seeds/*.txt`` and
    ``folder/annotations/*.json``; return ``folder``."""
    (folder / "seeds").mkdir(parents=True, exist_ok=True)
    (folder / "annotations").mkdir(parents=True, exist_ok=True)
    for text, annotation in corpus(count, seed, target_length=target_length):
        (folder / "seeds" / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        # Written in canonical form (what `claimbank build` round-trips to, byte for byte).
        text_out = dumps(canonical(Document.model_validate(annotation)))
        (folder / "annotations" / f"{annotation['id']}.json").write_text(text_out, encoding="utf-8")
    return folder


def seeded_payloads(seeds: Path, count: int) -> list[bytes]:
    """Write the texts of ``count`` articles into the folder ``seeds`` and return their annotation files as
    bytes (plain ``json.dumps``, UTF-8): what the validation benchmarks feed ``validate_bytes``."""
    payloads = []
    for text, annotation in corpus(count):
        (seeds / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        payloads.append(json.dumps(annotation, ensure_ascii=False).encode("utf-8"))
    return payloads
