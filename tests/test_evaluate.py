"""`claimbank evaluate` over folders (documents matched by id, micro-averaged), and scores with nothing to score."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

import claimbank
from claimbank.annotate.agreement import PRF, _overlap, evaluate, match_spans
from claimbank.cli import main
from claimbank.format.model import AnnotationSet
from claimbank.validate.core import load_document

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).parent / "cases"
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"
MINI = CASES / "valid" / "mini.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """gold/ with two documents, pred/ with the same two, seeds/ with both texts."""
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    shutil.copy(ROOT / "seeds" / "000_fb2fb690b74273a6.txt", tmp_path / "seeds")
    for side in ("gold", "pred"):
        (tmp_path / side).mkdir()
        shutil.copy(SEED, tmp_path / side)
        shutil.copy(MINI, tmp_path / side)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["evaluate", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_folders_are_matched_by_id_and_micro_averaged(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Predictions: each document's first non-gold set, scored against its gold set.
    pairs = []
    for path in (SEED, MINI):
        document = load_document(path, seeds_dir=project / "seeds")
        gold = next(s for s in document.annotation_sets if s.gold)
        pass_a = next(s for s in document.annotation_sets if not s.gold)
        pairs.append((pass_a, gold))
    pred_set = {pair[0].id for pair in pairs}
    assert len(pred_set) == 1, "both documents name their first pass alike"
    status, out, err = _run(
        capsys, str(project / "pred"), str(project / "gold"), "--seeds", str(project / "seeds"),
        "--pred-set", pred_set.pop(), "--format", "json",
    )  # fmt: skip
    assert status == 0, err
    assert "2 document(s) scored" in err
    result = json.loads(out)
    for mode in ("exact", "overlap"):
        expected: dict[str, PRF] = {}
        for predicted, gold in pairs:
            for item, score in evaluate(predicted, gold)[mode].items():
                expected[item] = expected.get(item, PRF(0, 0, 0)) + score
        assert {k: v["matched"] for k, v in result[mode].items()} == {
            k: v.matched for k, v in expected.items()
        }
        assert {k: v["reference"] for k, v in result[mode].items()} == {
            k: v.reference for k, v in expected.items()
        }
        for item, score in expected.items():
            assert result[mode][item]["f1"] == pytest.approx(score.f1, abs=1e-4)


def test_a_gold_document_without_a_prediction_counts_as_missed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pred" / "mini.json").unlink()
    status, out, err = _run(
        capsys, str(project / "pred"), str(project / "gold"), "--seeds", str(project / "seeds"),
        "--pred-set", "gold", "--format", "json",
    )  # fmt: skip
    assert status == 0, err
    assert "1 without a prediction" in err
    result = json.loads(out)["exact"]
    mini_gold = next(s for s in load_document(MINI).annotation_sets if s.gold)
    seed_gold = next(s for s in load_document(SEED, seeds_dir=project / "seeds").annotation_sets if s.gold)
    assert result["attribution"]["reference"] == len(mini_gold.attributions) + len(seed_gold.attributions)
    assert result["attribution"]["matched"] == len(seed_gold.attributions)
    assert result["attribution"]["recall"] < 1.0


def test_an_invalid_file_in_a_folder_is_reported_and_nothing_scored(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pred" / "broken.json").write_text("{", encoding="utf-8")
    status, out, err = _run(
        capsys, str(project / "pred"), str(project / "gold"), "--seeds", str(project / "seeds")
    )
    assert status == 1
    assert "broken.json:: json-syntax" in out
    assert "nothing evaluated" in err


def test_nothing_on_either_side_is_not_a_perfect_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the fix: P 0.00, R 0.00, F1 1.00 for attributions when neither side had one."""
    assert PRF(0, 0, 0).f1 is None
    assert PRF(0, 0, 0).as_dict()["f1"] is None
    assert PRF(0, 3, 0).f1 == 0.0
    document = json.loads(MINI.read_text(encoding="utf-8"))
    for item in document["annotation_sets"]:
        item["attributions"] = []
        item["claims"] = []
    (tmp_path / "mini.json").write_text(json.dumps(document), encoding="utf-8")
    status, out, err = _run(
        capsys, str(tmp_path / "mini.json"), str(tmp_path / "mini.json"), "--seeds", str(CASES / "seeds"),
        "--pred-set", "pass-a",
    )  # fmt: skip
    assert status == 0, err
    row = next(line for line in out.splitlines() if line.startswith("attribution"))
    assert row.split()[1:7] == ["-"] * 6, row
    assert "1.00" not in row


