"""Regenerate the machine-made validator cases under tests/cases/ from one valid document and its mutations.

Run ``python tests/tools/make_cases.py`` after changing the format. Hand-made cases are plain files in the same
folders and are left alone: this script only writes the files it names below.

Each invalid case ``tests/cases/invalid/<code>/<name>.json`` has ``<name>.expect`` beside it: one line per problem
the validator must report, ``CODE POINTER``, and nothing else may be reported.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parents[1] / "cases"
SEED = CASES / "seeds" / "mini.txt"
TEXT = SEED.read_bytes().decode("utf-8")


def _span(sid: str, label: str, quote: str, after: str = "", **attrs: Any) -> dict[str, Any]:
    start = TEXT.index(quote, TEXT.index(after) if after else 0)
    return {"id": sid, "label": label, "start": start, "end": start + len(quote), "text": quote, **attrs}


def valid_document(doc_id: str = "mini") -> dict[str, Any]:
    """A document that uses every label, attribute and layer, nested attribution and non-BMP text included."""
    spans = [
        _span("s1", "SOURCE", "AFP", source_type="media"),
        _span("s2", "CUE", "Photo:", "airport.", cue_type="credit_line"),
        _span("s3", "CONTENT", "Photo of the cafe\u0301 at the airport"),
        _span("s4", "SOURCE", "Officials", source_type="unnamed_official"),
        _span("s5", "CUE", "said", cue_type="verb_of_saying"),
        _span("s6", "CONTENT", "three drones hit Erbil’s airport 👩‍👩‍👧 on Sunday"),
        _span("s7", "CUE", "According to", cue_type="according_to"),
        _span("s8", "SOURCE", "the ministry", source_type="government_body"),
        _span("s9", "CONTENT", "the governor told reporters the attack apparently failed"),
        _span("s10", "SOURCE", "the governor", source_type="named_person"),
        _span("s11", "CUE", "told reporters", cue_type="verb_of_saying"),
        _span("s12", "CONTENT", "the attack apparently failed"),
        _span("s13", "SOURCE", "No group", source_type="nobody"),
        _span("s14", "CUE", "has claimed", cue_type="verb_of_saying"),
        _span("s15", "CONTENT", "responsibility for the attack"),
        _span("s16", "SOURCE", "Most residents", source_type="collective"),
        _span("s17", "CUE", "believe", cue_type="belief_cognition"),
        _span("s18", "CONTENT", "it was planned"),
        _span("s19", "SOURCE", "They", source_type="collective", refers_to="s16"),
        _span("s20", "CUE", "fear", cue_type="belief_cognition"),
        _span("s21", "CONTENT", "more attacks"),
        _span("s22", "CLAIM", "three drones hit Erbil’s airport 👩‍👩‍👧 on Sunday"),
        _span("s23", "CLAIM", "the attack apparently failed"),
        _span("s24", "MODALITY", "apparently", modality_type="hedge"),
        _span("s25", "CLAIM", "responsibility for the attack"),
        _span("s26", "CLAIM", "The airport will surely reopen"),
        _span("s27", "MODALITY", "will surely", modality_type="booster"),
        _span("s28", "ENTITY", "Erbil’s airport"),
    ]
    attributions = [
        {"id": "a1", "kind": "attribution", "source": "s1", "cue": "s2", "content": "s3"},
        {"id": "a2", "kind": "attribution", "source": "s4", "cue": "s5", "content": "s6"},
        {"id": "a3", "kind": "attribution", "source": "s8", "cue": "s7", "content": "s9"},
        {
            "id": "a4",
            "kind": "attribution",
            "source": "s10",
            "cue": "s11",
            "content": "s12",
            "nested_in": "a3",
        },
        {"id": "a5", "kind": "non_attribution", "source": "s13", "cue": "s14", "content": "s15"},
        {"id": "a6", "kind": "attribution", "source": "s16", "cue": "s17", "content": "s18"},
        {"id": "a7", "kind": "attribution", "source": "s19", "cue": "s20", "content": "s21"},
    ]
    claims = [
        {"id": "c1", "span": "s22", "claimer": "source", "attribution": "a2", "factuality": "CT+"},
        {
            "id": "c2",
            "span": "s23",
            "claimer": "source",
            "attribution": "a4",
            "factuality": "PR+",
            "modality": ["s24"],
        },
        {"id": "c3", "span": "s25", "claimer": "unclaimed", "attribution": "a5", "factuality": "Uu"},
        {"id": "c4", "span": "s26", "claimer": "author", "factuality": "PR+", "modality": ["s27"]},
    ]
    return {
        "schema_version": "2.0",
        "id": doc_id,
        "seed": "mini.txt",
        "sha256": hashlib.sha256(TEXT.encode("utf-8")).hexdigest(),
        "language": "en",
        "text": TEXT,
        "metadata": {"title": "A made-up report", "license": "CC0-1.0"},
        "annotation_sets": [
            {
                "id": "gold",
                "annotator": "adjudicator",
                "origin": "manual",
                "created_at": "2026-11-24T12:00:00Z",
                "gold": True,
                "adjudicated_from": ["pass-a"],
                "spans": spans,
                "attributions": attributions,
                "claims": claims,
            },
            {
                "id": "pass-a",
                "annotator": "annotator-a",
                "origin": "manual",
                "created_at": "2026-11-24T11:00:00.5+01:00",
                "spans": copy.deepcopy(spans[:6]),
                "attributions": copy.deepcopy(attributions[:2]),
            },
        ],
    }


Mutation = Callable[[dict[str, Any]], None]
SET = "/annotation_sets/0"
FRAGMENTED = 5  # s6, the CONTENT "three drones hit Erbil’s airport 👩‍👩‍👧 on Sunday", in two fragments


def fragmented(doc: dict[str, Any], index: int = FRAGMENTED) -> dict[str, Any]:
    """``doc`` with one span in fragments: the CONTENT without the emoji inside it (the span keeps its hull)."""
    span = _spans(doc)[index]
    quotes = ("three drones hit Erbil’s airport", "on Sunday")
    fragments, at = [], span["start"]
    for quote in quotes:
        start = TEXT.index(quote, at)
        fragments.append({"start": start, "end": start + len(quote), "text": quote})
        at = start + len(quote)
    span["fragments"] = fragments
    return doc


def _fragments(doc: dict[str, Any]) -> list[dict[str, Any]]:
    fragments: list[dict[str, Any]] = fragmented(doc)["annotation_sets"][0]["spans"][FRAGMENTED]["fragments"]
    return fragments


def _swap_fragments(doc: dict[str, Any]) -> None:
    fragments = _fragments(doc)
    fragments.reverse()


def _shrink_hull(doc: dict[str, Any]) -> None:
    first = _fragments(doc)[0]
    span = _spans(doc)[FRAGMENTED]
    span["end"], span["text"] = first["end"], first["text"]


def _spans(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spans: list[dict[str, Any]] = doc["annotation_sets"][0]["spans"]
    return spans


def _by_id(doc: dict[str, Any], layer: str, item_id: str) -> dict[str, Any]:
    item: dict[str, Any] = next(x for x in doc["annotation_sets"][0][layer] if x["id"] == item_id)
    return item


def _shift_span(doc: dict[str, Any], span_id: str, start: int, end: int) -> None:
    span = _by_id(doc, "spans", span_id)
    span["start"], span["end"] = start, end
    span["text"] = TEXT[start:end]


def _utf16_offsets(doc: dict[str, Any]) -> None:
    # What an old Label Studio (UTF-16 code units) would store for a span that holds an emoji sequence.
    span = _by_id(doc, "spans", "s6")
    span["start"] = len(TEXT[: span["start"]].encode("utf-16-le")) // 2
    span["end"] = span["start"] + len(span["text"].encode("utf-16-le")) // 2


def _utf8_offsets(doc: dict[str, Any]) -> None:
    span = _by_id(doc, "spans", "s8")
    start = len(TEXT[: span["start"]].encode("utf-8"))
    span["start"], span["end"] = start, start + len(span["text"].encode("utf-8"))


def _crlf_offsets(doc: dict[str, Any]) -> None:
    crlf = TEXT.replace("\n", "\r\n")
    span = _by_id(doc, "spans", "s16")
    span["start"] = crlf.index(span["text"])
    span["end"] = span["start"] + len(span["text"])


def _nfc_text(doc: dict[str, Any]) -> None:
    span = _by_id(doc, "spans", "s3")
    span["text"] = span["text"].replace("cafe\u0301", "caf\u00e9")


def _edit_text(doc: dict[str, Any]) -> None:
    # Someone "fixed" a typo in the article: the text no longer equals its seed, though its hash is recomputed.
    doc["text"] = doc["text"].replace("🇮🇶🇮🇶", "🇮🇶")
    doc["sha256"] = hashlib.sha256(doc["text"].encode("utf-8")).hexdigest()


INVALID: dict[str, list[tuple[str, Mutation, list[str]]]] = {
    "schema-required": [
        ("missing-text", lambda d: d.pop("text"), ["/text"]),
        ("missing-span-end", lambda d: _spans(d)[0].pop("end"), [f"{SET}/spans/0/end"]),
        ("missing-label", lambda d: _spans(d)[0].pop("label"), [f"{SET}/spans/0/label"]),
        (
            "missing-claim-attribution",
            lambda d: _by_id(d, "claims", "c1").pop("attribution"),
            [f"{SET}/claims/0/attribution"],
        ),
    ],
    "schema-unknown-field": [
        ("extra-field", lambda d: _spans(d)[0].update(score=0.9), [f"{SET}/spans/0/score"]),
        ("cue-type-on-source", lambda d: _spans(d)[0].update(cue_type="noun"), [f"{SET}/spans/0/cue_type"]),
    ],
    "schema-type": [
        ("offset-as-string", lambda d: _spans(d)[0].update(start="38"), [f"{SET}/spans/0/start"]),
        ("offset-as-float", lambda d: _spans(d)[0].update(start=38.0), [f"{SET}/spans/0/start"]),
        ("spans-not-list", lambda d: d["annotation_sets"][0].update(spans={}), [f"{SET}/spans"]),
        ("gold-as-string", lambda d: d["annotation_sets"][0].update(gold="true"), [f"{SET}/gold"]),
    ],
    "schema-unknown-value": [
        ("unknown-label", lambda d: _spans(d)[0].update(label="SPEAKER"), [f"{SET}/spans/0/label"]),
        (
            "unknown-source-type",
            lambda d: _spans(d)[0].update(source_type="agency"),
            [f"{SET}/spans/0/source_type"],
        ),
        (
            "unknown-factuality",
            lambda d: _by_id(d, "claims", "c1").update(factuality="CT"),
            [f"{SET}/claims/0/factuality"],
        ),
        ("unknown-origin", lambda d: d["annotation_sets"][0].update(origin="crowd"), [f"{SET}/origin"]),
        ("unknown-split", lambda d: d.update(split="dev"), ["/split"]),
    ],
    "schema-pattern": [
        ("document-id-traversal", lambda d: d.update(id="../etc"), ["/id"]),
        ("bad-sha256", lambda d: d.update(sha256="ABC"), ["/sha256"]),
        (
            "timestamp-without-zone",
            lambda d: d["annotation_sets"][0].update(created_at="2026-11-24 12:00"),
            [f"{SET}/created_at"],
        ),
        # JSON Schema patterns are ECMA-262's: "$" ends the string (Python's also matches before a final "\n"),
        # "\d" is [0-9] (Python's takes any script's digits).
        ("language-trailing-line-break", lambda d: d.update(language="en\n"), ["/language"]),
        (
            "timestamp-arabic-digits",
            lambda d: d["annotation_sets"][0].update(created_at="٢٠٢٦-11-24T12:00:00Z"),
            [f"{SET}/created_at", f"timestamp-invalid {SET}/created_at"],
        ),
    ],
    "schema-range": [
        (
            "one-fragment",
            lambda d: _fragments(d).pop(),
            [f"{SET}/spans/{FRAGMENTED}/fragments"],
        ),
        ("confidence-above-1", lambda d: _spans(d)[0].update(confidence=1.5), [f"{SET}/spans/0/confidence"]),
        ("negative-offset", lambda d: _spans(d)[0].update(start=-1), [f"{SET}/spans/0/start"]),
        ("empty-annotator", lambda d: d["annotation_sets"][0].update(annotator=""), [f"{SET}/annotator"]),
    ],
    "schema-version": [("unknown-version", lambda d: d.update(schema_version="9.0"), ["/schema_version"])],
    "schema-outdated": [("version-one", lambda d: d.update(schema_version="1.0"), ["/schema_version"])],
    "fragments-unordered": [
        ("reversed", _swap_fragments, [f"{SET}/spans/{FRAGMENTED}/fragments/1/start"]),
    ],
    "fragments-hull": [("span-shorter-than-fragments", _shrink_hull, [f"{SET}/spans/{FRAGMENTED}/start"])],
    "sha256-mismatch": [("stale-hash", lambda d: d.update(sha256="0" * 64), ["/sha256"])],
    "seed-text-mismatch": [("edited-text", _edit_text, ["/text"])],
    "seed-missing": [("no-such-seed", lambda d: d.update(seed="nowhere.txt"), ["/seed"])],
    "timestamp-invalid": [
        (
            "month-13",
            lambda d: d["annotation_sets"][0].update(created_at="2026-13-01T00:00:00Z"),
            [f"{SET}/created_at"],
        )
    ],
    "offset-out-of-range": [
        ("end-past-text", lambda d: _spans(d)[0].update(end=len(TEXT) + 5), [f"{SET}/spans/0/end"])
    ],
    "offset-reversed": [
        ("start-after-end", lambda d: _spans(d)[0].update(start=50, end=40), [f"{SET}/spans/0/start"])
    ],
    "offset-empty": [
        ("zero-width", lambda d: _spans(d)[0].update(end=_spans(d)[0]["start"]), [f"{SET}/spans/0/end"])
    ],
    "span-text-mismatch": [
        ("wrong-text", lambda d: _spans(d)[0].update(text="APF"), [f"{SET}/spans/0/text"]),
        (
            "off-by-one",
            lambda d: _spans(d)[3].update(start=_spans(d)[3]["start"] + 1),
            [f"{SET}/spans/3/text"],
        ),
        (
            "fragment-text",
            lambda d: _fragments(d)[1].update(text="on Monday"),
            [f"{SET}/spans/{FRAGMENTED}/fragments/1/text"],
        ),
    ],
    "span-offsets-utf16": [("utf16-offsets", _utf16_offsets, [f"{SET}/spans/5/text"])],
    "span-offsets-utf8": [("utf8-offsets", _utf8_offsets, [f"{SET}/spans/7/text"])],
    "span-offsets-crlf": [("crlf-offsets", _crlf_offsets, [f"{SET}/spans/15/text"])],
    "span-text-normalization": [("nfc-span-text", _nfc_text, [f"{SET}/spans/2/text"])],
    "span-splits-character": [
        (
            "splits-combining-accent",
            lambda d: _shift_span(d, "s3", 0, TEXT.index("\u0301")),
            [f"{SET}/spans/2/end"],
        ),
        (
            "splits-zwj-sequence",
            lambda d: _shift_span(d, "s6", TEXT.index("three"), TEXT.index("\u200d") + 1),
            [f"{SET}/spans/5/end"],
        ),
        (
            "splits-flag",
            lambda d: _shift_span(d, "s26", TEXT.index("🇮🇶") + 1, TEXT.index("🇮🇶") + 3),
            [f"{SET}/spans/25/start", f"{SET}/spans/25/end"],
        ),
    ],
    "span-edge-whitespace": [
        (
            "trailing-space",
            lambda d: _shift_span(d, "s5", TEXT.index("said"), TEXT.index("said") + len("said ")),
            [f"{SET}/spans/4/text"],
        ),
        (
            "leading-line-break",
            lambda d: _shift_span(
                d, "s4", TEXT.index("Officials") - 1, TEXT.index("Officials") + len("Officials")
            ),
            [f"{SET}/spans/3/text"],
        ),
    ],
    "duplicate-id": [
        (
            "duplicate-span-id",
            lambda d: _spans(d)[1].update(id="s1"),
            [f"{SET}/spans/1/id", f"reference-missing {SET}/attributions/0/cue"],
        ),
        ("claim-reuses-span-id", lambda d: _by_id(d, "claims", "c4").update(id="s1"), [f"{SET}/claims/3/id"]),
        (
            "duplicate-set-id",
            lambda d: (
                d["annotation_sets"][1].update(id="gold"),
                d["annotation_sets"][0].update(adjudicated_from=[]),
            ),
            ["/annotation_sets/1/id"],
        ),
    ],
    "reference-missing": [
        (
            "dangling-cue",
            lambda d: _by_id(d, "attributions", "a1").update(cue="s99"),
            [f"{SET}/attributions/0/cue"],
        ),
        (
            "dangling-adjudicated-from",
            lambda d: d["annotation_sets"][0].update(adjudicated_from=["pass-z"]),
            [f"{SET}/adjudicated_from/0"],
        ),
        (
            "dangling-modality",
            lambda d: _by_id(d, "claims", "c2").update(modality=["s99"]),
            [f"{SET}/claims/1/modality/0"],
        ),
    ],
    "reference-wrong-label": [
        (
            "cue-is-source",
            lambda d: _by_id(d, "attributions", "a1").update(cue="s1"),
            [f"{SET}/attributions/0/cue"],
        ),
        (
            "claim-span-is-content",
            lambda d: _by_id(d, "claims", "c1").update(span="s6"),
            [f"{SET}/claims/0/span"],
        ),
        (
            "refers-to-cue",
            lambda d: _by_id(d, "spans", "s19").update(refers_to="s20"),
            [f"{SET}/spans/18/refers_to"],
        ),
        (
            "claim-attribution-is-span",
            lambda d: _by_id(d, "claims", "c1").update(attribution="s6"),
            [f"{SET}/claims/0/attribution"],
        ),
    ],
    "reference-self": [
        (
            "refers-to-itself",
            lambda d: _by_id(d, "spans", "s19").update(refers_to="s19"),
            [f"{SET}/spans/18/refers_to"],
        ),
        (
            "nested-in-itself",
            lambda d: _by_id(d, "attributions", "a4").update(nested_in="a4"),
            [f"{SET}/attributions/3/nested_in"],
        ),
    ],
    "reference-cycle": [
        (
            "refers-to-cycle",
            lambda d: _by_id(d, "spans", "s16").update(refers_to="s19"),
            [f"{SET}/spans/15/refers_to"],
        ),
        (
            "nested-cycle",
            lambda d: _by_id(d, "attributions", "a3").update(nested_in="a4"),
            [f"{SET}/attributions/2/nested_in"],
        ),
    ],
    "nested-outside-content": [
        (
            "nested-outside",
            lambda d: _by_id(d, "attributions", "a2").update(nested_in="a3"),
            [f"{SET}/attributions/1/source", f"{SET}/attributions/1/cue", f"{SET}/attributions/1/content"],
        )
    ],
    "claimer-mismatch": [
        (
            "unclaimed-with-attribution",
            lambda d: _by_id(d, "claims", "c1").update(claimer="unclaimed"),
            [f"{SET}/claims/0/attribution"],
        ),
        (
            "source-with-non-attribution",
            lambda d: _by_id(d, "claims", "c3").update(claimer="source"),
            [f"{SET}/claims/2/attribution"],
        ),
    ],
    "source-type-mismatch": [
        (
            "nobody-in-attribution",
            lambda d: _by_id(d, "spans", "s4").update(source_type="nobody"),
            [f"{SET}/attributions/1/source"],
        ),
        (
            "named-source-in-non-attribution",
            lambda d: _by_id(d, "spans", "s13").update(source_type="collective"),
            [f"{SET}/attributions/4/source"],
        ),
    ],
    "gold-multiple": [
        ("two-gold-sets", lambda d: d["annotation_sets"][1].update(gold=True), ["/annotation_sets/1/gold"])
    ],
}

# Cases whose bytes are not a JSON document the mutations above could produce.
RAW: dict[str, list[tuple[str, bytes, list[str]]]] = {
    "file-empty": [("empty", b"", [""]), ("whitespace-only", b" \n\t\n", [""])],
    "utf8-bom": [("bom", b"\xef\xbb\xbf{}", [""])],
    "not-utf8": [("latin1", '{"text": "café"}'.encode("latin-1"), [""])],
    "json-syntax": [
        ("trailing-comma", b'{"id": "x",\n}', [""]),
        ("truncated", b'{"schema_version": "2.0", "annotation_sets": [', [""]),
        ("single-quotes", b"{'id': 'x'}", [""]),
    ],
    "json-too-deep": [("deep-nesting", b"[" * 100_000 + b"]" * 100_000, [""])],
}


def _json_mutations() -> dict[str, list[tuple[str, str, list[str]]]]:
    """Cases that need text the json module would never write (duplicate keys, NaN, lone surrogates)."""
    base = json.dumps(valid_document("dup"), ensure_ascii=False, indent=2)
    nan = json.dumps(valid_document("nan"), ensure_ascii=False, indent=2)
    infinity = json.dumps(valid_document("infinity"), ensure_ascii=False, indent=2)
    sur = json.dumps(valid_document("surrogate"), ensure_ascii=False, indent=2)
    big = json.dumps(valid_document("huge-int"), ensure_ascii=False, indent=2)
    first = f'"start": {valid_document()["annotation_sets"][0]["spans"][0]["start"]}'
    return {
        "json-duplicate-key": [
            (
                "dup",
                base.replace('"language": "en"', '"language": "en",\n  "language": "fr"', 1),
                ["/language"],
            )
        ],
        "json-nonfinite-number": [
            ("nan", nan.replace(first, '"start": NaN', 1), [f"{SET}/spans/0/start"]),
            ("infinity", infinity.replace(first, '"start": -Infinity', 1), [f"{SET}/spans/0/start"]),
        ],
        "json-lone-surrogate": [
            (
                "surrogate",
                sur.replace('"A made-up report"', '"A made-up \\ud800 report"', 1),
                ["/metadata/title"],
            ),
        ],
        "json-number-too-large": [
            ("huge-int", big.replace(first, '"start": 90071992547409930', 1), [f"{SET}/spans/0/start"]),
        ],
    }


def _write(folder: Path, name: str, data: bytes, expected: list[str], code: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_bytes(data)
    # An expected entry is a pointer (for the folder's code) or "OTHER-CODE pointer" for a genuine knock-on problem.
    lines = (where if " " in where else f"{code} {where}" for where in expected)
    (folder / f"{name}.expect").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def main() -> None:
    valid = CASES / "valid"
    valid.mkdir(parents=True, exist_ok=True)
    (valid / "mini.json").write_text(
        json.dumps(valid_document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    # A document whose corpus fixed its split (claimbank build keeps it).
    (valid / "mini-split.json").write_text(
        json.dumps(valid_document("mini-split") | {"split": "test"}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    # A document with a span in fragments (schema 2.0).
    (valid / "mini-fragments.json").write_text(
        json.dumps(fragmented(valid_document("mini-fragments")), ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    for code, cases in INVALID.items():
        for name, mutate, expected in cases:
            doc = valid_document(name)
            mutate(doc)
            text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
            _write(CASES / "invalid" / code, name, text.encode("utf-8"), expected, code)
    for code, raw_cases in RAW.items():
        for name, data, expected in raw_cases:
            _write(CASES / "invalid" / code, name, data, expected, code)
    for code, text_cases in _json_mutations().items():
        for name, text, expected in text_cases:
            assert text.count("\n") > 10, name
            _write(CASES / "invalid" / code, name, (text + "\n").encode("utf-8"), expected, code)


if __name__ == "__main__":
    main()
