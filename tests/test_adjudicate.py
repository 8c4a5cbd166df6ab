"""`claimbank adjudicate` on the seed's three independent passes, whose adjudicated gold is in the same file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from claimbank import load_document
from claimbank.annotate.adjudicate import ADJUDICATOR, adjudicate
from claimbank.cli import main
from claimbank.format.model import AnnotationSet, Document

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"
PASSES = ("pass-a", "pass-b", "pass-c")


@pytest.fixture(scope="module")
def document() -> Document:
    return load_document(SEED)


def sets_of(document: Document) -> dict[str, AnnotationSet]:
    return {s.id: s for s in document.annotation_sets}


def signatures(s: AnnotationSet) -> tuple[set[Any], set[Any], set[Any]]:
    """Every span, attribution and claim of ``s`` by what it says (offsets, not ids), with its references."""
    spans = {x.id: x for x in s.spans}
    attributions = {a.id: a for a in s.attributions}

    def where(span_id: str) -> tuple[str, int, int]:
        span = spans[span_id]
        return (span.label.value, span.start, span.end)

    def span(x: Any) -> tuple[Any, ...]:
        referent = getattr(x, "refers_to", None)
        attributes = tuple(str(getattr(x, n, "")) for n in ("source_type", "cue_type", "modality_type"))
        return (*where(x.id), attributes, where(referent) if referent else None)

    def attribution(a: Any) -> tuple[Any, ...]:
        nested = attribution(attributions[a.nested_in]) if a.nested_in else None
        return (a.kind.value, where(a.source) if a.source else None, where(a.cue), where(a.content), nested)

    def claim(c: Any) -> tuple[Any, ...]:
        via = getattr(c, "attribution", None)
        modality = tuple(sorted(where(m) for m in c.modality))
        return (
            where(c.span),
            c.claimer.value,
            c.factuality.value,
            modality,
            attribution(attributions[via]) if via else None,
        )

    return {span(x) for x in s.spans}, {attribution(a) for a in s.attributions}, {claim(c) for c in s.claims}


def reproduced(draft: AnnotationSet, gold: AnnotationSet) -> list[tuple[int, int]]:
    """(gold items the draft has exactly, gold items) for spans, attributions and claims."""
    return [(len(d & g), len(g)) for d, g in zip(signatures(draft), signatures(gold), strict=True)]


def test_the_three_passes_reproduce_the_adjudicated_gold(document: Document) -> None:
    sets = sets_of(document)
    result = adjudicate(document, [sets[p] for p in PASSES])
    # 48 spans, 8 attributions and 21 claims: everything, attributes, references and factuality included.
    assert reproduced(result.draft, sets["gold"]) == [(48, 48), (8, 8), (21, 21)]
    assert result.majority == 2
    assert result.draft.adjudicated_from == list(PASSES)
    assert not result.draft.gold


def test_two_passes_keep_only_what_both_have(document: Document) -> None:
    sets = sets_of(document)
    result = adjudicate(document, [sets["pass-a"], sets["pass-b"]])
    # With two passes a majority is both: the gold's decisions where A and B differed are left to a person.
    assert result.majority == 2
    assert reproduced(result.draft, sets["gold"]) == [(47, 48), (8, 8), (20, 21)]


def test_every_disagreement_is_listed_with_the_passes_that_had_it(document: Document) -> None:
    sets = sets_of(document)
    result = adjudicate(document, [sets[p] for p in PASSES])
    listed = {(d.layer, d.what, d.had, d.decision.split(" (")[0]) for d in result.disagreements}
    fond = ("span", "CLAIM", ("pass-b",), "left out")
    assert fond in listed  # 'not particularly fond of Iran': only pass B made it a claim
    assert (
        "claim",
        "claimer",
        PASSES,
        "source",
    ) in listed  # pass C: the author's claim; A and B: the sources'
    boundaries = [d for d in result.disagreements if d.what == "CONTENT boundaries"]
    assert [d.text for d in boundaries] == ["to regulate the proliferation of arms in the country"]
    assert (
        boundaries[0]
        .variants["pass-b"]
        .startswith("to regulate the proliferation of arms in the country, which")
    )


def test_the_draft_records_which_passes_had_each_item(document: Document) -> None:
    sets = sets_of(document)
    result = adjudicate(document, [sets[p] for p in PASSES])
    assert result.draft.note is not None
    first = result.draft.spans[0].id
    assert f"{first} pass-a+pass-b+pass-c" in result.draft.note
    gulf = next(c for c in result.draft.claims if c.id == "c13")
    assert result.provenance[gulf.id] == ("pass-b", "pass-c")
    assert "c13 pass-b+pass-c" in result.draft.note


def test_command_adds_a_valid_draft_in_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    target = tmp_path / "annotations" / SEED.name
    target.parent.mkdir()
    shutil.copy(SEED, target)
    html = tmp_path / "disagreements.html"
    assert main(["adjudicate", str(target), "--out", str(target), "--html", str(html)]) == 0
    out = capsys.readouterr().out
    assert "48 spans, 8 attributions, 21 claims; 9 disagreement(s)" in out
    # docs/agreement.md shows the same first lines for the file in annotations/.
    docs = (ROOT / "docs" / "agreement.md").read_text(encoding="utf-8")
    for line in out.splitlines()[:2]:
        assert line.replace(str(target), "annotations/000_fb2fb690b74273a6.json") in docs
    updated = sets_of(load_document(target))
    assert updated["draft"].annotator == ADJUDICATOR
    assert reproduced(updated["draft"], updated["gold"]) == [(48, 48), (8, 8), (21, 21)]
    page = html.read_text(encoding="utf-8")
    assert page.count("<tr class=") == 9
    assert "http" not in page.replace('http-equiv="Content-Security-Policy"', "")
    # Run again: the draft is replaced, not adjudicated from, and the passes stay as they were.
    assert main(["adjudicate", str(target), "--out", str(target)]) == 0
    assert [s.id for s in load_document(target).annotation_sets] == [*PASSES, "gold", "draft"]


def test_command_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adjudicate", str(SEED), "--sets", "pass-a", "pass-b", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["passes"] == ["pass-a", "pass-b"]
    assert report["draft"] == {"spans": 47, "attributions": 8, "claims": 20}
    assert all(
        set(d) >= {"layer", "what", "text", "had", "decision", "variants"} for d in report["disagreements"]
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sets", "pass-a"], "two or more"),
        (["--sets", "pass-a", "nope"], "no annotation set 'nope'"),
        (["--sets", "pass-a", "pass-b", "--id", "pass-a"], "one of the passes"),
        (["--out", "OUT", "--id", "gold"], "not made by claimbank-adjudicate"),
    ],
)
def test_command_refuses_what_it_cannot_do(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    argv = [str(out) if a == "OUT" else a for a in argv]
    assert main(["adjudicate", str(SEED), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def without_source(s: AnnotationSet, name: str, attribution_id: str) -> AnnotationSet:
    """``s`` as pass ``name``, where one attribution names no source."""
    attributions = [
        a.model_copy(update={"source": None}) if a.id == attribution_id else a for a in s.attributions
    ]
    return s.model_copy(update={"id": name, "gold": False, "attributions": attributions})


def test_an_attribution_is_matched_by_cue_and_content_and_its_source_voted(document: Document) -> None:
    gold = sets_of(document)["gold"]
    target = next(a for a in gold.attributions if a.source is not None and a.kind.value == "attribution")
    source_text = next(s.text for s in gold.spans if s.id == target.source)
    cue_text = next(s.text for s in gold.spans if s.id == target.cue)
    one = [
        gold.model_copy(update={"id": "p1", "gold": False}),
        gold.model_copy(update={"id": "p2", "gold": False}),
    ]
    outvoted = adjudicate(document, [*one, without_source(gold, "p3", target.id)])
    assert reproduced(outvoted.draft, gold)[1] == (8, 8)  # the source stays: two of three named it
    listed = [d for d in outvoted.disagreements if d.what == "source"]
    assert [(d.had, d.variants["p3"]) for d in listed] == [(("p1", "p2", "p3"), "(unnamed)")]
    agreed = adjudicate(
        document, [one[0], without_source(gold, "p2", target.id), without_source(gold, "p3", target.id)]
    )
    spans = {s.id: s for s in agreed.draft.spans}
    kept = next(a for a in agreed.draft.attributions if spans[a.cue].text == cue_text)
    assert kept.source is None  # two of three named none
    assert source_text in {s.text for s in agreed.draft.spans}  # the SOURCE span itself all three marked
    assert reproduced(agreed.draft, gold)[1] == (7, 8)
