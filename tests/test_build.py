"""`claimbank build` end to end: the folder loads with plain `datasets`, is deterministic, and replaces atomically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from datasets import Features

from claimbank import load
from claimbank.cli import main
from claimbank.dataset import features, segment
from claimbank.dataset.build import ROW_GROUP_BYTES, build, split_of
from claimbank.dataset.rows import row_to_document
from claimbank.format.canonical import canonical
from claimbank.testing.synth import write_project
from claimbank.util.jsonio import dumps
from claimbank.validate.core import load_document
from tests.datasets_only import load_every_config

CASES = Path(__file__).parent / "cases"


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic articles spread over all three splits, plus the hand-made mini document."""
    folder = write_project(tmp_path_factory.mktemp("project"), 40)
    shutil.copy(CASES / "valid" / "mini.json", folder / "annotations" / "mini.json")
    shutil.copy(CASES / "seeds" / "mini.txt", folder / "seeds" / "mini.txt")
    return folder


@pytest.fixture(scope="module")
def built(project: Path) -> Path:
    result = build([project / "annotations"], project / "dataset")
    assert result.ok, result.report.format_text()
    return result.out


def test_loads_in_a_fresh_process_with_only_datasets(built: Path, project: Path, tmp_path: Path) -> None:
    loaded = load_every_config(built, tmp_path)
    assert list(loaded) == list(features.CONFIGS)
    documents = [load_document(p) for p in sorted((project / "annotations").glob("*.json"))]
    by_split: dict[str, int] = {}
    for document in documents:
        by_split[split_of(document.id)] = by_split.get(split_of(document.id), 0) + 1
    assert loaded["documents"]["splits"] == by_split
    assert set(by_split) == {"train", "validation", "test"}
    expected_claims = sum(len(d.annotation_sets[0].claims) for d in documents)
    assert sum(loaded["claims"]["splits"].values()) == expected_claims
    for config in features.CONFIGS:
        assert Features.from_dict(loaded[config]["features"]) == features.FEATURES[config]
        assert loaded[config]["streamed"] == loaded[config]["splits"]
        assert loaded[config]["description"].startswith("News articles annotated")
        assert loaded[config]["license"].startswith("other")
        assert loaded[config]["citation"].startswith("@misc{claimbank")
    names = loaded["claims"]["features"]["factuality"]["names"]
    assert names == ["CT+", "PR+", "PS+", "CT-", "PR-", "PS-", "CTu", "Uu"]


