"""Spans in fragments (schema 2.0) through every consumer, and `claimbank migrate` from 1.x.

The format's own rules are case folders (tests/cases/invalid/fragments-*); the round trips of every field through
the rows, brat and Label Studio are tests/test_fields.py's. Here: what the views make of a span in fragments, a
span drawn as linked regions in Label Studio, and the migration on the gold and on generated corpora.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from claimbank.cli import main
from claimbank.cli.migrate import migrate_paths
from claimbank.dataset import features, rows
from claimbank.format.canonical import canonical_text
from claimbank.format.constants import FRAGMENT_SEPARATOR
from claimbank.format.migrate import migrate
from claimbank.format.model import Document
from claimbank.io.labelstudio import convert as labelstudio
from claimbank.testing import synth
from claimbank.util.jsonio import dumps
from claimbank.validate.core import check_data

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
GOLD = ROOT / "annotations" / "000_fb2fb690b74273a6.json"


def _mini() -> Document:
    return Document.model_validate_json((CASES / "valid" / "mini-fragments.json").read_text(encoding="utf-8"))


def _mini_data() -> dict[str, Any]:
    """The same file as parsed JSON, as the build converts it."""
    data: dict[str, Any] = json.loads((CASES / "valid" / "mini-fragments.json").read_text(encoding="utf-8"))
    return data


def test_the_attributions_and_claims_views_join_the_fragments_and_give_their_offsets() -> None:
    document, data = _mini(), _mini_data()
    gold = rows.gold_set(document)
    assert gold is not None
    content = next(s for s in gold.spans if s.fragments)
    attribution = next(a for a in gold.attributions if a.content == content.id)
    views = rows.view_rows(data)
    (row,) = [r for r in views["attributions"] if r["attribution_id"] == attribution.id]
    pieces = [document.text[f.start : f.end] for f in content.fragments or ()]
    assert row["content"]["text"] == FRAGMENT_SEPARATOR.join(pieces)
    assert row["content"]["fragments"] == [{"start": f.start, "end": f.end} for f in content.fragments or ()]
    assert (row["content"]["start"], row["content"]["end"]) == (content.start, content.end)
    assert "👩" not in row["content"]["text"]  # the gap is left out
    contiguous = next(r for r in views["attributions"] if r["attribution_id"] == "a1")
    assert contiguous["cue"]["fragments"] == []
    assert contiguous["content"]["fragments"] == []
    for config in ("attributions", "claims"):  # the rows fit their declared features
        features.FEATURES[config].encode_batch(
            {k: [r[k] for r in rows.as_pylist(views[config])] for k in features.FEATURES[config]}
        )


def test_tokens_tag_a_span_in_fragments_as_one_entity() -> None:
    document = _mini()
    made = rows.as_pylist(rows.view_rows(_mini_data(), Counter())["tokens"])[0]
    names = features.tag_names("attribution_tags")
    tags = {start: names[tag] for start, tag in zip(made["starts"], made["attribution_tags"], strict=True)}
    content = next(s for s in (rows.gold_set(document) or document.annotation_sets[0]).spans if s.fragments)
    first, second = content.fragments or ()
    assert tags[first.start] == "B-CONTENT"
    assert tags[second.start] == "I-CONTENT"  # continues the span: not a B- of its own
    gap = [s for s in made["starts"] if first.end < s < second.start]
    assert gap
    assert all(tags[s] == "O" for s in gap)


def test_regions_linked_in_the_ui_come_back_as_one_span() -> None:
    """An annotator draws three regions and links them part to part; the import makes one span of them."""
    text = "The plan, he said, is failing, and badly."
    pieces = [(0, 8), (19, 29), (35, 40)]
    results: list[dict[str, Any]] = []
    for number, (start, end) in enumerate(pieces):
        value = {"start": start, "end": end, "text": text[start:end], "labels": ["CONTENT"]}
        results.append(
            {"id": f"r{number}", "from_name": "label", "to_name": "text", "type": "labels", "value": value}
        )
    for source, target in (("r1", "r2"), ("r0", "r1")):
        results.append(
            {
                "from_id": source,
                "to_id": target,
                "type": "relation",
                "direction": "right",
                "labels": ["fragment"],
            }
        )
    (span,) = labelstudio.from_results(results, text)["spans"]
    assert span["id"] == "r0"
    assert [(f["start"], f["end"]) for f in span["fragments"]] == pieces
    assert (span["start"], span["end"], span["text"]) == (0, 40, text[0:40])
    with pytest.raises(ValueError, match="needs the task's text"):
        labelstudio.from_results(results)
    assert 'value="fragment"' in labelstudio.labeling_config()


def _fragmented(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every CONTENT of four words or more in two fragments: its first word, and the rest from
    its third word on."""
    text = document["text"]
    for item in document["annotation_sets"]:
        for span in item["spans"]:
            words = span["text"].split(" ")
            if span["label"] != "CONTENT" or len(words) < 4 or any(not w for w in words):
                continue
            first_end = span["start"] + len(words[0])
            rest = span["start"] + len(words[0]) + len(words[1]) + 2
            span["fragments"] = [
                {"start": span["start"], "end": first_end, "text": text[span["start"] : first_end]},
                {"start": rest, "end": span["end"], "text": text[rest : span["end"]]},
            ]
    return document


