"""The Spark jobs (claimbank.spark) in local[2] mode: the same rows, in the same order, as `claimbank build`
whatever the partitioning; bad documents refused into the problems table, never lost; the pluggable predictor
shipped to executors; one clear line when pyspark or Java is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from claimbank.annotate import preannotate
from claimbank.cli import main
from claimbank.dataset import features
from claimbank.dataset.build import SPLITS, build
from claimbank.dataset.rows import row_to_document
from claimbank.format.model import AnnotationSet
from claimbank.tagger.settings import BATCH
from claimbank.testing.synth import corpus, write_project

CASES = Path(__file__).parent / "cases"
LOADERS = Path(__file__).parents[1] / "loaders"
DOCS = Path(__file__).parents[1] / "docs" / "spark.md"
STAMP = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local[2] session for the whole module (starting the JVM is most of a small job's time)."""
    from claimbank.spark import runtime

    try:
        runtime.require()
    except runtime.SparkUnavailable as error:
        if os.environ.get("CLAIMBANK_REQUIRE_SPARK"):
            pytest.fail(f"Spark is required here: {error}")
        pytest.skip(str(error))
    session = runtime.session("local[2]", app_name="claimbank tests")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic articles in all three splits, and the hand-made mini document (sorted first: "mini" < "synth")."""
    folder = write_project(tmp_path_factory.mktemp("project"), 24)
    shutil.copy(CASES / "valid" / "mini.json", folder / "annotations" / "mini.json")
    shutil.copy(CASES / "seeds" / "mini.txt", folder / "seeds" / "mini.txt")
    return folder


@pytest.fixture(scope="module")
def single(project: Path) -> Path:
    """What the single-machine `claimbank build` writes for the project."""
    result = build([project / "annotations"], project / "single")
    assert result.ok, result.report.format_text()
    return result.out


def rows(folder: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Every config's and split's rows, reading the shards in name order (as `datasets` does)."""
    found = {}
    for config in features.CONFIGS:
        for split in SPLITS:
            shards = sorted((folder / "data" / config).glob(f"{split}-*.parquet"))
            found[config, split] = [row for shard in shards for row in pq.read_table(shard).to_pylist()]
    return found


@pytest.mark.parametrize("partitions", [1, 3])
def test_rows_are_claimbank_builds(spark: Any, project: Path, single: Path, partitions: int) -> None:
    from claimbank.spark import job

    out = project / f"spark-{partitions}"
    result = job.build_annotations(spark, [project / "annotations"], out, partitions=partitions)
    assert (result.documents, result.written, result.refused, result.partitions) == (25, 25, 0, partitions)
    expected = rows(single)
    assert all(expected[config, "train"] for config in features.CONFIGS)  # a comparison of something
    assert rows(out) == expected
    shards = list((out / "data" / "documents").glob("train-*.parquet"))
    assert len(shards) == partitions  # each partition wrote its own shards; together they hold build's rows
    assert pq.read_table(result.problems_out).num_rows == 0


