"""Benchmark `claimbank build` against a user's own writer of the same files, in pairs (A B A B) in one run.

    python benchmarks/bench_build.py --docs 20000 --rounds 2
    python benchmarks/bench_build.py --docs 2000 --pairs jobs --rounds 3
    python benchmarks/bench_build.py --docs 20000 --load          # and datasets.load_dataset of the result

Every measured step is a whole process of its own (imports included), so its wall time, CPU time (user + system,
of it and its children) and peak RSS are its own. A pair runs its two steps alternately, ``--rounds`` times each,
and prints the medians and the ratio of the medians: on a loaded machine the ratio of steps run side by side in
time is what to read, not the absolute numbers. The load average is printed before and after.

Pairs:
  writer  claimbank build (one process)  vs  `datasets.Dataset.from_generator(...).to_parquet(...)` of the
          `documents` config of the same files: json.loads + labels to ints, no validation, one config, what a
          user of `datasets` would write (the build validates and writes five configs)
  jobs    claimbank build --jobs 1  vs  --jobs 2 (same output, byte for byte)
  long    claimbank build of the normal articles  vs  of a few long ones (--long-length code points each, the
          same total text): CPU seconds per million code points, which is linear when the ratio is ~1
Single steps with --load: load-cold (datasets.load_dataset of every config, empty cache), load-warm, stream
(`streaming=True` over every `documents` row), raw-read (pyarrow.parquet.read_table of every config).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAIRS = {
    "writer": ("build", "from-generator"),
    "jobs": ("build", "build-jobs2"),
    "long": ("build", "build-long"),
}
LOAD_STEPS = ("load-cold", "load-warm", "stream", "raw-read")


def _files(folder: Path) -> list[Path]:
    return sorted((folder / "annotations").glob("*.json"))


def _plain_row(
    data: dict[str, Any], index: dict[str, dict[str, int]], columns: dict[str, Any]
) -> dict[str, Any]:
    """The `documents` row a hand-written exporter would make: labels to ints, missing keys null."""

    def record(item: dict[str, Any], names: Any) -> dict[str, Any]:
        out = {}
        for name in names:
            value = item.get(name)
            out[name] = index[name][value] if name in index and value is not None else value
        return out

    sets = []
    for item in data["annotation_sets"]:
        row = record(item, columns["set"])
        row["gold"] = bool(item.get("gold"))
        row["spans"] = [record(s, columns["span"]) for s in item.get("spans", [])]
        row["attributions"] = [record(a, columns["attribution"]) for a in item.get("attributions", [])]
        row["claims"] = [record(c, columns["claim"]) for c in item.get("claims", [])]
        sets.append(row)
    row = record(data, columns["document"])
    row["metadata"] = record(data.get("metadata", {}), columns["metadata"])
    row["annotation_sets"] = sets
    return row


def step(name: str, work: Path) -> None:
    """Run one step in this process (the parent measures it)."""
    project, out = work / "project", work / f"dataset-{name}"
    if name in ("build", "build-jobs2", "build-long"):
        from claimbank.dataset.build import build

        source = work / "long" if name == "build-long" else project
        jobs = 2 if name == "build-jobs2" else 1
        result = build([source / "annotations"], out, seeds_dir=source / "seeds", jobs=jobs)
        assert result.ok, result.report.summary()
    elif name == "from-generator":
        import datasets

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
        columns = {
            "document": features.DOCUMENTS,
            "metadata": features.METADATA,
            "set": features.ANNOTATION_SET,
            "span": features.SPAN,
            "attribution": features.ATTRIBUTION,
            "claim": features.CLAIM,
        }
        files = [str(path) for path in _files(project)]

        def rows(paths: list[str]) -> Any:
            for path in paths:
                with open(path, "rb") as handle:
                    yield _plain_row(json.loads(handle.read()), index, columns)

        dataset = datasets.Dataset.from_generator(
            rows, gen_kwargs={"paths": files}, features=features.DOCUMENTS, cache_dir=str(work / "gen-cache")
        )
        dataset.to_parquet(str(work / "from-generator.parquet"))
    elif name in ("load-cold", "load-warm"):
        import datasets

        from claimbank.dataset import features

        for config in features.CONFIGS:
            datasets.load_dataset(str(work / "dataset-build"), config, cache_dir=str(work / "hf-cache"))
    elif name == "stream":
        import datasets

        streamed = datasets.load_dataset(str(work / "dataset-build"), "documents", streaming=True)
        count = sum(1 for split in streamed.values() for _ in split)
        assert count == len(_files(project)), count
    elif name == "raw-read":
        import pyarrow.parquet as pq

        from claimbank.dataset import features

        for config in features.CONFIGS:
            pq.read_table(work / "dataset-build" / "data" / config)
    else:
        raise SystemExit(f"unknown step {name}")


def measure(name: str, work: Path) -> dict[str, float]:
    """Run a step as a process of its own: wall and CPU seconds, peak RSS (the largest of it and its workers)."""
    if name == "from-generator":
        shutil.rmtree(work / "gen-cache", ignore_errors=True)
    if name == "load-cold":
        shutil.rmtree(work / "hf-cache", ignore_errors=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE.parent / "loaders"), os.environ.get("PYTHONPATH", "")]),
    }
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--step", name, "--workdir", str(work)], env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"step {name} failed ({status})")
    # wait4 gives the usage of the step and of the workers it waited for; ru_maxrss is the largest of them.
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}


def _code_points(folder: Path) -> int:
    return sum(len(json.loads(path.read_bytes())["text"]) for path in _files(folder))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=20_000, help="synthetic articles (default 20000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each pair (default 2: A B A B)")
    parser.add_argument("--pairs", nargs="*", choices=PAIRS, default=list(PAIRS))
    parser.add_argument("--long-length", type=int, default=100_000, help="code points of a long article")
    parser.add_argument("--load", action="store_true", help="also time loading the build with datasets")
    parser.add_argument(
        "--workdir", type=Path, help="where to put the corpora (default: a temp dir, removed)"
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)  # internal: run one step in this process
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="claimbank-bench-"))
    if args.step:
        step(args.step, work)
        return
    sys.path.insert(0, str(HERE.parent / "loaders"))
    from importlib.metadata import version

    from claimbank.testing.synth import write_project

    packages = ("datasets", "pyarrow", "pydantic", "msgspec")
    print(f"python {sys.version.split()[0]}, " + ", ".join(f"{name} {version(name)}" for name in packages))
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    try:
        if len(_files(work / "project")) != args.docs:
            shutil.rmtree(work / "project", ignore_errors=True)
            write_project(work / "project", args.docs)
        if "long" in args.pairs:
            normal = _code_points(work / "project")
            count = max(1, round(normal / args.long_length))
            if len(_files(work / "long")) != count:
                shutil.rmtree(work / "long", ignore_errors=True)
                write_project(work / "long", count, seed=1, target_length=args.long_length)
            long = _code_points(work / "long")
            print(
                f"corpora: {args.docs} articles, {normal:,} code points; {count} long, {long:,} code points"
            )
        for pair in args.pairs:
            first, second = PAIRS[pair]
            runs: dict[str, list[dict[str, float]]] = {first: [], second: []}
            for _ in range(args.rounds):
                for name in (first, second):
                    runs[name].append(measure(name, work))
            medians = {
                name: {k: statistics.median(r[k] for r in runs[name]) for k in ("wall", "cpu", "peak_mib")}
                for name in runs
            }
            for name in (first, second):
                m = medians[name]
                rounds = ", ".join(f"{r['wall']:.1f}" for r in runs[name])
                print(
                    f"{pair:7} {name:15} wall {m['wall']:8.2f} s  cpu {m['cpu']:8.2f} s  peak {m['peak_mib']:6.0f} MiB"
                    f"  (wall of each round: {rounds})"
                )
            a, b = medians[first], medians[second]
            if pair == "long":
                per_a, per_b = a["cpu"] / normal * 1e6, b["cpu"] / long * 1e6
                print(
                    f"{pair:7} CPU s per 1M code points: normal {per_a:.2f}, long {per_b:.2f}, long/normal {per_b / per_a:.2f}"
                )
            else:
                print(
                    f"{pair:7} {first}/{second}: wall {a['wall'] / b['wall']:.2f}, cpu {a['cpu'] / b['cpu']:.2f}"
                )
        if args.load:
            if not (work / "dataset-build").exists():
                measure("build", work)
            for name in LOAD_STEPS:
                m = measure(name, work)
                print(
                    f"load    {name:15} wall {m['wall']:8.2f} s  cpu {m['cpu']:8.2f} s  peak {m['peak_mib']:6.0f} MiB"
                )
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
