"""``claimbank build``: validated annotation files → a dataset folder that ``datasets.load_dataset`` reads.

The build streams: each file is read, validated, converted to rows and appended to Parquet shards, so memory
stays flat in corpus size. Everything is written into a temporary folder beside the output, which replaces the
output only when the whole build succeeded; on any problem nothing is replaced and the problems are returned.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from claimbank.dataset import card, croissant, features
from claimbank.dataset.rows import gold_set, view_rows
from claimbank.format.model import CueSpan, Document, SourceSpan
from claimbank.format.paths import DEFAULT_OUT
from claimbank.format.vocab import Split
from claimbank.util.jsonio import DEFAULT_MAX_BYTES, RefusedOutput, pid_alive, read_json
from claimbank.util.parallel import Sized, ordered_map
from claimbank.validate import checks
from claimbank.validate.core import internal_error, iter_sources, validate_file
from claimbank.validate.problems import Problem, ProblemSink, Report, pointer

SPLITS = tuple(member.value for member in Split)
# Rows per Parquet row group, per config: streaming reads one group at a time, and the builder holds one group's
# rows in memory per config and split, so groups of whole articles (documents, tokens) are kept small.
ROW_GROUP_ROWS = {"documents": 200, "claims": 1_000, "attributions": 1_000, "tokens": 200, "sentences": 1_000}
PROVENANCE_ROWS = 1_000  # the card lists documents one by one up to this many, then only totals per source
SHARD_ROWS = {
    "documents": 20_000,
    "claims": 200_000,
    "attributions": 200_000,
    "tokens": 20_000,
    "sentences": 200_000,
}
# Which rule gave a document its split, in the order they are tried.
SPLIT_MAP, STORED, HASHED = "split map", "stored in the document", "hash of the id"


def split_of(document_id: str) -> str:
    """The split of a document, fixed by its id: SHA-256 of the id, first 4 bytes, modulo 100:
    0–79 train, 80–89 validation, 90–99 test. Adding documents never moves existing ones."""
    bucket = int.from_bytes(hashlib.sha256(document_id.encode("utf-8")).digest()[:4], "big") % 100
    return "train" if bucket < 80 else "validation" if bucket < 90 else "test"


class _ShardWriter:
    """Appends rows of one config and split to numbered Parquet shards, a row group at a time."""

    def __init__(self, folder: Path, config: str, split: str) -> None:
        self.folder, self.config, self.split = folder, config, split
        self.schema = features.FEATURES[config].arrow_schema
        self.buffer: list[dict[str, Any]] = []
        self.shards: list[Path] = []
        self.writer: pq.ParquetWriter | None = None
        self.in_shard = 0
        self.rows = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.buffer.extend(rows)
        self.rows += len(rows)
        if len(self.buffer) >= ROW_GROUP_ROWS[self.config]:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        if self.writer is None or self.in_shard >= SHARD_ROWS[self.config]:
            self._close_shard()
            path = self.folder / f"{self.split}-{len(self.shards):05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(path, self.schema, compression="zstd", write_statistics=True)
            self.shards.append(path)
            self.in_shard = 0
        self.writer.write_table(
            pa.Table.from_pylist(self.buffer, schema=self.schema), row_group_size=ROW_GROUP_ROWS[self.config]
        )
        self.in_shard += len(self.buffer)
        self.buffer = []

    def _close_shard(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def close(self, declared: bool) -> list[str]:
        """Finish the last shard; name every shard ``<split>-NNNNN-of-MMMMM.parquet``; return their paths.

        A ``declared`` split with no rows gets one empty shard, so that ``load_dataset`` gives it 0 rows rather
        than failing on a config with no data files."""
        self._flush()
        self._close_shard()
        if declared and not self.shards:
            path = self.folder / f"{self.split}-00000.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(self.schema.empty_table(), path, compression="zstd")
            self.shards.append(path)
        names = []
        for index, path in enumerate(self.shards):
            final = path.with_name(f"{self.split}-{index:05d}-of-{len(self.shards):05d}.parquet")
            path.rename(final)
            names.append(final.name)
        return names


@dataclass
class BuildStats:
    """What a build wrote: rows per config and split, label counts of the gold sets, and each document's origin."""

    rows: dict[str, Counter[str]] = field(default_factory=lambda: {c: Counter() for c in features.CONFIGS})
    parquet_bytes: dict[str, Counter[str]] = field(
        default_factory=lambda: {c: Counter() for c in features.CONFIGS}
    )
    arrow_bytes: dict[str, Counter[str]] = field(
        default_factory=lambda: {c: Counter() for c in features.CONFIGS}
    )
    labels: dict[str, Counter[str]] = field(default_factory=dict)
    split_rules: Counter[str] = field(default_factory=Counter)  # rule -> documents it gave a split
    tally: Counter[str] = field(
        default_factory=Counter
    )  # what mapping spans onto tokens found (rows.NOT_ALIGNED…)
    origins: Counter[str] = field(default_factory=Counter)  # origin of every annotation set -> sets
    annotators: Counter[tuple[str, str]] = field(default_factory=Counter)  # (annotator, origin) of gold sets
    unmapped: list[str] = field(
        default_factory=list
    )  # split map entries that name no document (set by build)
    provenance: list[dict[str, Any]] = field(default_factory=list)  # the first PROVENANCE_ROWS documents
    sources: Counter[tuple[str, str]] = field(default_factory=Counter)  # (publisher, licence) -> documents
    languages: set[str] = field(default_factory=set)

    def count(self, item: _Processed) -> None:
        for config, config_rows in item.rows.items():
            self.rows[config][item.split] += len(config_rows)
        self.split_rules[item.split_rule] += 1
        self.tally.update(item.tally)
        self.origins.update(item.origins)
        if item.gold_annotator is not None:
            self.annotators[item.gold_annotator] += 1
        self.languages.add(item.language)
        if len(self.provenance) < PROVENANCE_ROWS:
            self.provenance.append(item.provenance)
        publisher = item.provenance.get("publisher", "unknown publisher")
        self.sources[publisher, item.provenance.get("license", "publisher’s terms")] += 1
        for name, values in item.labels.items():
            self.labels.setdefault(name, Counter()).update(values)


