"""Benchmark `claimbank build` and `datasets.load_dataset` against raw pyarrow on the same rows.

    python benchmarks/bench_build.py --docs 100000

Phases, each in its own process so that its peak RSS is its own:
  generate   write a synthetic project (claimbank.testing.synth): not timed against anything, only reported
  build      claimbank.dataset.build.build: read + validate + convert + write Parquet, the real thing
  build-jobs2  the same with two worker processes (--jobs 2)
  convert    the same rows without validation: parse, model, view_rows, write (what validation costs)
  raw-write  baseline: parse each file and write the `documents` rows with pyarrow, no validation, no views
  load-cold  datasets.load_dataset for every config with an empty cache
  load-warm  the same again, from the cache
  stream     datasets.load_dataset(..., streaming=True) iterating every `documents` row
  raw-read   baseline: pyarrow.parquet.read_table of every config's shards (what load-cold reads)
Prints docs/s and peak RSS per phase, and the ratio of build to raw-write and of load to raw-read.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PHASES = (
    "generate",
    "build",
    "build-jobs2",
    "convert",
    "raw-write",
    "load-cold",
    "load-warm",
    "stream",
    "raw-read",
)


def _files(work: Path) -> list[Path]:
    return sorted((work / "project" / "annotations").glob("*.json"))


def _plain_row(data: dict[str, Any]) -> dict[str, Any]:
    """The `documents` row a minimal hand-written exporter would make: labels to ints, missing keys null."""
    from claimbank.dataset import features
    from claimbank.format import vocab

    index = {
        name: features.label_index(enum)
        for name, enum in (
            ("label", vocab.SpanLabel),
            ("source_type", vocab.SourceType),
            ("cue_type", vocab.CueType),
            ("modality_type", vocab.ModalityType),
            ("kind", vocab.AttributionKind),
            ("claimer", vocab.Claimer),
            ("factuality", vocab.Factuality),
            ("origin", vocab.Origin),
        )
    }

    def record(item: dict[str, Any], columns: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name in columns:
            value = item.get(name)
            out[name] = index[name][value] if name in index and value is not None else value
        return out

    sets = []
    for item in data["annotation_sets"]:
        row = record(item, features.ANNOTATION_SET)
        row["spans"] = [record(s, features.SPAN) for s in item["spans"]]
        row["attributions"] = [record(a, features.ATTRIBUTION) for a in item["attributions"]]
        row["claims"] = [record(c, features.CLAIM) for c in item["claims"]]
        sets.append(row)
    row = record(data, features.DOCUMENTS)
    row["metadata"] = record(data.get("metadata", {}), features.METADATA)
    row["annotation_sets"] = sets
    return row


def phase(name: str, work: Path, docs: int) -> dict[str, Any]:
    """Run one phase in this process; return what it measured."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from claimbank.dataset import features
    from claimbank.dataset.build import build
    from claimbank.dataset.rows import view_rows
    from claimbank.format.model import Document
    from claimbank.testing.synth import write_project

    out = work / "dataset"
    started = time.perf_counter()
    if name == "generate":
        shutil.rmtree(work / "project", ignore_errors=True)
        write_project(work / "project", docs)
    elif name in ("build", "build-jobs2"):
        jobs = 2 if name == "build-jobs2" else 1
        result = build(
            [work / "project" / "annotations"], out, seeds_dir=work / "project" / "seeds", jobs=jobs
        )
        assert result.ok, result.report.summary()
    elif name == "convert":
        schemas = {c: features.FEATURES[c].arrow_schema for c in features.CONFIGS}
        writers = {c: pq.ParquetWriter(work / f"convert-{c}.parquet", schemas[c]) for c in features.CONFIGS}
        buffers: dict[str, list[dict[str, Any]]] = {c: [] for c in features.CONFIGS}
        for path in _files(work):
            rows = view_rows(Document.model_validate(json.loads(path.read_bytes())))
            for config, config_rows in rows.items():
                buffers[config].extend(config_rows)
                if len(buffers[config]) >= 1000:
                    writers[config].write_table(pa.Table.from_pylist(buffers[config], schema=schemas[config]))
                    buffers[config] = []
        for config, writer in writers.items():
            if buffers[config]:
                writer.write_table(pa.Table.from_pylist(buffers[config], schema=schemas[config]))
            writer.close()
    elif name == "raw-write":
        schema = features.DOCUMENTS.arrow_schema
        writer = pq.ParquetWriter(work / "raw.parquet", schema)
        buffer: list[dict[str, Any]] = []
        for path in _files(work):
            buffer.append(_plain_row(json.loads(path.read_bytes())))
            if len(buffer) >= 1000:
                writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
                buffer = []
        if buffer:
            writer.write_table(pa.Table.from_pylist(buffer, schema=schema))
        writer.close()
    elif name in ("load-cold", "load-warm"):
        import datasets

        for config in features.CONFIGS:
            datasets.load_dataset(str(out), config, cache_dir=str(work / "hf-cache"))
    elif name == "stream":
        import datasets

        streamed = datasets.load_dataset(str(out), "documents", streaming=True)
        count = sum(1 for split in streamed.values() for _ in split)
        assert count == docs, count
    elif name == "raw-read":
        tables = {config: pq.read_table(out / "data" / config) for config in features.CONFIGS}
        assert tables["documents"].num_rows == docs
    seconds = time.perf_counter() - started
    return {
        "phase": name,
        "seconds": seconds,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000, help="synthetic articles (default 100000)")
    parser.add_argument(
        "--workdir", type=Path, help="where to put the corpus (default: a temp dir, removed after)"
    )
    parser.add_argument("--phases", nargs="*", choices=PHASES, default=list(PHASES))
    parser.add_argument(
        "--phase", choices=PHASES, help=argparse.SUPPRESS
    )  # internal: run one phase, print JSON
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="claimbank-bench-"))
    if args.phase:
        print(json.dumps(phase(args.phase, work, args.docs)))
        return
    from importlib.metadata import version

    packages = ("datasets", "pyarrow", "jsonschema", "jsonschema-rs", "pydantic")
    print(f"python {sys.version.split()[0]}, " + ", ".join(f"{name} {version(name)}" for name in packages))
    results = {}
    try:
        for name in args.phases:
            done = subprocess.run(
                [sys.executable, __file__, "--docs", str(args.docs), "--workdir", str(work), "--phase", name],
                capture_output=True,
                text=True,
                check=True,
            )
            results[name] = json.loads(done.stdout.splitlines()[-1])
            r = results[name]
            print(
                f"{name:10} {args.docs:>8} docs {r['seconds']:8.2f} s {args.docs / r['seconds']:10.0f} docs/s "
                f"{r['peak_mib']:8.0f} MiB peak",
                flush=True,
            )
        pairs = (
            ("build", "raw-write"),
            ("build-jobs2", "raw-write"),
            ("convert", "raw-write"),
            ("load-cold", "raw-read"),
        )
        for mine, base in pairs:
            if mine in results and base in results:
                ratio = results[base]["seconds"] / results[mine]["seconds"]
                print(f"{mine} speed / {base} speed = {ratio:.2f}")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
