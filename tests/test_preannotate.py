"""The rule-based pre-annotator: valid output on any text, and the recall it reaches on the gold seed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hypothesis import given, settings

from claimbank import load_document
from claimbank.annotate.agreement import evaluate
from claimbank.annotate.preannotate import annotation_set, source_type
from claimbank.cli import main
from claimbank.dataset.rows import gold_set
from claimbank.format.model import AnnotationSet
from claimbank.testing.synth import document as synthetic
from claimbank.validate.core import check_data
from tests.strategies import problems_of_predicted_set, texts

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"


def _with_set(data: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    return {**data, "annotation_sets": [item]}


def test_recall_on_the_gold_seed_meets_the_target() -> None:
    document = load_document(SEED)
    gold = gold_set(document)
    assert gold is not None
    predicted = AnnotationSet.model_validate(annotation_set(document.text, created_at="2026-11-24T00:00:00Z"))
    exact = evaluate(predicted, gold)["exact"]
    assert exact["CUE"].recall >= 0.8
    assert exact["SOURCE"].recall >= 0.8
    assert evaluate(predicted, gold)["overlap"]["attribution"].recall >= 0.8
    kinds = {a.kind.value for a in predicted.attributions}
    assert kinds == {"attribution", "non_attribution"}


def test_output_is_valid_on_synthetic_articles() -> None:
    for index in range(20):
        text, data = synthetic(index, seed=7)
        item = annotation_set(text, created_at="2026-11-24T00:00:00Z")
        problems = [p for p in check_data(_with_set(data, item), name="synth") if p.code != "seed-missing"]
        assert problems == []
        assert item["attributions"], "every synthetic article has at least its non-attribution"


@settings(max_examples=200, deadline=None)
@given(texts)
def test_output_is_valid_on_hostile_text(text: str) -> None:
    item = annotation_set(text, created_at="2026-11-24T00:00:00Z")
    assert problems_of_predicted_set(text, item) == []


def test_source_types_from_the_lexicon() -> None:
    assert source_type("military officials") == "unnamed_official"
    assert source_type("the interior ministry") == "government_body"
    assert source_type("Al Kadhimi’s sources") == "anonymous"
    assert source_type("No group") == "nobody"
    assert source_type("REUTERS") == "media"
    assert source_type("most in Iraq") == "collective"


def test_preannotate_and_evaluate_commands(tmp_path: Path, capsys: Any) -> None:
    project = tmp_path / "p"
    (project / "seeds").mkdir(parents=True)
    shutil.copy(ROOT / "seeds" / "000_fb2fb690b74273a6.txt", project / "seeds")
    assert (
        main(
            [
                "preannotate",
                str(project / "seeds" / "000_fb2fb690b74273a6.txt"),
                "--out",
                str(project / "pred"),
            ]
        )
        == 0
    )
    pred = project / "pred" / "000_fb2fb690b74273a6.json"
    assert load_document(pred).annotation_sets[0].origin.value == "prediction"
    assert (
        main(["evaluate", str(pred), str(SEED), "--seeds", str(project / "seeds"), "--format", "json"]) == 0
    )
    assert '"attribution"' in capsys.readouterr().out
