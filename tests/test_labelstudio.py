"""Label Studio converters: the generated config, and annotation set → LS results → annotation set with 0 differences."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from claimbank import load_document
from claimbank.cli import main
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet, Document
from claimbank.format.vocab import SpanLabel
from claimbank.io.labelstudio.convert import CHOICES, RELATIONS, from_results, labeling_config, to_results
from tests.strategies import documents

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    ROOT / "annotations" / "000_fb2fb690b74273a6.json",
    ROOT / "tests" / "cases" / "valid" / "mini.json",
    ROOT / "tests" / "cases" / "valid" / "mini-fragments.json",
]


def _round_trip(item: dict[str, Any], text: str) -> AnnotationSet:
    header = {k: v for k, v in item.items() if k not in ("spans", "attributions", "claims")}
    return AnnotationSet.model_validate({**header, **from_results(to_results(item), text)})


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_annotation_sets_round_trip_exactly(path: Path) -> None:
    document = canonical(load_document(path))
    for item in document["annotation_sets"]:
        assert _round_trip(item, document["text"]) == AnnotationSet.model_validate(item)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_round_trip_on_hostile_text(data: dict[str, Any]) -> None:
    for item in canonical(Document.model_validate(data))["annotation_sets"]:
        assert _round_trip(item, data["text"]) == AnnotationSet.model_validate(item)


def test_tasks_pushed_before_the_layer_was_named_keep_their_ids() -> None:
    # Meta written by claimbank before ids carried their layer: "claimbank:a3", "claimbank:c2".
    item = canonical(load_document(FILES[1]))["annotation_sets"][0]
    results = to_results(item)
    for region in results:
        texts = region.get("meta", {}).get("text", [])
        region.get("meta", {})["text"] = [
            t.replace(":attribution:", ":").replace(":claim:", ":") for t in texts
        ]
    assert any(t.startswith("claimbank:a") for r in results for t in r.get("meta", {}).get("text", []))
    header = {k: v for k, v in item.items() if k not in ("spans", "attributions", "claims")}
    assert AnnotationSet.model_validate({**header, **from_results(results)}) == AnnotationSet.model_validate(
        item
    )


def test_attributions_drawn_in_the_ui_get_fresh_ids() -> None:
    item = canonical(load_document(FILES[1]))["annotation_sets"][0]
    results = [r for r in to_results(item) if r.get("type") != "labels"]
    results += [{**r, "meta": {}} for r in to_results(item) if r.get("type") == "labels"]  # no carried ids
    back = from_results(results)
    assert sorted(a["id"] for a in back["attributions"]) == sorted(f"a{i}" for i in range(1, 8))
    assert len({c["id"] for c in back["claims"]}) == len(item["claims"])


def test_config_is_generated_from_the_vocabulary_and_escaped() -> None:
    root = ET.fromstring(labeling_config())
    assert [label.get("value") for label in root.iter("Label")] == [label.value for label in SpanLabel]
    assert [r.get("value") for r in root.iter("Relation")] == list(RELATIONS)
    assert {c.get("name") for c in root.iter("Choices")} == set(CHOICES)
    assert all(c.get("perRegion") == "true" for c in root.iter("Choices"))
    # Hints carry the vocabulary's descriptions, quotes and all, and still parse: the XML library escaped them.
    hints = [label.get("hint") for label in root.iter("Label")]
    assert hints == [label.description for label in SpanLabel]
    assert "’" in "".join(h or "" for h in hints)


def test_ls_commands_write_config_and_tasks(tmp_path: Path) -> None:
    assert main(["ls", "config", "--out", str(tmp_path / "config.xml")]) == 0
    assert ET.parse(tmp_path / "config.xml").getroot().tag == "View"
    out = tmp_path / "tasks.json"
    assert main(["ls", "tasks", str(FILES[0]), "--predictions", "gold", "--out", str(out)]) == 0
    (made,) = json.loads(out.read_text(encoding="utf-8"))
    document = canonical(load_document(FILES[0]))
    assert made["data"] == {
        "text": document["text"],
        "document_id": document["id"],
        "sha256": document["sha256"],
    }
    (prediction,) = made["predictions"]
    assert prediction["model_version"] == "claimbank-dev-1:gold"
    (gold,) = [s for s in document["annotation_sets"] if s["gold"]]
    header = {k: v for k, v in gold.items() if k not in ("spans", "attributions", "claims")}
    back = AnnotationSet.model_validate({**header, **from_results(prediction["result"])})
    assert back == AnnotationSet.model_validate(gold)


def test_ls_tasks_refuses_invalid_input(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "cases" / "invalid" / "offset-reversed" / "start-after-end.json"
    assert main(["ls", "tasks", str(bad), "--out", str(tmp_path / "tasks.json")]) == 1
    assert not (tmp_path / "tasks.json").exists()


def test_every_choice_is_required_on_the_regions_of_its_label() -> None:
    # Label Studio checks a required per-region choice on the regions its own whenTagName/whenLabelValue select.
    root = ET.fromstring(labeling_config())
    for choices in root.iter("Choices"):
        _, label = CHOICES[choices.get("name", "")]
        assert choices.get("required") == "true"
        assert (choices.get("whenTagName"), choices.get("whenLabelValue")) == ("label", label.value)
        assert choices.get("visibleWhen") == "region-selected"