def test_card_num_bytes_are_what_datasets_computes(built: Path, tmp_path: Path) -> None:
    loaded = load_every_config(built, tmp_path)
    header = yaml.safe_load((built / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    for info in header["dataset_info"]:
        declared = {split["name"]: split["num_bytes"] for split in info["splits"]}
        assert declared == loaded[info["config_name"]]["num_bytes"]
        assert info["dataset_size"] == sum(declared.values())


def test_known_rows_of_the_mini_document(built: Path) -> None:
    attributions = load("attributions", built)
    rows = [r for split in attributions.values() for r in split if r["document_id"] == "mini"]
    kinds = attributions[next(iter(attributions))].features["kind"]
    by_id = {r["attribution_id"]: r for r in rows}
    assert kinds.int2str(by_id["a5"]["kind"]) == "non_attribution"
    assert by_id["a5"]["source"]["text"] == "No group"
    assert by_id["a4"]["nested_in"] == "a3"
    assert by_id["a7"]["source_refers_to"] == "Most residents"
    claims = load("claims", built)
    c2 = next(
        r for split in claims.values() for r in split if r["document_id"] == "mini" and r["claim_id"] == "c2"
    )
    assert c2["hedged"] is True
    assert [m["text"] for m in c2["modality"]] == ["apparently"]
    assert c2["source_text"] == "the governor"


def test_documents_config_round_trips_to_the_annotation_files(built: Path, project: Path) -> None:
    loaded = load("documents", built)
    rows = [row for split in loaded.values() for row in split]
    assert len(rows) == len(list((project / "annotations").glob("*.json")))
    for row in rows:
        original = project / "annotations" / f"{row['id']}.json"
        assert row_to_document(row) == load_document(original)
        if row["id"] != "mini":  # synth writes canonical files: the round trip gives them back byte for byte
            assert dumps(canonical(row_to_document(row))) == original.read_text(encoding="utf-8")


def test_tokens_come_from_the_text_alone_and_aligned_spans_are_tagged_exactly(
    built: Path, project: Path
) -> None:
    loaded = load("tokens", built)
    names = loaded[next(iter(loaded))].features["attribution_tags"].feature.names
    for row in (r for split in loaded.values() for r in split):
        document = load_document(project / "annotations" / f"{row['document_id']}.json")
        assert list(zip(row["starts"], row["ends"], strict=True)) == segment.tokenize(document.text)
        gold = document.annotation_sets[0]
        edges = {(s.start, s.label.value) for s in gold.spans} | {(s.end, s.label.value) for s in gold.spans}
        for layer in ("attribution_tags", "nested_attribution_tags"):
            tags = [names[t] for t in row[layer]]
            for i, tag in enumerate(tags):
                if tag.startswith("B-"):
                    assert (row["starts"][i], tag[2:]) in edges
                last_of_run = tag != "O" and (i + 1 == len(tags) or not tags[i + 1].startswith("I-"))
                if last_of_run:
                    assert (row["ends"][i], tag[2:]) in edges
                if tag.startswith("I-"):
                    assert tags[i - 1][2:] == tag[2:]


def test_card_declares_configs_and_features_from_the_one_definition(built: Path) -> None:
    text = (built / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(text.split("---\n")[1])
    assert [c["config_name"] for c in header["configs"]] == list(features.CONFIGS)
    declared = {c["config_name"]: [f["split"] for f in c["data_files"]] for c in header["configs"]}
    assert all(splits == declared["documents"] for splits in declared.values())
    for info in header["dataset_info"]:
        assert Features._from_yaml_list(info["features"]) == features.FEATURES[info["config_name"]]
    assert "`nobody`" in text  # label definitions from the vocabulary
    assert "### Source data" in text
    assert "@misc{claimbank" in text


def test_parquet_is_sharded_for_streaming(built: Path) -> None:
    for path in (built / "data").rglob("*.parquet"):
        assert "-of-" in path.name
        parquet = pq.ParquetFile(path)
        # Row groups are sized by bytes (tests/test_build_scale.py); these articles fit in one per shard.
        assert parquet.num_row_groups == 1
        assert parquet.read_row_group(0).nbytes < ROW_GROUP_BYTES


def test_same_input_gives_byte_identical_output(project: Path, built: Path, tmp_path: Path) -> None:
    again = build([project / "annotations"], tmp_path / "again")
    assert again.ok
    assert _tree(again.out) == _tree(built)


def test_worker_processes_give_the_same_bytes(project: Path, built: Path, tmp_path: Path) -> None:
    parallel = build([project / "annotations"], tmp_path / "parallel", jobs=2)
    assert parallel.ok
    assert _tree(parallel.out) == _tree(built)


def test_worker_processes_report_every_problem(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(project / "annotations", folder / "annotations")
    shutil.copytree(project / "seeds", folder / "seeds")
    (folder / "annotations" / "broken.json").write_text("[", encoding="utf-8")
    (folder / "annotations" / "mini.json").write_text("{}", encoding="utf-8")
    result = build([folder / "annotations"], tmp_path / "out", jobs=2)
    assert not result.ok
    assert {(Path(p.file).name, p.code) for p in result.report.problems} >= {
        ("broken.json", "json-syntax"),
        ("mini.json", "schema-required"),
    }
    assert not (tmp_path / "out").exists()


def test_a_one_article_corpus_loads(tmp_path: Path) -> None:
    (tmp_path / "annotations").mkdir()
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    shutil.copy(CASES / "valid" / "mini.json", tmp_path / "annotations")
    result = build([tmp_path / "annotations"], tmp_path / "ds")
    assert result.ok
    documents = load("documents", tmp_path / "ds")
    assert list(documents) == [split_of("mini")]


def test_invalid_input_writes_nothing_and_keeps_the_old_output(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    shutil.copytree(project / "annotations", folder / "annotations")
    shutil.copytree(project / "seeds", folder / "seeds")
    out = tmp_path / "out"
    assert build([folder / "annotations"], out).ok
    before = _tree(out)
    bad = json.loads((folder / "annotations" / "mini.json").read_text(encoding="utf-8"))
    bad["annotation_sets"][0]["spans"][0]["end"] = 10_000
    (folder / "annotations" / "mini.json").write_text(json.dumps(bad), encoding="utf-8")
    code = main(["build", "--no-progress", "--out", str(out), str(folder / "annotations")])
    assert code == 1
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p"]


def test_sigkill_during_a_build_leaves_the_previous_output(tmp_path: Path) -> None:
    project = write_project(tmp_path / "big", 1500)
    out = tmp_path / "out"
    small = write_project(tmp_path / "small", 3)
    assert build([small / "annotations"], out).ok
    before = _tree(out)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "claimbank",
            "build",
            "--no-progress",
            "--out",
            str(out),
            str(project / "annotations"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.building-") for p in tmp_path.iterdir()):
        assert process.poll() is None, "the build finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _tree(out) == before
    assert load("documents", out)
    # The next build sweeps the killed build's staging folder away.
    assert any(p.name.startswith(".out.building-") for p in tmp_path.iterdir())
    assert build([small / "annotations"], out).ok
    assert not any(p.name.startswith(".out.") for p in tmp_path.iterdir())


def test_an_output_caught_between_renames_is_restored(tmp_path: Path) -> None:
    small = write_project(tmp_path / "small", 2)
    out = tmp_path / "out"
    assert build([small / "annotations"], out).ok
    before = _tree(out)
    retired = tmp_path / ".out.old-killed"
    retired.mkdir()
    out.rename(retired / "out")  # what a kill between the two renames of _replace leaves behind
    bad = tmp_path / "bad"
    (bad / "annotations").mkdir(parents=True)
    (bad / "annotations" / "x.json").write_text("{", encoding="utf-8")
    assert not build([bad / "annotations"], out).ok
    assert _tree(out) == before


def test_cli_build_reports_what_it_wrote(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--no-progress", "--out", str(tmp_path / "ds"), str(project / "annotations")]) == 0
    assert "wrote" in capsys.readouterr().err
    assert main(["build", "--out", str(tmp_path / "ds"), str(tmp_path / "nothing-here")]) == 2


def test_split_rule_is_stable() -> None:
    # Pinned: changing the rule would move documents between splits.
    assert [split_of(f"doc-{i}") for i in range(6)] == [_expected_split(f"doc-{i}") for i in range(6)]
    assert split_of("000_fb2fb690b74273a6") == _expected_split("000_fb2fb690b74273a6")


def _expected_split(doc_id: str) -> str:
    bucket = int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 80 else "validation" if bucket < 90 else "test"
