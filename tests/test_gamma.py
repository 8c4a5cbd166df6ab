"""Span-aware agreement (γ) through pygamma-agreement, checked against the library's own published example."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from claimbank import load_document
from claimbank.annotate.agreement import MissingDependency, gamma, span_units
from claimbank.cli import main
from claimbank.format.vocab import SpanLabel

pytest.importorskip(
    "pygamma_agreement", reason="the gamma extra is not installed (pip install 'claimbank[gamma]')"
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"

# pygamma-agreement's tests/data/AlexPaulSuzan.csv (annotator, category, start, end): the three-annotator example
# of Mathet et al. (2015), "The Unified and Holistic Method Gamma (γ) for Inter-Annotator Agreement Measure and
# Alignment", as the library publishes it with its expected values in tests/test_gammas.py.
ALEX_PAUL_SUZAN = """\
Alex,1,2,9
Alex,2,11,17
Alex,5,24,30
Alex,6,32,36
Alex,6,36,44
Alex,7,44,60
Paul,1,2,9
Paul,3,11,17
Paul,5,19,25
Paul,6,32,44
Suzan,1,2,9
Suzan,4,11,17
Suzan,5,21,27
Suzan,6,32,36
Suzan,6,36,40
Suzan,6,40,44
"""


def published_units() -> list[tuple[str, float, float, str]]:
    rows = [line.split(",") for line in ALEX_PAUL_SUZAN.splitlines()]
    return [(who, float(start), float(end), category) for who, category, start, end in rows]


def test_gamma_matches_the_librarys_published_example() -> None:
    # The library's test_gamma_alexpaulsuzan: delta_empty 1, alpha 3, beta 1, shuffle sampler, seed 4772.
    found = gamma(published_units(), alpha=3, beta=1, delta_empty=1, sampler="shuffle", seed=4772)
    assert 0.44 <= found.gamma <= 0.47
    assert 0.38 <= found.gamma_cat <= 0.42
    assert found.per_category["1"] == pytest.approx(1, abs=0.01)
    assert found.per_category["5"] == pytest.approx(1, abs=0.01)
    assert found.per_category["6"] == pytest.approx(0.37, abs=0.01)
    assert found.per_category["2"] <= 0
    assert found.annotators == ("Alex", "Paul", "Suzan")
    assert found.units == 16


def test_gamma_is_one_for_identical_sets_and_drops_when_one_set_moves_its_spans() -> None:
    document = load_document(SEED)
    gold = next(s for s in document.annotation_sets if s.gold)
    labels = (SpanLabel.SOURCE, SpanLabel.CUE, SpanLabel.CONTENT)
    twin = gold.model_copy(update={"id": "twin"})
    assert gamma(span_units([gold, twin], labels)).gamma == pytest.approx(1.0, abs=1e-3)
    moved = gold.model_copy(
        update={
            "id": "moved",
            "spans": [s.model_copy(update={"start": s.start + 15, "end": s.end + 15}) for s in gold.spans],
        }
    )
    assert gamma(span_units([gold, moved], labels)).gamma < 0.8


def test_too_few_sets_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="two annotation sets"):
        gamma([("only", 0, 5, "SOURCE")])


def test_agree_prints_gamma_over_the_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["agree", str(SEED), "--gamma", "--labels", "SOURCE", "CUE", "CONTENT", "--format", "json"]) == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["gamma"]["sets"] == ["pass-a", "pass-b", "pass-c"]
    assert report["gamma"]["units"] == 72  # 8 sources, 8 cues and 8 contents in each of the three passes
    assert 0.9 < report["gamma"]["gamma"] <= 1.0
    assert len(report["pairs"]) == 3
    # docs/agreement.md shows this run's figure.
    docs = (ROOT / "docs" / "agreement.md").read_text(encoding="utf-8")
    assert f"gamma {report['gamma']['gamma']:.3f}   gamma-cat {report['gamma']['gamma_cat']:.3f}" in docs


def test_without_the_library_the_message_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pygamma_agreement", None)  # what Python does for a module not installed
    with pytest.raises(MissingDependency, match=r"claimbank\[gamma\]"):
        gamma(published_units())
    assert main(["agree", str(SEED), "--gamma"]) == 2
    assert "pip install 'claimbank[gamma]'" in capsys.readouterr().err
