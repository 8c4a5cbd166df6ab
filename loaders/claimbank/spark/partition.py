"""What runs on the executors, one partition at a time: the per-document step of ``claimbank build``, then the
partition's Parquet shards and its part of the problems table.

Pass 1 (:func:`annotation_items`, :func:`raw_items`) turns each record into ``(place, _Processed)`` with
:func:`claimbank.dataset.build.process_file` / :func:`~claimbank.dataset.build.process_checked`, the functions
``claimbank build`` runs per file. Pass 2 (:func:`write_partition`) writes a partition's rows with the builder's
shard writer into its own folder and returns a :class:`PartitionSummary`; nothing per document reaches the driver.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimbank.dataset import features
from claimbank.dataset.build import SPLITS, BuildStats, _ShardWriter, process_checked, process_file
from claimbank.spark import inputs, predict
from claimbank.tagger.settings import BATCH
from claimbank.validate.core import check_data
from claimbank.validate.problems import Problem

if TYPE_CHECKING:
    from claimbank.dataset.build import _Processed

Place = tuple[int, int]  # (unit index, record index within the unit): the input's order
Item = tuple[Place, "_Processed"]
Duplicates = dict[str, tuple[Place, str]]  # document id -> (place, name) of its first valid document

PROBLEM_COLUMNS = ("source", "document_id", "pointer", "code", "message", "hint")
SHOWN_PROBLEMS = 20  # problem lines a partition sends back to be printed; the rest are only in the table


def annotation_items(
    units: Iterable[tuple[int, tuple[str, str]]], seeds_dir: Path | None, max_bytes: int
) -> Iterator[Item]:
    """Validate and convert annotation files, as ``claimbank build`` does each file."""
    for index, source in units:
        yield (index, 0), process_file(source, seeds_dir, max_bytes)


def raw_items(
    units: Iterable[tuple[int, inputs.RawUnit]], spec: predict.PredictorSpec, language: str, max_bytes: int
) -> Iterator[Item]:
    """Read raw articles, pre-annotate them (:data:`~claimbank.tagger.settings.BATCH` at a time), validate the
    annotation file each makes, and convert it."""
    predict_sets = predict.predictor(spec)
    for index, unit in units:
        records = enumerate(inputs.read_raw(unit, max_bytes))
        while batch := list(islice(records, BATCH)):
            texts = [_text(record) for _, record in batch]
            predicted = iter(predict_sets([t for t in texts if t is not None]))
            for (number, record), text in zip(batch, texts, strict=True):
                made = None if text is None else next(predicted)
                yield (index, number), raw_processed(record, made, spec, language)


def _text(record: inputs.RawRecord) -> str | None:
    """The text a record's article has to be pre-annotated: none for a record that is refused or has none."""
    if record.problems or not isinstance(record.value, dict):
        return None
    text = record.value.get("text")
    return text if isinstance(text, str) else None