@dataclass
class _Processed:
    """What one file contributes: its problems, or its rows and what the card counts of it."""

    path: str
    problems: list[Problem]
    document_id: str = ""
    split: str = ""
    split_rule: str = ""
    language: str = ""
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    tally: Counter[str] = field(default_factory=Counter)
    origins: list[str] = field(default_factory=list)
    gold_annotator: tuple[str, str] | None = None


def process_file(
    source: tuple[str, str], seeds_dir: Path | None, max_bytes: int, split_map: dict[str, str] | None = None
) -> _Processed:
    """Validate one file and, if it is valid, convert it: the per-file work, free of shared state."""
    folder, name = source
    within = Path(folder) if folder else None
    result = validate_file(Path(name), seeds_dir=seeds_dir, max_bytes=max_bytes, within=within)
    if result.problems:
        # The id, when the file gives one, even of an invalid file: a duplicate id is reported as validate does.
        return _Processed(name, result.problems, result.document_id or "")
    return process_checked(name, [], result.data, split_map)


def process_checked(
    name: str, problems: list[Problem], data: Any, split_map: dict[str, str] | None = None
) -> _Processed:
    """One checked document's contribution to the dataset (its rows and what the card counts), or its problems:
    the per-document step of :func:`build`, also run per partition by :mod:`claimbank.spark`."""
    if problems:
        return _Processed(name, problems)
    try:
        return _convert(name, data, split_map or {})
    except Exception as error:  # a bug: the file's problem, never the whole build's traceback
        return _Processed(name, [internal_error(name, error)])


