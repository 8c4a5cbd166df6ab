"""Benchmark the Spark jobs (claimbank.spark) against `claimbank build --jobs 2` on the same synthetic corpus.

    python benchmarks/bench_spark.py --docs 10000

Phases, each in its own process (so that every peak is its own):
  generate      write a synthetic project (claimbank.testing.synth) and a JSONL of its raw texts; only reported
  build-jobs2   claimbank.dataset.build.build with two worker processes: the single-machine reference
  spark-local1  claimbank spark build in local[1] (default partitioning)
  spark-local2  the same in local[2]
  spark-parts   local[2] with --partitions 2 and then 64 on the same corpus: the cost of one more partition
  raw-local2    claimbank spark preannotate (rules, --gold) of the JSONL in local[2]
Prints seconds and docs/s (job time; the JVM's start-up separately) and peak memory (VmHWM) per process: the
driver's Python, the JVM, and the largest Python worker. Every Spark phase checks that its rows equal the
reference build's (the raw phase that it wrote every article).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PHASES = ("generate", "build-jobs2", "spark-local1", "spark-local2", "spark-parts", "raw-local2")


def _peaks() -> dict[str, float]:
    """Peak resident memory (MiB) of this process, the JVM it started, and the largest Python worker: the live ones
    under this process (Spark's, read from /proc) and those that have exited (``--jobs`` workers)."""
    found = {
        "driver": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "jvm": 0.0,
        "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,  # workers that have exited
    }
    pending, seen = [os.getpid()], set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            status = Path(f"/proc/{pid}/status").read_text()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        pending += [int(child) for child in children]
        if pid == os.getpid():
            continue
        peak = next(
            (int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")), 0.0
        )
        kind = "jvm" if b"java" in command.split(b"\0")[0] else "worker"
        found[kind] = max(found[kind], peak)
    return found


def _own_peak(_: int) -> float:
    """This process's peak resident memory, in MiB (run on a Python worker)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rows(folder: Path) -> dict[tuple[str, str], list[dict[str, Any]]]:
    import pyarrow.parquet as pq

    from claimbank.dataset import features
    from claimbank.dataset.build import SPLITS

    return {
        (config, split): [
            row
            for shard in sorted((folder / "data" / config).glob(f"{split}-*.parquet"))
            for row in pq.read_table(shard).to_pylist()
        ]
        for config in features.CONFIGS
        for split in SPLITS
    }


def phase(name: str, work: Path, docs: int) -> dict[str, Any]:
    """Run one phase in this process; return what it measured."""
    from claimbank.dataset.build import build

    project = work / "project"
    result: dict[str, Any] = {"phase": name}
    if name == "generate":
        from claimbank.testing.synth import write_project

        started = time.perf_counter()
        shutil.rmtree(project, ignore_errors=True)
        write_project(project, docs)
        with open(work / "raw.jsonl", "w", encoding="utf-8") as handle:
            for path in sorted((project / "seeds").glob("*.txt")):
                text = path.read_text(encoding="utf-8")
                handle.write(json.dumps({"id": path.stem, "text": text}, ensure_ascii=False) + "\n")
        result["seconds"] = time.perf_counter() - started
    elif name == "build-jobs2":
        started = time.perf_counter()
        built = build([project / "annotations"], work / "reference", seeds_dir=project / "seeds", jobs=2)
        assert built.ok, built.report.summary()
        result["seconds"] = time.perf_counter() - started
    else:
        from claimbank.spark import job, predict, runtime

        started = time.perf_counter()
        spark = runtime.session("local[1]" if name == "spark-local1" else "local[2]")
        spark.sparkContext.parallelize([0], 1).count()  # the JVM and a first Python worker are up
        result["startup"] = time.perf_counter() - started
        runs = [None] if name != "spark-parts" else [2, 64]
        outs = []
        for partitions in runs:
            out = work / f"{name}-{partitions}"
            started = time.perf_counter()
            if name == "raw-local2":
                spec = predict.PredictorSpec("2026-01-01T00:00:00Z", gold=True)
                done = job.build_raw(spark, [work / "raw.jsonl"], out, spec=spec)
                assert done.written == docs, (done.written, done.shown)
            else:
                done = job.build_annotations(
                    spark, [project / "annotations"], out, seeds_dir=project / "seeds", partitions=partitions
                )
            seconds = time.perf_counter() - started
            assert done.ok, done.shown
            outs.append(out)
            result[f"seconds-{partitions}" if partitions else "seconds"] = seconds
            result[f"partitions-{partitions}" if partitions else "partitions"] = done.partitions
        result.update(_peaks())  # before the checks below, which read every row into this process
        # Python workers are reused across tasks (spark.python.worker.reuse): ask each for its own peak.
        cores = spark.sparkContext.defaultParallelism
        probe = spark.sparkContext.parallelize(range(cores * 4), cores * 4).map(_own_peak).collect()
        result["worker"] = max([result["worker"], *probe])
        spark.stop()
        if name != "raw-local2":
            for out in outs:
                assert _rows(out) == _rows(work / "reference"), f"{name}: rows differ from claimbank build"
        return result
    result.update(_peaks())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=10_000, help="synthetic articles (default 10000)")
    parser.add_argument(
        "--workdir", type=Path, help="where to put the corpus (default: a temp dir, removed after)"
    )
    parser.add_argument("--phases", nargs="*", choices=PHASES, default=list(PHASES))
    parser.add_argument(
        "--phase", choices=PHASES, help=argparse.SUPPRESS
    )  # internal: run one phase, print JSON
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="claimbank-bench-spark-"))
    if args.phase:
        print(json.dumps(phase(args.phase, work, args.docs)))
        return
    from importlib.metadata import version

    print(
        f"python {sys.version.split()[0]}, pyspark {version('pyspark')}, {os.cpu_count()} CPUs, {args.docs} docs"
    )
    try:
        for name in args.phases:
            done = subprocess.run(
                [sys.executable, __file__, "--docs", str(args.docs), "--workdir", str(work), "--phase", name],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
            r = json.loads(done.stdout.splitlines()[-1])
            memory = f"peak MiB: driver {r['driver']:.0f}, JVM {r['jvm']:.0f}, worker {r['worker']:.0f}"
            start = f", start-up {r['startup']:.1f} s" if "startup" in r else ""
            if name == "spark-parts":
                few, many = r["seconds-2"], r["seconds-64"]
                print(
                    f"{name:12} 2 partitions {few:.2f} s, 64 partitions {many:.2f} s: "
                    f"{(many - few) / 62 * 1000:.0f} ms per extra partition{start}; {memory}",
                    flush=True,
                )
            else:
                parts = f" ({r['partitions']} partitions)" if "partitions" in r else ""
                print(
                    f"{name:12} {r['seconds']:8.2f} s {args.docs / r['seconds']:8.0f} docs/s{parts}{start}; {memory}",
                    flush=True,
                )
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