def _as_1x(document: dict[str, Any]) -> dict[str, Any]:
    """What 1.x held for ``document``: each span in fragments as one span per fragment, named <id>, <id>:2, …"""
    old = copy.deepcopy(document)
    old["schema_version"] = "1.0"
    for item in old["annotation_sets"]:
        spans = []
        for span in item["spans"]:
            for number, fragment in enumerate(span.pop("fragments", None) or [span], start=1):
                piece = {**span, **fragment, "id": span["id"] if number == 1 else f"{span['id']}:{number}"}
                spans.append({k: piece[k] for k in span})  # the fields in the span's order
        item["spans"] = spans
    return old


def test_migrating_a_1x_corpus_gives_the_2_0_one_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    """Generated corpora with spans in fragments, written as 1.x held them, migrate back to exactly the 2.0 files."""
    project = synth.write_project(tmp_path / "project", 6, seed=3)
    expected: dict[Path, bytes] = {}
    joined = 0
    for path in sorted((project / "annotations").glob("*.json")):
        document = _fragmented(json.loads(path.read_text(encoding="utf-8")))
        assert check_data(document, name=path.name, path=path, seeds_dir=project / "seeds") == []
        joined += sum(
            len(s.get("fragments", [])) > 1 for i in document["annotation_sets"] for s in i["spans"]
        )
        expected[path] = canonical_text(Document.model_validate(document)).encode()
        path.write_text(dumps(_as_1x(document)), encoding="utf-8")
    assert joined >= 6
    assert main(["validate", str(project / "annotations")]) == 1  # schema-outdated, for every file
    assert main(["migrate", "--check", str(project / "annotations")]) == 1
    assert all(path.read_bytes() != data for path, data in expected.items())  # --check wrote nothing
    assert main(["migrate", str(project / "annotations")]) == 0
    assert {path: path.read_bytes() for path in expected} == expected
    assert main(["migrate", "--check", str(project / "annotations")]) == 0
    assert [o.changes for o in migrate_paths([project / "annotations"], write=True)] == [[]] * len(expected)
    assert {path: path.read_bytes() for path in expected} == expected
    assert main(["validate", str(project / "annotations")]) == 0