def raw_document(
    record: dict[str, Any], predicted: dict[str, Any] | None, *, gold: bool, language: str
) -> dict[str, Any]:
    """The annotation file of a raw article with ``predicted``, the set predicted from its text (``None`` when it
    has none); fields the record lacks stay missing, for validation to report."""
    document: dict[str, Any] = {"schema_version": "2.0"}
    doc_id, text = record.get("id"), record.get("text")
    if "id" in record:
        document["id"] = doc_id
        document["seed"] = f"{doc_id}.txt"
    if isinstance(text, str):
        document["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    document["language"] = record.get("language", language)
    if "text" in record:
        document["text"] = text
    metadata = record.get("metadata", {})
    document["metadata"] = (
        {key: value for key, value in metadata.items() if value is not None}
        if isinstance(metadata, dict)
        else metadata
    )
    document["annotation_sets"] = []
    if predicted is not None:
        if gold:
            predicted["gold"] = True
        document["annotation_sets"] = [predicted]
    return document


def raw_processed(
    record: inputs.RawRecord, predicted: dict[str, Any] | None, spec: predict.PredictorSpec, language: str
) -> _Processed:
    """One raw record, with the set predicted from its text, through validation and conversion (or its
    problems)."""
    if record.problems:
        return process_checked(record.name, record.problems, None)
    if not isinstance(record.value, dict):
        message = "a record is a JSON object with id and text (and optionally language and metadata)"
        return process_checked(record.name, [Problem("schema-type", record.name, "", message)], None)
    document = raw_document(record.value, predicted, gold=spec.gold, language=language)
    # There is no seeds/ folder for a crawled article: its text is the record's, and the sha256 is of that.
    problems = [p for p in check_data(document, name=record.name) if p.code != "seed-missing"]
    item = process_checked(record.name, problems, document)
    if problems and isinstance(document.get("id"), str):
        item.document_id = document["id"]
    return item


def is_written(item: Item, duplicates: Duplicates) -> bool:
    """Whether a document goes into the dataset: valid, and the first valid document with its id."""
    place, processed = item
    if processed.problems:
        return False
    first = duplicates.get(processed.document_id)
    return first is None or first[0] == place


@dataclass
class PartitionSummary:
    """What one partition sends back to the driver: counts, the first problem lines, its shards' names."""

    index: int
    documents: int = 0
    written: int = 0
    refused: int = 0
    problems: int = 0
    shown: list[str] = field(default_factory=list)
    stats: BuildStats = field(default_factory=BuildStats)
    shards: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def write_partition(
    index: int, items: Iterator[Item], staging: str, duplicates: Duplicates
) -> Iterator[PartitionSummary]:
    """Write one partition's rows into ``staging/parts/<index>/<config>/`` and its problems into
    ``staging/problems/part-<index>.parquet``; yield its summary.

    A task may run more than once (a retry, a speculative copy): each attempt writes a folder of its own and the
    first to finish is kept. Both hold the same rows, so the output does not depend on which.
    """
    from pyspark import TaskContext

    context = TaskContext.get()
    attempt = context.attemptNumber() if context is not None else 0
    final = Path(staging) / "parts" / f"{index:05d}"
    folder = final.with_name(f"{final.name}.attempt-{attempt}")
    shutil.rmtree(folder, ignore_errors=True)
    summary = PartitionSummary(index)
    writers: dict[tuple[str, str], _ShardWriter] = {}
    problems: list[dict[str, Any]] = []
    for place, processed in items:
        summary.documents += 1
        found = processed.problems
        first = duplicates.get(processed.document_id)
        if not found and first is not None and first[0] != place:
            message = f"document {processed.document_id!r} is also in {first[1]}"
            found = [Problem("duplicate-document", processed.path, "/id", message)]
        if found:
            summary.refused += 1
            summary.problems += len(found)
            for problem in found:
                if len(summary.shown) < SHOWN_PROBLEMS:
                    summary.shown.append(problem.format())
                problems.append(_problem_row(problem, processed.document_id))
            continue
        summary.written += 1
        for config, rows in processed.rows.items():
            key = (config, processed.split)
            if key not in writers:
                writers[key] = _ShardWriter(folder / config, config, processed.split)
            writers[key].add(rows, processed.code_points)
        summary.stats.count(processed)
    summary.stats.provenance = []  # the driver takes the first documents' provenance in order (RDD.take)
    summary.shards = {key: writer.close() for key, writer in writers.items()}  # the driver declares splits
    if problems:
        _write_problems(Path(staging) / "problems" / f"part-{index:05d}.parquet", problems)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(folder, final)
    except OSError:  # another attempt finished first: its folder holds the same rows
        shutil.rmtree(folder, ignore_errors=True)
    yield summary


def _problem_row(problem: Problem, document_id: str) -> dict[str, Any]:
    return {
        "source": problem.file,
        "document_id": document_id or None,
        "pointer": problem.pointer,
        "code": problem.code,
        "message": problem.message,
        "hint": problem.hint,
    }


def problems_schema() -> Any:
    """The Arrow schema of the problems table."""
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in PROBLEM_COLUMNS])


def _write_problems(path: Path, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=problems_schema()), temporary, compression="zstd")
    os.replace(temporary, path)


def all_splits() -> list[tuple[str, str]]:
    """Every (config, split), in the order the builder writes them."""
    return [(config, split) for config in features.CONFIGS for split in SPLITS]