def test_output_loads_with_datasets(project: Path, single: Path, tmp_path: Path) -> None:
    import datasets

    out = project / "spark-3"  # written by test_rows_are_claimbank_builds[3]
    if not out.is_dir():
        pytest.skip("needs the 3-partition build of the test before")
    for config in ("claims", "tokens"):
        ours = datasets.load_dataset(str(out), config, cache_dir=str(tmp_path / "a"))
        theirs = datasets.load_dataset(str(single), config, cache_dir=str(tmp_path / "b"))
        assert {name: part.to_list() for name, part in ours.items()} == {
            name: part.to_list() for name, part in theirs.items()
        }
        assert ours["train"].features == features.FEATURES[config]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Valid synthetic files with invalid case files and a second copy of one document among them."""
    folder = write_project(tmp_path_factory.mktemp("mixed"), 9)
    annotations = folder / "annotations"
    for code in ("json-syntax", "offset-reversed", "schema-required"):
        case = sorted((CASES / "invalid" / code).glob("*.json"))[0]
        shutil.copy(case, annotations / f"synth-0-{code}.json")
    first = sorted(annotations.glob("synth-0-000000*.json"))[0]
    (annotations / "zz").mkdir()
    shutil.copy(first, annotations / "zz" / first.name)  # valid by itself; its id is taken by the first
    return folder


def test_bad_documents_are_refused_and_listed(
    spark: Any, mixed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = mixed / "dataset"
    status = main(["spark", "build", str(mixed / "annotations"), "--out", str(out), "--partitions", "3"])
    captured = capsys.readouterr()
    assert status == 1
    table = pq.read_table(out.with_name("dataset-problems")).to_pylist()
    codes = {row["code"] for row in table}
    assert {"json-syntax", "offset-reversed", "schema-required", "duplicate-document"} <= codes
    by_file = {str(Path(row["source"]).relative_to(mixed / "annotations")): row for row in table}
    assert set(by_file) == {
        "synth-0-json-syntax.json",
        "synth-0-offset-reversed.json",
        "synth-0-schema-required.json",
        "zz/synth-0-0000000.json",
    }
    assert (by_file["zz/synth-0-0000000.json"]["pointer"], by_file["zz/synth-0-0000000.json"]["code"]) == (
        "/id",
        "duplicate-document",
    )
    assert all(row["pointer"] is not None and row["message"] and row["hint"] for row in table)
    printed = captured.out.splitlines()
    assert len(printed) == len(table)  # every problem printed, one line each (fewer than the 20 shown)
    assert all(": " in line and "(hint: " in line for line in printed)
    assert "13 document(s) in 3 partition(s): 9 written, 4 refused" in captured.err
    assert "Traceback" not in captured.err
    valid = sorted(p for p in (mixed / "annotations").glob("synth-0-0*.json"))
    assert len(valid) == 9
    reference = build(valid, mixed / "valid-only")  # the rows of the valid documents, nothing lost
    assert reference.ok, reference.report.format_text()
    assert rows(out) == rows(reference.out)


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw articles in every input form: a JSONL file with bad lines, .txt files, a Parquet file of two row groups."""
    folder = tmp_path_factory.mktemp("raw")
    articles = [(annotation["id"], text, annotation["metadata"]) for text, annotation in corpus(12, seed=5)]
    lines = [
        json.dumps({"id": i, "text": t, "metadata": m, "crawled": "x"}, ensure_ascii=False)
        for i, t, m in articles[:6]
    ]
    lines[2:2] = ['{"id": "broken", "text": ', '{"id": "no-text-here", "text": 7}', "[]"]
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "texts").mkdir()
    for doc_id, text, _ in articles[6:9]:
        (folder / "texts" / f"{doc_id}.txt").write_text(text, encoding="utf-8", newline="")
    table = pa.Table.from_pylist([{"id": i, "text": t, "language": "en"} for i, t, _ in articles[9:]])
    pq.write_table(table, folder / "b.parquet", row_group_size=2)
    return folder


def raw_run(spark: Any, raw: Path, partitions: int, **spec: Any) -> Any:
    from claimbank.spark import job, predict

    out = raw.parent / f"{raw.name}-out-{partitions}-{len(spec)}"
    return job.build_raw(
        spark, [raw], out, spec=predict.PredictorSpec(STAMP, gold=True, **spec), partitions=partitions
    )