def test_the_gold_migrates_from_1_0_byte_for_byte_and_twice_is_once(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    old = tmp_path / "annotations" / GOLD.name
    old.write_text(
        GOLD.read_text(encoding="utf-8").replace('"schema_version": "2.0"', '"schema_version": "1.0"', 1)
    )
    assert main(["migrate", str(old)]) == 0
    assert old.read_bytes() == GOLD.read_bytes()
    assert main(["migrate", str(old)]) == 0
    assert old.read_bytes() == GOLD.read_bytes()


def test_pieces_that_cannot_be_one_span_are_left_and_said_so() -> None:
    document = _fragmented(json.loads((CASES / "valid" / "mini.json").read_text(encoding="utf-8")))
    old = _as_1x(document)
    gold = old["annotation_sets"][0]
    piece = next(s for s in gold["spans"] if s["id"].endswith(":2"))
    gold["attributions"][0]["content"] = piece["id"]  # a reference names the second piece
    upgraded, changes = migrate(old)
    assert upgraded["schema_version"] == "2.0"
    assert any(f"{piece['id']} left as spans of their own (a reference names one)" in c for c in changes)
    assert piece["id"] in {s["id"] for s in upgraded["annotation_sets"][0]["spans"]}
    assert migrate(upgraded) == (upgraded, [])


def test_a_file_that_is_not_valid_once_migrated_is_reported_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    data = json.loads((CASES / "valid" / "mini.json").read_text(encoding="utf-8"))
    data["schema_version"] = "1.0"
    data["sha256"] = "0" * 64
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_bytes()
    assert main(["migrate", "--seeds", str(tmp_path / "seeds"), str(path)]) == 1
    assert "sha256-mismatch" in capsys.readouterr().out
    assert path.read_bytes() == before


def test_adjudication_keeps_a_span_in_fragments_that_the_passes_agree_on() -> None:
    from claimbank.annotate.adjudicate import adjudicate

    document = _mini()
    gold = rows.gold_set(document)
    assert gold is not None
    passes = [gold.model_copy(update={"id": name, "gold": False, "adjudicated_from": []}) for name in "ab"]
    result = adjudicate(document, passes)
    fragmented = [s for s in result.draft.spans if s.fragments]
    assert [s.fragments for s in fragmented] == [s.fragments for s in gold.spans if s.fragments]


def _with_span(item: Any, span_id: str, **update: Any) -> Any:
    """The set with one span changed (the models are frozen)."""
    spans = [s.model_copy(update=update) if s.id == span_id else s for s in item.spans]
    return item.model_copy(update={"spans": spans})


def test_agreement_matches_a_span_in_fragments_by_its_fragments_not_its_hull() -> None:
    """Two annotators mark the same hull but different fragments: not an exact match; a span that lies wholly in
    the other's gap does not overlap it."""
    from claimbank.annotate.agreement import match_spans, span_scores

    document = _mini()
    text = document.text
    gold = rows.gold_set(document)
    assert gold is not None
    content = next(s for s in gold.spans if s.fragments)
    first, second = content.fragments or ()
    contents = len([s for s in gold.spans if s.label.value == "CONTENT"])
    assert span_scores(gold, gold, exact=True)["CONTENT"].matched == contents
    # the same hull as one contiguous span: equal by (start, end), different by fragments
    hull = _with_span(gold, content.id, fragments=None, text=text[content.start : content.end])
    assert span_scores(gold, hull, exact=True)["CONTENT"].matched == contents - 1
    assert span_scores(gold, hull, exact=False)["CONTENT"].matched == contents  # they share characters
    # a span wholly inside the gap shares no character with the span in fragments
    start = next(i for i in range(first.end, second.start) if not text[i].isspace())
    end = next(i for i in range(second.start, start, -1) if not text[i - 1].isspace())
    gap = _with_span(gold, content.id, fragments=None, start=start, end=end, text=text[start:end])
    assert match_spans(gold, gap, exact=False).get(content.id) != content.id
    assert span_scores(gold, gap, exact=False)["CONTENT"].matched == contents - 1


def test_gamma_units_of_a_span_in_fragments_are_its_fragments() -> None:
    from claimbank.annotate.agreement import span_units

    gold = rows.gold_set(_mini())
    assert gold is not None
    content = next(s for s in gold.spans if s.fragments)
    units = [(start, end, label) for _, start, end, label in span_units([gold])]
    label = content.label.value
    assert [(f.start, f.end, label) for f in content.fragments or ()] == [
        u for u in units if u[:2] in content.parts() and u[2] == label
    ]
    assert (content.start, content.end, label) not in units
    assert len(units) == sum(len(s.parts()) for s in gold.spans)


def test_a_claim_in_fragments_is_complete_in_label_studio_with_its_choices_on_the_first_region() -> None:
    """A claim's claimer and factuality ride on its span's first region; a later fragment is asked nothing (the
    import skipped such an annotation as incomplete; found by test_roundtrip_scale's generated documents)."""
    text = "The plan, he said, is failing."
    fragments = [{"start": 0, "end": 8, "text": "The plan"}, {"start": 19, "end": 29, "text": "is failing"}]
    claim_span = {
        "id": "s1",
        "label": "CLAIM",
        "start": 0,
        "end": 29,
        "text": text[:29],
        "fragments": fragments,
    }
    item = {"spans": [claim_span], "attributions": [], "claims": []}
    item["claims"] = [{"id": "c1", "span": "s1", "factuality": "CT+", "claimer": "author"}]
    results = labelstudio.to_results(item)
    assert len([r for r in results if r.get("type") == "labels"]) == 2
    assert labelstudio.missing_choices(results) == []
    layers = labelstudio.from_results(results, text)
    (span,) = layers["spans"]
    assert [(f["start"], f["end"]) for f in span["fragments"]] == [(0, 8), (19, 29)]
    (claim,) = layers["claims"]
    assert (claim["span"], claim["factuality"], claim["claimer"]) == ("s1", "CT+", "author")
