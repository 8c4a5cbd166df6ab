"""The driver's side of a job: list the input, run the two passes, put the shards and the card in place.

Pass 1 runs the per-document step on every record, partition by partition, and keeps the result on the
executors' disks (``persist(DISK_ONLY)``): memory stays flat in corpus size. The only cross-document check,
duplicate ids, needs one small reduction of (id, place) pairs; only the ids that occur more than once reach the
driver. Pass 2 writes each partition's rows into its own shards. The driver then names the shards in partition
order: reading a config's shards in name order gives the rows in input order, as ``claimbank build`` writes them.

Unlike ``claimbank build``, which writes nothing when any file is invalid, a job writes the valid documents and
refuses the others: every problem is a row of the problems table (and counted), never a stopped job.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimbank.dataset import card, features
from claimbank.dataset.build import PROVENANCE_ROWS, SPLITS, BuildStats, _replace, _sweep
from claimbank.spark import inputs, partition, predict
from claimbank.util.jsonio import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import SparkSession

RECORDS_PER_PARTITION = 1_000  # the default partitioning: about a second or two of work per task


@dataclass
class JobResult:
    """What a job did: counts, where it wrote, the first problem lines (all of them are in the problems table)."""

    out: Path
    problems_out: Path
    units: int = 0
    partitions: int = 0
    documents: int = 0
    written: int = 0
    refused: int = 0
    problems: int = 0
    shown: list[str] = field(default_factory=list)
    stats: BuildStats | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.refused == 0 and self.stats is not None


def default_problems_out(out: Path) -> Path:
    """Where the problems table goes unless told: beside the dataset folder, ``<out>-problems/``."""
    return out.with_name(f"{out.name}-problems")


def build_annotations(
    spark: SparkSession,
    paths: Iterable[Path],
    out: Path,
    *,
    problems_out: Path | None = None,
    seeds_dir: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    partitions: int | None = None,
) -> JobResult:
    """Annotation files → validation → the dataset folder ``out`` (the rows ``claimbank build`` writes)."""
    units = inputs.annotation_units(paths)
    items = partial(_annotation_items, seeds_dir=seeds_dir, max_bytes=max_bytes)
    return _run(spark, units, items, out, problems_out, partitions)


def build_raw(
    spark: SparkSession,
    paths: Iterable[Path],
    out: Path,
    *,
    spec: predict.PredictorSpec,
    language: str = "en",
    problems_out: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    partitions: int | None = None,
) -> JobResult:
    """Raw articles → pre-annotation → validation → the dataset folder ``out``."""
    predict.check(spec)
    units = inputs.raw_units(paths)
    if spec.model is not None:
        spark.sparkContext.addFile(str(Path(spec.model).resolve()), recursive=True)
    items = partial(_raw_items, spec=spec, language=language, max_bytes=max_bytes)
    # A JSONL stretch or a Parquet row group is already many records: one a partition, unless told otherwise.
    per_partition = RECORDS_PER_PARTITION if all(unit.kind == "txt" for unit in units) else 1
    return _run(spark, units, items, out, problems_out, partitions, per_partition)


def _annotation_items(
    units: Iterable[tuple[int, tuple[str, str]]], seeds_dir: Path | None, max_bytes: int
) -> Iterator[partition.Item]:
    return partition.annotation_items(units, seeds_dir, max_bytes)


def _raw_items(
    units: Iterable[tuple[int, inputs.RawUnit]], spec: predict.PredictorSpec, language: str, max_bytes: int
) -> Iterator[partition.Item]:
    return partition.raw_items(units, spec, language, max_bytes)


def _earliest(
    a: tuple[partition.Place, str, int], b: tuple[partition.Place, str, int]
) -> tuple[partition.Place, str, int]:
    """Of two documents with one id: the earlier one, and how many there are."""
    first = a if a[0] <= b[0] else b
    return first[0], first[1], a[2] + b[2]


def _run(
    spark: SparkSession,
    units: list[Any],
    items: Callable[[Iterable[tuple[int, Any]]], Iterator[partition.Item]],
    out: Path,
    problems_out: Path | None,
    partitions: int | None,
    per_partition: int = RECORDS_PER_PARTITION,
) -> JobResult:
    from pyspark import StorageLevel

    started = time.perf_counter()
    out = out.resolve()
    problems_out = (problems_out or default_problems_out(out)).resolve()
    result = JobResult(out, problems_out, units=len(units))
    if not units:
        return result
    sc = spark.sparkContext
    count = partitions or min(len(units), max(sc.defaultParallelism, math.ceil(len(units) / per_partition)))
    result.partitions = count
    out.parent.mkdir(parents=True, exist_ok=True)
    _sweep(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    processed: RDD[partition.Item] | None = None
    try:
        processed = sc.parallelize(list(enumerate(units)), count).mapPartitions(items)
        processed.persist(StorageLevel.DISK_ONLY)
        duplicates = _duplicates(processed)
        shared = sc.broadcast(duplicates)
        write = partial(_write, staging=str(staging), duplicates=shared)
        summaries = sorted(processed.mapPartitionsWithIndex(write).collect(), key=lambda s: s.index)
        provenance = (
            processed.filter(partial(_keep, duplicates=shared))
            .map(lambda item: item[1].provenance)
            .take(PROVENANCE_ROWS)
        )
        stats = _merged([s.stats for s in summaries], provenance)
        for summary in summaries:
            result.documents += summary.documents
            result.written += summary.written
            result.refused += summary.refused
            result.problems += summary.problems
            result.shown += summary.shown[: partition.SHOWN_PROBLEMS - len(result.shown)]
        _finish_problems(staging / "problems", problems_out)
        if result.written:
            data_files = _place_shards(staging, summaries, stats)
            (staging / "README.md").write_text(card.render(data_files, stats), encoding="utf-8")
            shutil.rmtree(staging / "parts")
            _replace(staging, out)
            result.stats = stats
        result.seconds = time.perf_counter() - started
        return result
    finally:
        if processed is not None:
            processed.unpersist()
        shutil.rmtree(staging, ignore_errors=True)


def _duplicates(processed: RDD[partition.Item]) -> partition.Duplicates:
    """The ids that more than one valid document has, each with its first document's place and name."""
    pairs = processed.filter(lambda item: not item[1].problems).map(
        lambda item: (item[1].document_id, (item[0], item[1].path, 1))
    )
    repeated = pairs.reduceByKey(_earliest).filter(lambda pair: pair[1][2] > 1).collect()
    return {doc_id: (place, name) for doc_id, (place, name, _) in repeated}