def test_raw_articles_are_preannotated_like_the_rules(
    spark: Any, raw: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimbank.spark import inputs

    one = raw_run(spark, raw, 1)
    monkeypatch.setattr(inputs, "JSONL_CHUNK", 4000)  # the JSONL file read in stretches of a few lines
    assert len([unit for unit in inputs.raw_units([raw]) if unit.kind == "jsonl"]) > 2
    three = raw_run(spark, raw, 3)
    assert (three.documents, three.written, three.refused) == (15, 12, 3)
    assert rows(one.out) == rows(three.out)
    documents = [row for split in SPLITS for row in rows(three.out)["documents", split]]
    assert len(documents) == 12
    for row in documents:
        document = row_to_document(row)
        (predicted,) = document.annotation_sets
        expected = preannotate.annotation_set(document.text, created_at=STAMP) | {"gold": True}
        assert predicted == AnnotationSet.model_validate(expected)
    assert sum(len(rows(three.out)["attributions", split]) for split in SPLITS) > 0  # --gold: silver views
    table = pq.read_table(three.problems_out).to_pylist()
    sources = {row["source"].rsplit("/", 1)[1] for row in table}
    assert sources == {"a.jsonl:3", "a.jsonl:4", "a.jsonl:5"}
    assert {(row["source"].rsplit("/", 1)[1], row["code"]) for row in table} >= {
        ("a.jsonl:3", "json-syntax"),
        ("a.jsonl:4", "schema-type"),
        ("a.jsonl:5", "schema-type"),
    }
    assert {row["document_id"] for row in table if row["source"].endswith(":4")} == {"no-text-here"}


def test_a_model_folder_is_shipped_to_the_executors(spark: Any, raw: Path, tmp_path: Path) -> None:
    model = tmp_path / "word-model"
    model.mkdir()
    (model / "cues.json").write_text(
        json.dumps({"version": "7", "cues": ["said", "announced"]}), encoding="utf-8"
    )
    spark.sparkContext.addPyFile(str(Path(__file__).with_name("spark_tagger.py")))
    result = raw_run(spark, raw, 2, model=str(model), loader="spark_tagger")
    assert (result.written, result.refused) == (12, 3)
    documents = [row for split in SPLITS for row in rows(result.out)["documents", split]]
    cues = 0
    for row in documents:
        (predicted,) = row_to_document(row).annotation_sets
        assert predicted.model_version == "spark_tagger 7"
        cues += sum(span.text in {"said", "announced"} for span in predicted.spans)
    assert cues > 0


def _cli(
    args: list[str], env: dict[str, str] | None = None, block: str = ""
) -> subprocess.CompletedProcess[str]:
    """`claimbank ARGS` in a fresh Python (with module ``block`` made unimportable, if given)."""
    code = "import sys\n"
    if block:
        code += (
            "import importlib.abc\n"
            "class Block(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            f"        if name == {block!r} or name.startswith({block!r} + '.'):\n"
            "            raise ModuleNotFoundError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
        )
    code += "from claimbank.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    environment = {**os.environ, "PYTHONPATH": str(LOADERS), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=environment, timeout=120
    )


def test_without_pyspark_one_line_and_status_2(project: Path, tmp_path: Path) -> None:
    done = _cli(
        ["spark", "build", str(project / "annotations"), "--out", str(tmp_path / "o")], block="pyspark"
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "claimbank spark: error: pyspark is not installed: pip install 'claimbank[spark]' "
        "(PySpark 4.x, which also needs Java 17+)"
    ]
    assert not (tmp_path / "o").exists()