def _convert(name: str, data: Any, split_map: dict[str, str]) -> _Processed:
    document = Document.model_validate(data)
    if document.id in split_map:
        split, rule = split_map[document.id], SPLIT_MAP
    elif document.split is not None:
        split, rule = document.split.value, STORED
    else:
        split, rule = split_of(document.id), HASHED
    gold = gold_set(document)
    labels: dict[str, list[str]] = {}
    if gold is not None:
        labels = {
            "span label": [str(s.label) for s in gold.spans],
            "source_type": [str(s.source_type) for s in gold.spans if isinstance(s, SourceSpan)],
            "cue_type": [str(s.cue_type) for s in gold.spans if isinstance(s, CueSpan)],
            "attribution kind": [str(a.kind) for a in gold.attributions],
            "claimer": [str(c.claimer) for c in gold.claims],
            "factuality": [str(c.factuality) for c in gold.claims],
        }
    provenance = {
        "id": document.id,
        "seed": document.seed,
        "sha256": document.sha256,
        "split": split,
        "gold": gold is not None,
        **document.metadata.model_dump(exclude_none=True),
    }
    tally: Counter[str] = Counter()
    rows = view_rows(document, tally)
    return _Processed(
        name,
        [],
        document.id,
        split,
        rule,
        document.language,
        rows,
        provenance,
        labels,
        tally,
        [s.origin.value for s in document.annotation_sets],
        None if gold is None else (gold.annotator, gold.origin.value),
    )


@dataclass
class BuildResult:
    """The outcome: ``report`` holds the validation problems (the build wrote nothing when there are any)."""

    out: Path
    report: Report
    stats: BuildStats | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok and self.stats is not None


