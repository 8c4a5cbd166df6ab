"""The learned tagger: trained from a built (generated) dataset as users train it, it beats the rules on unseen
generated articles; its model folder holds what the card says; predictions validate; bad input is one line."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from claimbank.annotate.preannotate import annotation_set as rules
from claimbank.cli import main
from claimbank.tagger import DatasetError, Model, ModelError, Settings, train
from claimbank.tagger.data import Example, Link, fingerprint, load_examples, read_spans
from claimbank.tagger.tags import decode, encode
from claimbank.tagger.training import score
from claimbank.testing.synth import corpus, write_project
from claimbank.validate.core import check_data
from tests.strategies import problems_of_predicted_set, texts

ROOT = Path(__file__).resolve().parents[1]
STAMP = "2026-12-01T00:00:00Z"


def synth_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dataset folder built by `claimbank build` from 30 generated articles (the tagger tests' corpus)."""
    project = write_project(tmp_path_factory.mktemp("corpus"), 30, seed=1)
    out = project / "dataset"
    assert main(["build", str(project / "annotations"), "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_dataset(tmp_path_factory)


@pytest.fixture(scope="module")
def model_dir(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "model"
    train(dataset, out, settings=Settings(iterations=40))
    return out


def _unseen(count: int = 8) -> list[Example]:
    """Generated articles of another seed than the training corpus, with their gold roles."""
    found = []
    for text, data in corpus(count, seed=7):
        gold = next(s for s in data["annotation_sets"] if s.get("gold"))
        links = tuple(Link(a["kind"], a.get("source"), a["cue"], a["content"]) for a in gold["attributions"])
        found.append(Example(data["id"], text, read_spans(gold["spans"]), links))
    return found


def _f1(result: dict[str, Any], mode: str, item: str) -> float:
    value: float = result[mode][item]["f1"]
    return value


def test_the_trained_model_beats_the_rules_on_unseen_generated_articles(model_dir: Path) -> None:
    model = Model(model_dir)
    examples = _unseen()
    learned = score(lambda text: model.annotation_set(text, created_at=STAMP), examples)
    baseline = score(lambda text: rules(text, created_at=STAMP), examples)
    for item in ("CUE", "SOURCE", "CONTENT"):
        assert _f1(learned, "exact", item) > _f1(baseline, "exact", item) + 0.1, item
    assert _f1(learned, "overlap", "attribution") > _f1(baseline, "overlap", "attribution") + 0.1
    assert _f1(learned, "overlap", "attribution") >= 0.9


def test_the_model_folder_holds_labels_tokenizer_fingerprint_metrics_and_hashed_weights(
    dataset: Path, model_dir: Path
) -> None:
    manifest = json.loads((model_dir / "model.json").read_text("utf-8"))
    assert manifest["format"] == "claimbank-tagger"
    assert manifest["labels"][0] == "O"
    assert "B-CONTENT" in manifest["labels"]
    assert manifest["tokenizer"]["feature_version"] >= 1
    assert manifest["training"]["fingerprint"] == fingerprint(load_examples(dataset)["train"])
    assert set(manifest["metrics"]) == {"validation", "test"} & set(load_examples(dataset))
    for name, digest in manifest["files"].items():
        data = (model_dir / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        assert not data.startswith(b"\x80"), "no pickle"
    assert {"tagger.crfsuite", "linker.crfsuite"} <= set(manifest["files"])
    card = (model_dir / "README.md").read_text("utf-8")
    assert manifest["training"]["fingerprint"] in card
    assert "Held-out metrics" in card


def test_predictions_validate_and_carry_a_confidence_per_span_and_attribution(model_dir: Path) -> None:
    model = Model(model_dir)
    for text, data in corpus(5, seed=9):
        item = model.annotation_set(text, created_at=STAMP)
        assert item["origin"] == "prediction"
        assert item["attributions"]
        problems = [
            p for p in check_data({**data, "annotation_sets": [item]}, name="x") if p.code != "seed-missing"
        ]
        assert problems == []
        for record in item["spans"] + item["attributions"]:
            assert 0.0 <= record["confidence"] <= 1.0, record
    kinds = {
        a["kind"]
        for a in model.annotation_set(corpus(1, seed=9).__next__()[0], created_at=STAMP)["attributions"]
    }
    assert "non_attribution" in kinds, "the generated corpus has explicit non-attributions; so must the model"


@pytest.fixture(scope="module")
def model(model_dir: Path) -> Model:
    return Model(model_dir)


@settings(max_examples=60, deadline=None)
@given(text=texts)
def test_predictions_validate_on_hostile_text(model: Model, text: str) -> None:
    item = model.annotation_set(text, created_at=STAMP)
    assert problems_of_predicted_set(text, item) == []


def test_bio_tags_round_trip_and_fragments_are_separate_spans() -> None:
    text = "“Part one,” he said. “Part two.”"
    fragments = [{"start": 1, "end": 9, "text": text[1:9]}, {"start": 22, "end": 31, "text": text[22:31]}]
    spans = read_spans(
        [
            {"id": "T1", "label": "CONTENT", "start": 1, "end": 31, "fragments": fragments},
            {"id": "T2", "label": "SOURCE", "start": 12, "end": 14},
            {"id": "T3", "label": "CUE", "start": 15, "end": 19},
            {"id": "c1", "label": "CLAIM", "start": 1, "end": 9},
        ]
    )
    assert [s.entity for s in spans] == ["T1", "T1", "T2", "T3"]
    from claimbank.tagger.features import Tokens

    tokens = Tokens.of(text)
    tags, lost = encode(tokens.offsets, spans)
    assert lost == 0
    found = {(label, tokens.offsets[f][0], tokens.offsets[last - 1][1]) for label, f, last in decode(tags)}
    assert found == {(s.label, s.start, s.end) for s in spans}
    assert decode(["I-CUE", "I-CUE", "O", "B-SOURCE", "I-CONTENT"]) == [
        ("CUE", 0, 2),
        ("SOURCE", 3, 4),
        ("CONTENT", 4, 5),
    ]


def test_train_and_preannotate_from_the_command_line(dataset: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    assert (
        main(["train", str(dataset), "--arch", "crf", "--out", str(model), "--iterations", "20", "-q"]) == 0
    )
    text, _data = next(corpus(1, seed=3))
    seed = tmp_path / "seeds" / "article.txt"
    seed.parent.mkdir()
    seed.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["preannotate", "--model", str(model), str(seed), "--out", str(out)]) == 0
    written = json.loads((out / "article.json").read_text("utf-8"))
    (predicted,) = written["annotation_sets"]
    assert predicted["id"] == "tagger"
    assert predicted["model_version"].startswith("claimbank-tagger")
    assert predicted["attributions"]
    assert main(["validate", str(out / "article.json"), "--seeds", str(seed.parent)]) == 0
    # Retraining into a model folder replaces it; the rules stay the default.
    assert main(["train", str(dataset), "--arch", "crf", "--out", str(model), "--iterations", "5", "-q"]) == 0
    assert main(["preannotate", str(seed), "--out", str(tmp_path / "rules")]) == 0
    (by_rules,) = json.loads((tmp_path / "rules" / "article.json").read_text("utf-8"))["annotation_sets"]
    assert by_rules["id"] == "preannotator"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimbank", *args], capture_output=True, text=True, timeout=120, check=False
    )


def _one_line_and_exit_2(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], result.stderr


def test_bad_input_is_one_line_and_exit_2(dataset: Path, model_dir: Path, tmp_path: Path) -> None:
    _one_line_and_exit_2(
        _cli("train", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m")), "no such dataset"
    )
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.md").write_text("# not a dataset\n")
    _one_line_and_exit_2(_cli("train", str(tmp_path / "empty"), "--out", str(tmp_path / "m")), "'documents'")
    _one_line_and_exit_2(
        _cli("train", str(dataset), "--out", str(tmp_path / "m"), "--split", "nope", "-q"), "no split 'nope'"
    )
    # A folder that looks like a dataset but whose Parquet is not: datasets' own warnings stay quiet.
    (tmp_path / "empty" / "data" / "documents").mkdir(parents=True)
    (tmp_path / "empty" / "data" / "documents" / "train-00000-of-00001.parquet").write_bytes(b"not parquet")
    _one_line_and_exit_2(_cli("train", str(tmp_path / "empty"), "--out", str(tmp_path / "m")), "cannot load")
    # An existing folder that is not a model folder is never overwritten.
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "precious.txt").write_text("mine")
    _one_line_and_exit_2(_cli("train", str(dataset), "--out", str(keep), "-q"), "refusing to overwrite")
    assert (keep / "precious.txt").read_text() == "mine"
    assert not list(tmp_path.glob(".keep.*")), "no staging folder left behind"
    # A damaged model folder is refused before anything is written.
    broken = tmp_path / "broken"
    broken.mkdir()
    for item in model_dir.iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    weights = broken / "tagger.crfsuite"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    seed = tmp_path / "a.txt"
    seed.write_text("Officials said the talks failed.")
    _one_line_and_exit_2(
        _cli("preannotate", "--model", str(broken), str(seed), "--out", str(tmp_path / "o")), "SHA-256"
    )
    # A weight file crfsuite opens but that is not the declared model (its hash updated to match).
    weights.write_bytes(b"lCRF" + bytes(100))
    manifest = json.loads((broken / "model.json").read_text("utf-8"))
    manifest["files"]["tagger.crfsuite"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    (broken / "model.json").write_text(json.dumps(manifest))
    _one_line_and_exit_2(
        _cli("preannotate", "--model", str(broken), str(seed), "--out", str(tmp_path / "o")), "labels"
    )
    (broken / "model.json").write_text("{")
    _one_line_and_exit_2(
        _cli("preannotate", "--model", str(broken), str(seed), "--out", str(tmp_path / "o")), "JSON"
    )
    _one_line_and_exit_2(
        _cli("preannotate", "--model", str(tmp_path), str(seed), "--out", str(tmp_path / "o")),
        "not a model folder",
    )
    assert not (tmp_path / "o").exists()
    with pytest.raises(ModelError):
        Model(tmp_path / "nowhere")
    with pytest.raises(DatasetError):
        train(tmp_path / "nowhere", tmp_path / "m")


def test_the_example_trains_from_load_dataset_alone(dataset: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "train_tagger.py"), str(dataset), "--iterations", "20"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CUE" in result.stdout
    assert "F1" in result.stdout


def test_the_readme_training_loop_runs(dataset: Path, tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)\n```", (ROOT / "README.md").read_text("utf-8"), re.DOTALL)
    (block,) = [b for b in blocks if "pycrfsuite" in b]
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "dataset").symlink_to(dataset)
    result = subprocess.run(
        [sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "iterations" in result.stdout
    assert (tmp_path / "tagger.crfsuite").stat().st_size > 0