def test_without_java_one_line_and_status_2(project: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    done = _cli(["spark", "build", str(project / "annotations")], env={"JAVA_HOME": str(tmp_path / "no-jdk")})
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("claimbank spark: error: Spark needs Java 17 or later")
    assert "no-jdk" in line


def test_model_errors_before_spark_starts(raw: Path, tmp_path: Path) -> None:
    missing = _cli(["spark", "preannotate", str(raw), "--model", str(tmp_path / "nothing")])
    assert (missing.returncode, missing.stderr.splitlines()) == (
        2,
        [f"claimbank spark: error: --model {tmp_path / 'nothing'}: not a folder"],
    )
    not_a_model = _cli(["spark", "preannotate", str(raw), "--model", str(tmp_path)])
    assert not_a_model.returncode == 2
    (line,) = not_a_model.stderr.splitlines()
    assert line.startswith(f"claimbank spark: error: --model {tmp_path}: ")


@pytest.mark.slow
def test_spark_submit_runs_the_entry_script(spark: Any, project: Path, single: Path) -> None:
    import pyspark

    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    out = project / "submitted"
    done = subprocess.run(
        [
            str(submit),
            "--master",
            "local[1]",
            str(LOADERS / "claimbank" / "spark" / "submit.py"),
            "build",
            str(project / "annotations"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(LOADERS), "PYSPARK_PYTHON": sys.executable},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "25 written, 0 refused" in done.stdout  # spark-submit passes the driver's stderr on as its stdout
    assert rows(out) == rows(single)


def test_docs_example_prints_what_it_shows(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    (block,) = re.findall(
        r"```console\n(\$ claimbank spark build .*?)\n```", DOCS.read_text("utf-8"), re.DOTALL
    )
    command, expected = block.splitlines()
    for folder in ("valid", "seeds"):
        shutil.copytree(CASES / folder, tmp_path / "tests" / "cases" / folder)
    monkeypatch.chdir(tmp_path)
    assert main(command.removeprefix("$ claimbank ").split()) == 0
    printed = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.sub(r" in \d+\.\d s$", "", printed) == re.sub(r" in \d+\.\d s$", "", expected)
    assert (tmp_path / "build" / "spark-example" / "README.md").is_file()


def test_a_model_predicts_a_batch_at_a_time_with_the_sets_of_one_at_a_time(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    from claimbank.spark import inputs, partition, predict
    from claimbank.tagger import Model, Settings, train
    from tests.test_tagger import synth_dataset

    model = tmp_path / "model"
    train(synth_dataset(tmp_path_factory), model, settings=Settings(iterations=20), eval_splits=[])
    texts = [text for text, _ in corpus(BATCH + 5, seed=3)]
    lines = [json.dumps({"id": f"a{i}", "text": text}) for i, text in enumerate(texts)]
    # Records without a text, or not read at all, get no prediction and must not shift the others'.
    lines[3] = json.dumps({"id": "no-text"})
    lines[7] = "[1, 2]"
    lines[BATCH] = "{not json"
    raw = tmp_path / "raw.jsonl"
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = predict.PredictorSpec("2026-12-01T00:00:00Z", str(model), gold=True)  # silver: all configs
    unit = inputs.RawUnit("jsonl", str(raw))

    batched = list(partition.raw_items([(0, unit)], spec, "en", 1 << 20))
    tagger = Model(model)
    one_by_one = []
    for number, record in enumerate(inputs.read_raw(unit, 1 << 20)):
        text = record.value.get("text") if isinstance(record.value, dict) and not record.problems else None
        made = None if text is None else tagger.annotation_set(text, created_at=spec.created_at)
        one_by_one.append(((0, number), partition.raw_processed(record, made, spec, "en")))
    assert len(batched) == len(one_by_one) == len(lines)
    for (place, got), (expected_place, expected) in zip(batched, one_by_one, strict=True):
        assert place == expected_place
        assert [p.code for p in got.problems] == [p.code for p in expected.problems]
        assert _plain(got.rows) == _plain(expected.rows)
    assert sum(1 for _, item in batched if item.rows) == len(lines) - 3
    assert any(item.rows.get("attributions") for _, item in batched)


def _plain(rows: dict[str, Any]) -> dict[str, Any]:
    """A document's rows with its column-wise configs (``rows.Columns``) as plain lists, to compare."""
    from claimbank.dataset.rows import Columns

    def plain(value: Any) -> Any:
        if not isinstance(value, Columns):
            return value
        columns = {**value.scalars, **value.lists}
        return {name: list(items) for name, items in columns.items()}, list(value.lengths)

    return {name: plain(value) for name, value in rows.items()}
