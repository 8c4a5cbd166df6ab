"""Agreement between annotation sets, on sets whose expected scores can be worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimbank import load_document
from claimbank.annotate.agreement import attribution_score, claim_agreement, reliability, span_scores
from claimbank.cli import main
from claimbank.format.model import AnnotationSet

MINI = Path(__file__).parent / "cases" / "valid" / "mini.json"


@pytest.fixture(scope="module")
def sets() -> dict[str, AnnotationSet]:
    return {s.id: s for s in load_document(MINI).annotation_sets}


def test_identical_sets_agree_fully(sets: dict[str, AnnotationSet]) -> None:
    gold = sets["gold"]
    assert all(score.f1 == 1.0 for score in span_scores(gold, gold, exact=True).values())
    assert attribution_score(gold, gold, exact=True).f1 == 1.0
    claims = claim_agreement(gold, gold, exact=True)
    assert (claims.matched, claims.claimer_agrees, claims.factuality_agrees) == (4, 4, 4)


def test_subset_scores(sets: dict[str, AnnotationSet]) -> None:
    # pass-a holds the first 6 gold spans (2 SOURCE, 2 CUE, 2 CONTENT) and the first 2 attributions.
    scores = span_scores(sets["gold"], sets["pass-a"], exact=True)
    assert (scores["SOURCE"].matched, scores["SOURCE"].a, scores["SOURCE"].b) == (2, 7, 2)
    assert scores["SOURCE"].f1 == pytest.approx(4 / 9)
    assert scores["CLAIM"].f1 == 0.0
    assert attribution_score(sets["gold"], sets["pass-a"], exact=True).f1 == pytest.approx(4 / 9)


def test_overlap_matches_what_exact_does_not(sets: dict[str, AnnotationSet]) -> None:
    gold = sets["gold"]
    shifted = gold.model_copy(
        update={"spans": [s.model_copy(update={"end": s.end - 1}) if s.id == "s6" else s for s in gold.spans]}
    )
    assert span_scores(gold, shifted, exact=True)["CONTENT"].matched == 6
    assert span_scores(gold, shifted, exact=False)["CONTENT"].matched == 7
    assert attribution_score(gold, shifted, exact=True).matched == 6
    assert attribution_score(gold, shifted, exact=False).matched == 7


def test_agree_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", str(MINI), "--sets", "gold", "pass-a"]) == 0
    out = capsys.readouterr().out
    assert "span SOURCE" in out
    assert "attribution" in out
    assert main(["agree", str(MINI), "--sets", "gold", "nope"]) == 2


def test_cohens_kappa_matches_the_published_worked_example() -> None:
    # Wikipedia, "Cohen's kappa", worked example: 50 proposals, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    found = reliability(pairs)
    assert found is not None
    assert found.observed == pytest.approx(0.7)
    assert found.kappa == pytest.approx(0.4)


def test_krippendorffs_alpha_matches_the_published_worked_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example A: binary data, 2 observers.
    first = ["0", "1", "0", "0", "0", "0", "0", "0", "1", "0"]
    second = ["1", "1", "1", "0", "0", "1", "0", "0", "0", "0"]
    found = reliability(list(zip(first, second, strict=True)))
    assert found is not None
    assert found.alpha == pytest.approx(0.095, abs=5e-4)


def test_reliability_is_undefined_for_a_single_label() -> None:
    found = reliability([("CT+", "CT+")] * 3)
    assert found is not None
    assert (found.observed, found.kappa, found.alpha) == (1.0, None, None)
    assert reliability([]) is None


def test_agree_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agree", str(MINI), "--sets", "gold", "pass-a", "--format", "json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["spans"]["exact"]["SOURCE"] == {
        "a": 7,
        "b": 2,
        "matched": 2,
        "f1": pytest.approx(0.4444, abs=1e-4),
    }
    assert result["attributes"]["cue_type"]["kappa"] == 1.0
