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
from claimbank.dataset.rows import Columns, Rows, gold_of, view_rows
from claimbank.format import fields
from claimbank.format.paths import DEFAULT_OUT
from claimbank.format.vocab import SpanLabel, Split
from claimbank.util.jsonio import DEFAULT_MAX_BYTES, RefusedOutput, pid_alive, read_json
from claimbank.util.parallel import Sized, ordered_map
from claimbank.validate import checks
from claimbank.validate.core import internal_error, iter_sources, validate_file
from claimbank.validate.problems import Problem, ProblemSink, Report, pointer

SPLITS = tuple(member.value for member in Split)
# Parquet row groups are sized by bytes, whatever the articles' length: streaming reads one group at a time, and
# the builder holds at most one group per config and split. Rows wait as Python objects until their documents'
# text reaches CONVERT_CODE_POINTS (what bounds the Python memory they take), are then made an Arrow table (one
# ``pa.array`` per column for many documents), and tables are written as one row group once they hold
# ROW_GROUP_BYTES of Arrow data. Both limits depend on the documents alone, so the output is the same for any
# --jobs.
ROW_GROUP_BYTES = 8 * 2**20
CONVERT_CODE_POINTS = 500_000
PROVENANCE_ROWS = 1_000  # the card lists documents one by one up to this many, then only totals per source
SHARD_ROWS = {
    "documents": 20_000,
    "claims": 200_000,
    "attributions": 200_000,
    "tokens": 20_000,
    "sentences": 200_000,
}
_METADATA = fields.fields("metadata")
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
        self.schema = features.arrow_schema(config)
        self.buffer: list[dict[str, Any]] = []  # Python rows (documents, claims, attributions)
        self.columns: Columns | None = None  # or columns (tokens, sentences)
        self.waiting = 0  # code points of the documents whose rows are in buffer or columns
        self.tables: list[pa.Table] = []  # converted rows of the next row group
        self.table_bytes = 0
        self.shards: list[Path] = []
        # Per shard, per row group: its size as read back (num_bytes), or None where it must be read back to know
        self.sizes: list[list[int | None]] = []
        self.writer: pq.ParquetWriter | None = None
        self.in_shard = 0
        self.rows = 0

    def add(self, rows: Rows, code_points: int) -> None:
        """Add one document's rows of this config; ``code_points`` is the length of its text."""
        if isinstance(rows, list):
            self.buffer.extend(rows)
        else:
            if self.columns is None:
                self.columns = rows.empty()
            self.columns.extend(rows)
        self.rows += len(rows)
        self.waiting += code_points
        if self.waiting >= CONVERT_CODE_POINTS:
            self._convert()
            if self.table_bytes >= ROW_GROUP_BYTES:
                self._flush()

    def _convert(self) -> None:
        if self.columns is not None and len(self.columns):
            table = self.columns.table(self.schema)
        elif self.buffer:
            table = pa.Table.from_pylist(self.buffer, schema=self.schema)
        else:
            table = None
        if table is not None:
            self.tables.append(table)
            self.table_bytes += table.nbytes
        self.buffer, self.columns, self.waiting = [], None, 0

    def _flush(self) -> None:
        self._convert()
        if not self.tables:
            return
        if self.writer is None or self.in_shard >= SHARD_ROWS[self.config]:
            self._close_shard()
            path = self.folder / f"{self.split}-{len(self.shards):05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(path, self.schema, compression="zstd", write_statistics=True)
            self.shards.append(path)
            self.sizes.append([])
            self.in_shard = 0
        table = pa.concat_tables(self.tables).combine_chunks() if len(self.tables) > 1 else self.tables[0]
        self.writer.write_table(table, row_group_size=max(len(table), 1))
        self.sizes[-1].append(read_back_bytes(table))
        self.in_shard += len(table)
        self.tables, self.table_bytes = [], 0

    def _close_shard(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def close(self) -> list[str]:
        """Finish the last shard; name every shard ``<split>-NNNNN-of-MMMMM.parquet``; return their paths."""
        self._flush()
        self._close_shard()
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

    def merge(self, other: BuildStats) -> None:
        """Add ``other``'s counts (a part of the corpus built elsewhere: a Spark partition); not its provenance."""
        for config in features.CONFIGS:
            self.rows[config].update(other.rows[config])
            self.parquet_bytes[config].update(other.parquet_bytes[config])
            self.arrow_bytes[config].update(other.arrow_bytes[config])
        for name, values in other.labels.items():
            self.labels.setdefault(name, Counter()).update(values)
        self.sources.update(other.sources)
        self.languages |= other.languages
        self.split_rules.update(other.split_rules)
        self.tally.update(other.tally)
        self.origins.update(other.origins)
        self.annotators.update(other.annotators)

    def count_shard(
        self, config: str, split: str, shard: Path, sizes: list[int | None] | None = None
    ) -> None:
        """Count a written shard's size: on disk, and as ``datasets`` reports it (``num_bytes``); ``sizes`` are
        its row groups' :func:`read_back_bytes`, when the writer knows them."""
        self.parquet_bytes[config][split] += shard.stat().st_size
        self.arrow_bytes[config][split] += _arrow_bytes(shard, sizes)

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
    rows: dict[str, Rows] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    tally: Counter[str] = field(default_factory=Counter)
    origins: list[str] = field(default_factory=list)
    gold_annotator: tuple[str, str] | None = None
    code_points: int = 0  # the length of its text


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


def _convert(name: str, data: dict[str, Any], split_map: dict[str, str]) -> _Processed:
    """A valid file's rows and counts, straight from its parsed JSON (no model: see :mod:`.rows`)."""
    document_id = data["id"]
    if document_id in split_map:
        split, rule = split_map[document_id], SPLIT_MAP
    elif data.get("split") is not None:
        split, rule = data["split"], STORED
    else:
        split, rule = split_of(document_id), HASHED
    gold = gold_of(data)
    labels: dict[str, list[str]] = {}
    if gold is not None:
        spans = gold.get("spans", ())
        labels = {
            "span label": [s["label"] for s in spans],
            "source_type": [s["source_type"] for s in spans if s["label"] == SpanLabel.SOURCE],
            "cue_type": [s["cue_type"] for s in spans if s["label"] == SpanLabel.CUE],
            "attribution kind": [a["kind"] for a in gold.get("attributions", ())],
            "claimer": [c["claimer"] for c in gold.get("claims", ())],
            "factuality": [c["factuality"] for c in gold.get("claims", ())],
        }
    metadata = data.get("metadata", {})
    provenance = {
        "id": document_id,
        "seed": data["seed"],
        "sha256": data["sha256"],
        "split": split,
        "gold": gold is not None,
        **{spec.name: metadata[spec.name] for spec in _METADATA if metadata.get(spec.name) is not None},
    }
    tally: Counter[str] = Counter()
    rows = view_rows(data, tally)
    sets = data.get("annotation_sets", ())
    return _Processed(
        name,
        [],
        document_id,
        split,
        rule,
        data["language"],
        rows,
        provenance,
        labels,
        tally,
        [s["origin"] for s in sets],
        None if gold is None else (gold["annotator"], gold["origin"]),
        len(data["text"]),
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
                writers[config, item.split].add(config_rows, item.code_points)
            stats.count(item)
        if not report.ok:
            return BuildResult(out, report)
        # A split is declared where it has rows: datasets 5.2 cannot load a split of 0 rows ('Instruction "test"
        # corresponds to no data!', with or without an empty file), so a config with no rows is not declared.
        data_files = {
            config: {split: writers[config, split].close() for split in SPLITS if writers[config, split].rows}
            for config in features.CONFIGS
        }
        for (config, split), writer in writers.items():
            if not writer.rows:
                writer.close()
            for name, sizes in zip(data_files[config].get(split, []), writer.sizes, strict=True):
                stats.count_shard(config, split, staging / "data" / config / name, sizes)
        stats.unmapped = sorted(set(split_map) - set(seen))
        write_metadata(staging, data_files, stats)
        (staging / MARKER).write_text(
            "made by claimbank build; it replaces only a folder holding this file\n"
        )
        _replace(staging, out)
        return BuildResult(out, report, stats)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_metadata(folder: Path, data_files: dict[str, dict[str, list[str]]], stats: BuildStats) -> None:
    """The files beside the data: the card (``README.md``), ``LICENSE.md`` and ``croissant.json``."""
    (folder / "README.md").write_text(card.render(data_files, stats), encoding="utf-8")
    (folder / "LICENSE.md").write_text(card.license_text(stats), encoding="utf-8")
    (folder / "croissant.json").write_text(croissant.render(data_files, stats), encoding="utf-8")


def _arrow_bytes(shard: Path, sizes: list[int | None] | None = None) -> int:
    """A shard's size as ``datasets`` reports it (``num_bytes``): the Arrow size of each row group read back, which
    is what its Parquet builder hands to its writer. ``sizes`` (:func:`read_back_bytes` of each group as written)
    spare reading back all but the first group, which is read back to check them: if it differs, every group
    is read."""
    parquet = pq.ParquetFile(shard)
    groups = range(parquet.num_row_groups)
    first = int(parquet.read_row_group(0).nbytes) if groups else 0
    if sizes is None or len(sizes) != len(groups) or sizes[0] != first:
        return first + sum(int(parquet.read_row_group(i).nbytes) for i in groups[1:])
    return first + sum(
        int(parquet.read_row_group(i).nbytes) if size is None else size
        for i, size in zip(groups[1:], sizes[1:], strict=True)
    )


def read_back_bytes(table: pa.Table) -> int | None:
    """``nbytes`` of ``table`` as the Parquet reader will give it back (what ``datasets`` reports as ``num_bytes``),
    without reading it: the reader gives every integer and floating point array a validity bitmap, nulls or not,
    and any other array one only when it has nulls; ``pa.array`` gives one to an array with nulls only. None for
    a table this rule does not cover (a struct with nulls: the reader marks its children null there too).
    Reading a row group back costs ~0.2 ms an article, a tenth of a build."""
    extra = 0
    for column in table.columns:
        for chunk in column.chunks:
            more = _bitmaps_added(chunk)
            if more is None:
                return None
            extra += more
    return int(table.nbytes) + extra


def _bitmaps_added(array: pa.Array) -> int | None:
    kind = array.type
    children: list[pa.Array]
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        wanted, children = True, []
    elif pa.types.is_string(kind) or pa.types.is_boolean(kind):
        wanted, children = array.null_count > 0, []
    elif pa.types.is_list(kind):
        wanted, children = array.null_count > 0, [array.values]
    elif pa.types.is_struct(kind) and not array.null_count:
        wanted, children = False, [array.field(i) for i in range(kind.num_fields)]
    else:
        return None
    extra = (int(wanted) - int(array.buffers()[0] is not None)) * ((len(array) + 7) // 8)
    for child in children:
        more = _bitmaps_added(child)
        if more is None:
            return None
        extra += more
    return extra


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
