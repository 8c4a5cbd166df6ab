"""The gold annotation of the seed article: it expresses every phenomenon the scheme exists for, and the built
dataset carries the known rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from datasets import DatasetDict

from claimbank import load, load_document
from claimbank.dataset.build import build
from claimbank.dataset.rows import document_to_row, gold_set, row_to_document
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet, Document
from claimbank.util.jsonio import dumps

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"


@pytest.fixture(scope="module")
def document() -> Document:
    return load_document(SEED)


@pytest.fixture(scope="module")
def gold(document: Document) -> AnnotationSet:
    found = gold_set(document)
    assert found is not None
    return found


def _attribution(gold: AnnotationSet, source: str) -> dict[str, object]:
    spans = {s.id: s for s in gold.spans}
    for a in gold.attributions:
        if a.source and spans[a.source].text == source:
            return {
                "kind": a.kind.value,
                "source": spans[a.source],
                "cue": spans[a.cue],
                "content": spans[a.content].text,
            }
    raise AssertionError(f"no attribution with source {source!r}")


def test_gold_file_is_canonical_and_round_trips_through_dataset_rows(document: Document) -> None:
    back = row_to_document(document_to_row(document))
    assert dumps(canonical(back)) == SEED.read_text(encoding="utf-8")


def test_seed_text_is_the_shared_seed_byte_for_byte(document: Document) -> None:
    shared = ROOT.parent / "shared" / "seeds" / "000_fb2fb690b74273a6.txt"
    ours = (ROOT / "seeds" / document.seed).read_bytes()
    if shared.exists():
        assert ours == shared.read_bytes()
    assert ours.decode("utf-8") == document.text


@pytest.mark.parametrize(
    ("source", "kind", "source_type", "cue", "cue_type"),
    [
        ("military officials", "attribution", "unnamed_official", "according to", "according_to"),
        ("the interior ministry", "attribution", "government_body", "According to", "according_to"),
        ("He", "attribution", "named_person", "voiced plans", "verb_of_saying"),
        ("Al Kadhimi’s sources", "attribution", "anonymous", "have recently said", "verb_of_saying"),
        ("No group", "non_attribution", "nobody", "has claimed", "verb_of_saying"),
        ("most in Iraq", "attribution", "collective", "have some idea", "belief_cognition"),
        ("they", "attribution", "collective", "realise", "belief_cognition"),
        ("REUTERS", "attribution", "media", "Image Credit:", "credit_line"),
    ],
)
def test_each_phenomenon_of_the_seed_is_annotated(
    gold: AnnotationSet, source: str, kind: str, source_type: str, cue: str, cue_type: str
) -> None:
    found = _attribution(gold, source)
    assert found["kind"] == kind
    assert getattr(found["source"], "source_type").value == source_type  # noqa: B009
    assert getattr(found["cue"], "text") == cue  # noqa: B009
    assert getattr(found["cue"], "cue_type").value == cue_type  # noqa: B009


def test_pronoun_sources_point_at_their_referents(gold: AnnotationSet) -> None:
    spans = {s.id: s for s in gold.spans}
    he = _attribution(gold, "He")["source"]
    they = _attribution(gold, "they")["source"]
    assert spans[getattr(he, "refers_to")].text == "Al Kadhimi"  # noqa: B009
    assert spans[getattr(he, "refers_to")].label.value == "ENTITY"  # noqa: B009
    assert spans[getattr(they, "refers_to")].text == "most in Iraq"  # noqa: B009


def test_claims_cover_author_source_unclaimed_and_modality(gold: AnnotationSet) -> None:
    spans = {s.id: s for s in gold.spans}
    by_text = {spans[c.span].text: c for c in gold.claims}
    unharmed = by_text["The Prime Minister was unharmed"]
    assert (unharmed.claimer.value, unharmed.factuality.value) == ("author", "CT+")
    unclaimed = by_text["responsibility for the attack on the Prime Minister’s residence"]
    assert (unclaimed.claimer.value, unclaimed.factuality.value) == ("unclaimed", "Uu")
    hedged = next(c for t, c in by_text.items() if "apparent assassination attempt" in t)
    assert [spans[m].text for m in hedged.modality] == ["apparent"]
    assert hedged.factuality.value == "PR+"
    boosted = next(c for t, c in by_text.items() if "will surely" in t)
    assert [getattr(spans[m], "modality_type").value for m in boosted.modality] == ["booster"]  # noqa: B009
    assert {c.claimer.value for c in gold.claims} == {"author", "source", "unclaimed"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = build([ROOT / "annotations"], tmp_path_factory.mktemp("gold") / "dataset")
    assert result.ok, result.report.format_text()
    return result.out


def _rows(dataset: DatasetDict) -> list[dict[str, object]]:
    return [row for split in dataset.values() for row in split]


def test_built_dataset_has_the_known_rows(built: Path, gold: AnnotationSet) -> None:
    attributions = load("attributions", built)
    features = next(iter(attributions.values())).features
    rows = _rows(attributions)
    assert len(rows) == len(gold.attributions)
    officials = next(r for r in rows if r["source"] and r["source"]["text"] == "military officials")
    assert features["kind"].int2str(officials["kind"]) == "attribution"
    assert features["source_type"].int2str(officials["source_type"]) == "unnamed_official"
    assert officials["cue"]["text"] == "according to"
    assert officials["content"]["text"].endswith("in an apparent assassination attempt")
    nobody = next(r for r in rows if features["kind"].int2str(r["kind"]) == "non_attribution")
    assert nobody["source"]["text"] == "No group"
    assert (
        nobody["sentence"]
        == "No group has claimed responsibility for the attack on the Prime Minister’s residence."
    )
    claims = _rows(load("claims", built))
    assert len(claims) == len(gold.claims)
    unharmed = next(r for r in claims if r["text"] == "The Prime Minister was unharmed")
    assert unharmed["source_text"] is None
    assert unharmed["attribution_id"] is None


def test_gold_is_adjudicated_from_independent_passes(document: Document, gold: AnnotationSet) -> None:
    sets = {s.id: s for s in document.annotation_sets}
    assert gold.adjudicated_from == ["pass-a", "pass-b", "pass-c"]
    for name in gold.adjudicated_from:
        assert sets[name].origin.value == "manual"
        assert not sets[name].gold
    assert len({sets[name].annotator for name in gold.adjudicated_from}) == 3


def _agree_table(pair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[str, ...]]:
    """What `claimbank agree --sets A B` prints: item -> (count A, count B, F1 exact, F1 overlap)."""
    from claimbank.cli import main

    capsys.readouterr()
    assert main(["agree", str(SEED), "--sets", *pair]) == 0
    return {
        m["item"]: (m["a"], m["b"], m["exact"], m["overlap"])
        for m in re.finditer(
            r"^(?P<item>span [A-Z]+|attribution|claim) +(?P<a>\d+) +(?P<b>\d+) +(?P<exact>[\d.]+) +(?P<overlap>[\d.]+)$",
            capsys.readouterr().out,
            flags=re.MULTILINE,
        )
    }


def test_agreement_table_in_the_docs_is_what_claimbank_agree_computes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    printed = _agree_table(("pass-a", "pass-b"), capsys)
    documented = {
        m["item"]: (m["a"], m["b"], m["exact"], m["overlap"])
        for m in re.finditer(
            r"^\| (?P<item>[a-zA-Z ]+) \| (?P<a>\d+) \| (?P<b>\d+) \| (?P<exact>[\d.]+) \| (?P<overlap>[\d.]+) \|$",
            (ROOT / "docs" / "agreement.md").read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
    }
    assert len(printed) == 8
    assert documented == printed


def test_pass_c_table_in_the_docs_is_what_claimbank_agree_computes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = (ROOT / "docs" / "agreement.md").read_text(encoding="utf-8")
    table = text[text.index("<!-- pass C table") :]
    documented = {
        m["item"]: m["cells"].split(" | ")
        for m in re.finditer(
            r"^\| (?P<item>span [A-Z]+|attribution|claim) \| (?P<cells>[^\n]+) \|$", table, re.M
        )
    }
    assert len(documented) == 8
    pairs = [("pass-a", "pass-c"), ("pass-b", "pass-c"), ("pass-c", "gold")]
    for column, pair in enumerate(pairs):
        printed = _agree_table(pair, capsys)
        assert len(printed) == 8
        for item, cells in documented.items():
            count_c = printed[item][1] if pair[1] == "pass-c" else printed[item][0]
            assert cells[0] == count_c, (item, pair)
            assert (cells[1 + 2 * column], cells[2 + 2 * column]) == printed[item][2:], (item, pair)
