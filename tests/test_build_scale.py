"""The build at scale: row groups sized by bytes, and an article of over a million code points built correctly and
in time linear in its length."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from claimbank.dataset import build as build_module
from claimbank.dataset import features, segment
from claimbank.dataset.build import build, process_file
from claimbank.testing.synth import write_project
from tests.datasets_only import load_every_config


def _rows(folder: Path, cache: Path) -> dict[str, object]:
    """Every config's features and rows, as ``datasets.load_dataset`` gives them."""
    cache.mkdir()
    loaded = load_every_config(folder, cache)
    return {config: (part["features"], part["rows"]) for config, part in loaded.items()}


def test_row_groups_are_sized_by_bytes_and_hold_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path / "project", 30)
    default = build([project / "annotations"], tmp_path / "default")
    assert default.ok
    budget = 256 * 1024
    monkeypatch.setattr(build_module, "ROW_GROUP_BYTES", budget)
    monkeypatch.setattr(build_module, "CONVERT_CODE_POINTS", 10_000)  # about three articles
    small = build([project / "annotations"], tmp_path / "small")
    assert small.ok
    groups = []
    for path in (small.out / "data" / "tokens").glob("*.parquet"):
        parquet = pq.ParquetFile(path)
        groups += [parquet.read_row_group(i).nbytes for i in range(parquet.num_row_groups)]
    # A group closes at the first conversion (about three articles' rows) that takes it past the budget.
    assert len(groups) > 3
    assert max(groups) < 2 * budget
    assert _rows(small.out, tmp_path / "c1") == _rows(default.out, tmp_path / "c2")


def test_num_bytes_are_the_row_groups_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The card's num_bytes come from the row groups as written (build.read_back_bytes), each shard's first group
    # read back to check them: each prediction must be what reading its group back gives, and the card's counts
    # what reading every group back gives, for every config and split.
    project = write_project(tmp_path / "project", 30)
    monkeypatch.setattr(build_module, "ROW_GROUP_BYTES", 64 * 1024)
    monkeypatch.setattr(build_module, "CONVERT_CODE_POINTS", 5_000)
    predicted: list[tuple[int | None, int]] = []
    read_back_bytes = build_module.read_back_bytes

    def spy(table: pa.Table) -> int | None:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        back = pq.ParquetFile(pa.BufferReader(sink.getvalue())).read_row_group(0).nbytes
        predicted.append((read_back_bytes(table), back))
        return predicted[-1][0]

    monkeypatch.setattr(build_module, "read_back_bytes", spy)
    result = build([project / "annotations"], tmp_path / "out")
    assert result.ok
    assert result.stats is not None
    known = [(size, back) for size, back in predicted if size is not None]
    assert len(known) > 20  # the groups of tokens and sentences, at least
    assert [size for size, _ in known] == [back for _, back in known]
    for config in features.CONFIGS:
        for split, count in result.stats.arrow_bytes[config].items():
            groups = 0
            for path in (result.out / "data" / config).glob(f"{split}-*.parquet"):
                parquet = pq.ParquetFile(path)
                groups += sum(parquet.read_row_group(i).nbytes for i in range(parquet.num_row_groups))
            assert count == groups, (config, split)


def _cpu_per_code_point(paths: list[Path], seeds: Path) -> float:
    """CPU seconds per code point of validating and converting ``paths`` (what the build does per file)."""
    started = time.process_time()
    length = 0
    for path in paths:
        item = process_file(("", str(path)), seeds, 2**31)
        assert not item.problems, item.problems
        length += item.code_points
    return (time.process_time() - started) / length


def test_an_article_of_a_million_code_points_builds_in_linear_time(tmp_path: Path) -> None:
    long = write_project(tmp_path / "long", 1, seed=1, target_length=1_200_000)
    normal = write_project(tmp_path / "normal", 40)
    (path,) = (long / "annotations").glob("*.json")
    data = json.loads(path.read_bytes())
    text, spans = data["text"], data["annotation_sets"][0]["spans"]
    assert len(text) >= 1_000_000
    assert len(spans) >= 5_000

    # Time: per code point within 2x of normal articles' (best of three, in turns: the machine may be busy).
    normals = sorted((normal / "annotations").glob("*.json"))
    times: dict[str, list[float]] = {"normal": [], "long": []}
    for _ in range(3):
        times["normal"].append(_cpu_per_code_point(normals, normal / "seeds"))
        times["long"].append(_cpu_per_code_point([path], long / "seeds"))
    assert min(times["long"]) < 2 * min(times["normal"]), times

    result = build([long / "annotations"], tmp_path / "dataset", seeds_dir=long / "seeds")
    assert result.ok, result.report.format_text()
    loaded = load_every_config(result.out, tmp_path)
    rows = {
        config: [row for split in part["rows"].values() for row in split] for config, part in loaded.items()
    }
    (tokens,) = rows["tokens"]
    assert list(zip(tokens["starts"], tokens["ends"], strict=True)) == segment.tokenize(text)
    assert tokens["tokens"] == [text[s:e] for s, e in zip(tokens["starts"], tokens["ends"], strict=True)]
    assert [t for row in rows["sentences"] for t in row["tokens"]] == tokens["tokens"]
    assert all(row["text"] == text[row["start"] : row["end"]] for row in rows["sentences"])
    by_id = {s["id"]: s for s in spans}
    assert len(rows["claims"]) == len(data["annotation_sets"][0]["claims"])
    for row in rows["claims"]:
        assert row["text"] == text[row["start"] : row["end"]]
        assert text[row["sentence_start"] :].startswith(row["sentence"])
        assert row["sentence_start"] <= row["start"]
        assert row["end"] <= row["sentence_start"] + len(row["sentence"])
    for row in rows["attributions"]:
        cue = by_id[
            next(a for a in data["annotation_sets"][0]["attributions"] if a["id"] == row["attribution_id"])[
                "cue"
            ]
        ]
        assert (row["cue"]["start"], row["cue"]["end"]) == (cue["start"], cue["end"])
    assert set(rows) == set(features.CONFIGS)