def _brute_force(left: AnnotationSet, right: AnnotationSet, *, exact: bool) -> dict[str, str]:
    """The matching as it was computed before: every pair of same-label spans tried."""
    matching: dict[str, str] = {}
    for label in {s.label for s in left.spans}:
        pairs = []
        for x in (s for s in left.spans if s.label == label):
            for y in (s for s in right.spans if s.label == label):
                size = _overlap((x.start, x.end), (y.start, y.end))
                if (x.start, x.end) == (y.start, y.end) or (not exact and size > 0):
                    pairs.append((-size, x.start, y.start, x.id, y.id))
        used: set[str] = set()
        for *_, x_id, y_id in sorted(pairs):
            if x_id not in matching and y_id not in used:
                matching[x_id] = y_id
                used.add(y_id)
    return matching


def _random_set(rng: random.Random, prefix: str) -> AnnotationSet:
    spans: list[dict[str, Any]] = []
    for number in range(rng.randrange(0, 40)):
        start = rng.randrange(0, 200)
        end = start + rng.randrange(1, 30)
        span = {
            "id": f"{prefix}{number}",
            "label": rng.choice(["CUE", "CONTENT"]),
            "start": start,
            "end": end,
        }
        span["text"] = "x" * (end - start)
        if span["label"] == "CUE":
            span["cue_type"] = "credit_line"
        spans.append(span)
    return AnnotationSet.model_validate(
        {
            "id": prefix,
            "annotator": "t",
            "origin": "manual",
            "created_at": "2026-01-01T00:00:00Z",
            "spans": spans,
        }
    )


def test_the_near_linear_matching_is_the_matching_of_every_pair() -> None:
    rng = random.Random(16)
    for _ in range(200):
        left, right = _random_set(rng, "l"), _random_set(rng, "r")
        for exact in (True, False):
            assert match_spans(left, right, exact=exact) == _brute_force(left, right, exact=exact)


def test_the_agreement_docs_example_prints_what_it_shows(tmp_path: Path) -> None:
    """docs/agreement.md's `claimbank evaluate` over folders, run in a copy of the checkout's corpus."""
    import subprocess
    import sys

    text = (ROOT / "docs" / "agreement.md").read_text(encoding="utf-8")
    block = text.split("```console\n")[-1].split("```")[0].splitlines()
    commands = [line.removeprefix("$ ") for line in block if line.startswith("$ ")]
    shown = [line for line in block if not line.startswith("$ ")]
    assert commands == [
        "claimbank preannotate annotations/*.json --out predicted/",
        "claimbank evaluate predicted/ annotations/",
    ]
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    package = str(Path(claimbank.__file__).resolve().parents[1])
    env = {"PYTHONPATH": package, "PATH": "/usr/bin:/bin"}
    pre = [
        sys.executable,
        "-m",
        "claimbank",
        "preannotate",
        *map(str, sorted((tmp_path / "annotations").glob("*.json"))),
    ]
    assert subprocess.run([*pre, "--out", "predicted/"], cwd=tmp_path, env=env, check=False).returncode == 0
    done = subprocess.run(
        [sys.executable, "-m", "claimbank", "evaluate", "predicted/", "annotations/"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == shown