def _keep(item: partition.Item, duplicates: Any) -> bool:
    return partition.is_written(item, duplicates.value)


def _write(
    index: int, items: Iterator[partition.Item], staging: str, duplicates: Any
) -> Iterator[partition.PartitionSummary]:
    return partition.write_partition(index, items, staging, duplicates.value)


def _merged(parts: list[BuildStats], provenance: list[dict[str, Any]]) -> BuildStats:
    """The partitions' statistics added up in partition order (the order ``claimbank build`` counts in)."""
    total = BuildStats()
    for part in parts:
        for config, counter in part.rows.items():
            total.rows[config].update(counter)
        for name, values in part.labels.items():
            total.labels.setdefault(name, Counter()).update(values)
        total.sources.update(part.sources)
        total.languages |= part.languages
    total.provenance = provenance
    return total


def _place_shards(
    staging: Path, summaries: list[partition.PartitionSummary], stats: BuildStats
) -> dict[str, dict[str, list[str]]]:
    """Move every partition's shards into ``data/<config>/``, numbered in partition order; return the names."""
    data_files: dict[str, dict[str, list[str]]] = {}
    for config, split in partition.all_splits():
        sources = [
            staging / "parts" / f"{s.index:05d}" / config / name
            for s in summaries
            for name in s.shards.get((config, split), [])
        ]
        if not sources:
            continue
        folder = staging / "data" / config
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for number, source in enumerate(sources):
            name = f"{split}-{number:05d}-of-{len(sources):05d}.parquet"
            os.replace(source, folder / name)
            stats.parquet_bytes[config][split] += (folder / name).stat().st_size
            names.append(name)
        data_files.setdefault(config, {})[split] = names
    return {
        config: {split: data_files[config][split] for split in SPLITS if split in data_files.get(config, {})}
        for config in features.CONFIGS
    }


def _finish_problems(parts: Path, target: Path) -> None:
    """Put the problems table (one Parquet file per partition that had problems, or one empty file) at ``target``,
    replacing what was there."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts.mkdir(parents=True, exist_ok=True)
    if not any(parts.glob("part-*.parquet")):
        pq.write_table(
            pa.Table.from_pylist([], schema=partition.problems_schema()), parts / "part-00000.parquet"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-{os.getpid()}-", dir=target.parent))
    try:
        os.replace(parts, staged / "table")
        _replace(staged / "table", target)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