def build(
    paths: Iterable[Path],
    out: Path = DEFAULT_OUT,
    *,
    seeds_dir: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[Iterable[_Processed]], Iterable[_Processed]] | None = None,
    jobs: int = 1,
    split_map: dict[str, str] | None = None,
) -> BuildResult:
    """Validate every annotation file under ``paths`` and write the dataset folder ``out``.

    ``out`` is replaced only when every file is valid and everything was written; otherwise it is left as it was.
    ``jobs`` > 1 validates and converts files in that many worker processes; the output is the same, byte for
    byte, whatever ``jobs`` is, because rows are written in file order by this process alone. ``split_map``
    (document id -> split) overrides the split a document stores; documents in neither get :func:`split_of`.
    """
    split_map = dict(split_map or {})
    checks.forget_folders()  # folders' real paths are cached for one walk, not across walks
    refuse_foreign_out(out)
    sources = list(iter_sources(paths))  # strings: a fraction of the memory of Path objects
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _sweep(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    report = Report()
    try:
        writers = {
            (config, split): _ShardWriter(staging / "data" / config, config, split)
            for config in features.CONFIGS
            for split in SPLITS
        }
        stats = BuildStats()
        seen: dict[str, int] = {}  # document id -> index of its file (not the path: memory stays small)
        items = _processed(sources, seeds_dir, max_bytes, jobs, progress, split_map)
        for position, item in enumerate(items):
            problems = item.problems
            if item.document_id and item.document_id in seen:  # the rule of validate_paths
                message = f"document {item.document_id!r} is also in {sources[seen[item.document_id]][1]}"
                problems = [*problems, Problem("duplicate-document", item.path, "/id", message)]
            elif item.document_id:
                seen[item.document_id] = position
            report.extend(item.path, problems)
            if report.problems:
                continue  # keep validating, to report every problem, but write nothing more
            for config, config_rows in item.rows.items():
                writers[config, item.split].add(config_rows)
            stats.count(item)
        if not report.ok:
            return BuildResult(out, report)
        # Every config declares the splits that hold documents, with 0 rows where it has none there.
        declared = [split for split in SPLITS if writers["documents", split].rows]
        data_files = {
            config: {split: writers[config, split].close(split in declared) for split in declared}
            for config in features.CONFIGS
        }
        for (config, split), writer in writers.items():
            if split not in declared:
                writer.close(False)
            for name in data_files[config].get(split, []):
                shard = staging / "data" / config / name
                stats.parquet_bytes[config][split] += shard.stat().st_size
                stats.arrow_bytes[config][split] += _arrow_bytes(shard)
        stats.unmapped = sorted(set(split_map) - set(seen))
        (staging / "README.md").write_text(card.render(data_files, stats), encoding="utf-8")
        (staging / "LICENSE.md").write_text(card.license_text(stats), encoding="utf-8")
        (staging / "croissant.json").write_text(croissant.render(data_files, stats), encoding="utf-8")
        (staging / MARKER).write_text(
            "made by claimbank build; it replaces only a folder holding this file\n"
        )
        _replace(staging, out)
        return BuildResult(out, report, stats)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _arrow_bytes(shard: Path) -> int:
    """A shard's size as ``datasets`` reports it (``num_bytes``): the Arrow size of each row group read back, which
    is what its Parquet builder hands to its writer."""
    parquet = pq.ParquetFile(shard)
    return sum(parquet.read_row_group(i).nbytes for i in range(parquet.num_row_groups))


MARKER = ".claimbank-dataset"


def refuse_foreign_out(out: Path) -> None:
    """Raise :class:`RefusedOutput` unless ``out`` is missing, an empty folder or a folder a build made (it holds
    :data:`MARKER`, or, from builds before the marker, only ``README.md`` and ``data/``): a build replaces its
    output whole, so ``--out annotations`` or ``--out .`` must never be taken for a dataset folder."""
    if not os.path.lexists(out):
        return
    if out.is_symlink():
        raise RefusedOutput(out, "a symbolic link (name the folder it points to)")
    if not out.is_dir():
        raise RefusedOutput(out, "something that is not a folder")
    names = {entry.name for entry in os.scandir(out)}
    if not names or MARKER in names or (names == {"README.md", "data"} and (out / "data").is_dir()):
        return
    raise RefusedOutput(out, f"a folder that claimbank build did not make (it has no {MARKER})")


def _processed(
    files: list[tuple[str, str]],
    seeds_dir: Path | None,
    max_bytes: int,
    jobs: int,
    progress: Callable[[Iterable[_Processed]], Iterable[_Processed]] | None,
    split_map: dict[str, str],
) -> Iterator[_Processed]:
    """Every file's :class:`_Processed`, in file order, from this process or from ``jobs`` workers."""
    work = partial(process_file, seeds_dir=seeds_dir, max_bytes=max_bytes, split_map=split_map)
    items = ordered_map(work, files, jobs)
    yield from progress(Sized(items, len(files))) if progress else items


def _sweep(out: Path) -> None:
    """Clean up after builds that were killed: restore an output caught between its two renames, and remove the
    staging folders of builds whose process is gone (a build still running keeps its own)."""
    for retired in out.parent.glob(f".{out.name}.old-*"):
        if not out.exists() and (retired / out.name).is_dir():
            os.replace(retired / out.name, out)
        shutil.rmtree(retired, ignore_errors=True)
    for staging in out.parent.glob(f".{out.name}.building-*"):
        pid = staging.name.removeprefix(f".{out.name}.building-").split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _replace(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out``. Each step is a rename within one folder; the old output is removed last."""
    os.chmod(staging, 0o755)
    if not out.exists():
        os.replace(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.replace(out, retired / out.name)
    os.replace(staging, out)
    shutil.rmtree(retired, ignore_errors=True)


def read_split_map(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """A split map file: a JSON object of document id -> split (``{"doc-1": "test"}``), or its problems."""
    sink = ProblemSink(str(path))
    parsed = read_json(path, sink)
    if sink.problems:
        return {}, sink.problems
    if not isinstance(parsed.value, dict):
        sink.add(
            "schema-type",
            "",
            "a split map is a JSON object of document id -> split",
            hint='{"doc-1": "test"}',
        )
        return {}, sink.problems
    split_map = {}
    for document_id, split in parsed.value.items():
        if split in SPLITS:
            split_map[document_id] = split
        else:
            sink.add(
                "schema-unknown-value",
                pointer(document_id),
                f"{split!r} is not a split",
                hint=f"use one of {', '.join(SPLITS)}",
            )
    return split_map, sink.problems
