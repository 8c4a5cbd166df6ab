"""Benchmark `claimbank build` and `claimbank validate` against what they are measured by, in pairs (A B A B) in
one run.

    python benchmarks/bench_build.py --docs 20000 --rounds 2
    python benchmarks/bench_build.py --docs 5000 --pairs jobs vjobs --rounds 3 --busy 2
    python benchmarks/bench_build.py --docs 5000 --pairs baseline --baseline /path/to/other/checkout
    python benchmarks/bench_build.py --docs 20000 --load          # and datasets.load_dataset of the result

Every measured step is a whole process of its own (imports included), so its wall time, CPU time (user + system,
of it and its children) and peak RSS are its own. A pair runs its two steps alternately, ``--rounds`` times each,
and prints the medians and the ratios of the medians (wall and CPU): on a loaded machine the ratio of steps run
side by side in time is what to read, not the absolute numbers. The load average is printed for every pair.
``--busy N`` keeps N processes spinning on the CPU during the pairs (a busy machine, on purpose).

Pairs (A vs B):
  writer    claimbank build (one process)  vs  `datasets.Dataset.from_generator(...).to_parquet(...)` of the
            `documents` config of the same files: json.loads + labels to ints, no validation, one config, what a
            user of `datasets` would write (the build validates and writes five configs)
  baseline  claimbank build of this checkout  vs  of the checkout named by --baseline (same files); the two
            outputs are then compared byte for byte (every Parquet file, the card, croissant.json)
  jobs      claimbank build --jobs 1  vs  --jobs 2 (same output, byte for byte: compared after the pair)
  long      claimbank build of the normal articles  vs  of a few long ones (--long-length code points each, the
            same total text): CPU seconds per million code points, which is linear when the ratio is ~1
  validate  claimbank validate of the files  vs  the parse bound on files (read and orjson.loads each file)
  cjs       claimbank validate  vs  check-jsonschema (schema only) of --cjs-files of the files
  vjobs     claimbank validate --jobs 1  vs  --jobs 2
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
    "baseline": ("build", "build-baseline"),
    "jobs": ("build", "build-jobs2"),
    "long": ("build", "build-long"),
    "validate": ("validate", "parse-bound"),
    "cjs": ("validate-subset", "check-jsonschema"),
    "vjobs": ("validate", "validate-jobs2"),
}
DEFAULT_PAIRS = ("writer", "jobs", "long", "validate", "cjs", "vjobs")
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
    if name in ("build", "build-jobs2", "build-long", "build-baseline"):
        from claimbank.dataset.build import build

        source = work / "long" if name == "build-long" else project
        jobs = 2 if name == "build-jobs2" else 1
        result = build([source / "annotations"], out, seeds_dir=source / "seeds", jobs=jobs)
        assert result.ok, result.report.summary()
    elif name in ("validate", "validate-jobs2", "validate-subset"):
        from claimbank.cli.main import main as claimbank

        source = work / "subset" if name == "validate-subset" else project
        jobs = ["--jobs", "2"] if name == "validate-jobs2" else []
        status = claimbank(["validate", "-q", *jobs, str(source / "annotations")])
        assert status == 0, status
    elif name == "parse-bound":
        import orjson

        folder = project / "annotations"
        for entry in sorted(os.listdir(folder)):
            with open(folder / entry, "rb") as handle:
                orjson.loads(handle.read())
    elif name == "from-generator":
        import datasets

        datasets.disable_progress_bars()

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


def measure(name: str, work: Path, baseline: str | None = None) -> dict[str, float]:
    """Run a step as a process of its own: wall and CPU seconds, peak RSS (the largest of it and its workers)."""
    if name == "from-generator":
        shutil.rmtree(work / "gen-cache", ignore_errors=True)
    if name == "load-cold":
        shutil.rmtree(work / "hf-cache", ignore_errors=True)
    code = Path(baseline) if name == "build-baseline" and baseline else HERE.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(code / "loaders"), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, __file__, "--step", name, "--workdir", str(work)]
    if name == "check-jsonschema":
        files = sorted(str(path) for path in (work / "subset" / "annotations").glob("*.json"))
        command = [
            "check-jsonschema",
            "--schemafile",
            str(HERE.parent / "schema" / "document.schema.json"),
            *files,
        ]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"step {name} failed ({status})")
    # wait4 gives the usage of the step and of the workers it waited for; ru_maxrss is the largest of them.
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}


def _code_points(folder: Path) -> int:
    return sum(len(json.loads(path.read_bytes())["text"]) for path in _files(folder))


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _spin() -> None:
    while True:
        pass


def _subset(work: Path, count: int) -> None:
    """``subset/``: the first ``count`` files of the project, with their seeds, for the slow check-jsonschema."""
    files = _files(work / "project")[:count]
    if len(_files(work / "subset")) == len(files):
        return
    shutil.rmtree(work / "subset", ignore_errors=True)
    (work / "subset" / "annotations").mkdir(parents=True)
    (work / "subset" / "seeds").mkdir()
    for path in files:
        shutil.copyfile(path, work / "subset" / "annotations" / path.name)
        seed = json.loads(path.read_bytes())["seed"]
        shutil.copyfile(work / "project" / "seeds" / seed, work / "subset" / "seeds" / seed)


def _differences(first: Path, second: Path) -> list[str]:
    """The files (relative paths) that are not byte for byte the same in two dataset folders, or in one only."""
    names = {
        str(path.relative_to(folder))
        for folder in (first, second)
        for path in folder.rglob("*")
        if path.is_file()
    }
    return sorted(
        name
        for name in names
        if not (first / name).is_file()
        or not (second / name).is_file()
        or (first / name).read_bytes() != (second / name).read_bytes()
    )


# The pairs whose two steps write the same dataset, compared byte for byte after the pair.
SAME_OUTPUT = {
    "baseline": ("dataset-build", "dataset-build-baseline"),
    "jobs": ("dataset-build", "dataset-build-jobs2"),
}


def run_pair(pair: str, work: Path, rounds: int, baseline: str | None) -> dict[str, dict[str, float]]:
    """A B A B …: each step ``rounds`` times, alternately; the medians of each."""
    first, second = PAIRS[pair]
    runs: dict[str, list[dict[str, float]]] = {first: [], second: []}
    for _ in range(rounds):
        for name in (first, second):
            runs[name].append(measure(name, work, baseline))
    medians = {
        name: {k: statistics.median(r[k] for r in runs[name]) for k in ("wall", "cpu", "peak_mib")}
        for name in runs
    }
    for name in (first, second):
        m = medians[name]
        each = ", ".join(f"{r['wall']:.1f}/{r['cpu']:.1f}" for r in runs[name])
        print(
            f"{pair:8} {name:16} wall {m['wall']:8.2f} s  cpu {m['cpu']:8.2f} s  peak {m['peak_mib']:6.0f} MiB"
            f"  (wall/cpu of each round: {each})"
        )
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=20_000, help="synthetic articles (default 20000)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each pair (default 2: A B A B)")
    parser.add_argument("--pairs", nargs="*", choices=PAIRS, default=list(DEFAULT_PAIRS))
    parser.add_argument("--long-length", type=int, default=100_000, help="code points of a long article")
    parser.add_argument("--cjs-files", type=int, default=1_000, help="files for the check-jsonschema pair")
    parser.add_argument("--baseline", help="another checkout, for the baseline pair")
    parser.add_argument("--busy", type=int, default=0, help="processes kept spinning during the pairs")
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
    if "baseline" in args.pairs and not args.baseline:
        parser.error("the baseline pair needs --baseline DIR")
    if "cjs" in args.pairs and shutil.which("check-jsonschema") is None:
        print("check-jsonschema is not installed (pip install check-jsonschema): its pair is left out")
        args.pairs.remove("cjs")
    sys.path.insert(0, str(HERE.parent / "loaders"))
    from importlib.metadata import version

    from claimbank.testing.synth import write_project

    packages = ("datasets", "pyarrow", "pydantic", "msgspec")
    print(f"python {sys.version.split()[0]}, " + ", ".join(f"{name} {version(name)}" for name in packages))
    print(f"load average before: {_load()}; {os.cpu_count()} CPUs; {args.busy} spinning processes")
    spinners = []
    try:
        if len(_files(work / "project")) != args.docs:
            shutil.rmtree(work / "project", ignore_errors=True)
            write_project(work / "project", args.docs)
        normal = _code_points(work / "project")
        if "long" in args.pairs:
            count = max(1, round(normal / args.long_length))
            if len(_files(work / "long")) != count:
                shutil.rmtree(work / "long", ignore_errors=True)
                write_project(work / "long", count, seed=1, target_length=args.long_length)
            long = _code_points(work / "long")
            print(
                f"corpora: {args.docs} articles, {normal:,} code points; {count} long, {long:,} code points"
            )
        if "cjs" in args.pairs:
            _subset(work, args.cjs_files)
        import multiprocessing

        spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
        for spinner in spinners:
            spinner.start()
        for pair in args.pairs:
            before = _load()
            medians = run_pair(pair, work, args.rounds, args.baseline)
            a, b = (medians[name] for name in PAIRS[pair])
            first, second = PAIRS[pair]
            line = (
                f"{pair:8} {first}/{second}: wall {a['wall'] / b['wall']:.2f}, cpu {a['cpu'] / b['cpu']:.2f}"
            )
            if pair == "long":
                per_a, per_b = a["cpu"] / normal * 1e6, b["cpu"] / long * 1e6
                line += f"; CPU s per 1M code points: normal {per_a:.2f}, long {per_b:.2f}, long/normal {per_b / per_a:.2f}"
            if pair == "validate":
                line += f"; validate runs at {b['cpu'] / a['cpu']:.2f} of the parse bound (CPU)"
            print(f"{line}  (load average before {before}, after {_load()})", flush=True)
            if pair in SAME_OUTPUT:
                one, other = (work / name for name in SAME_OUTPUT[pair])
                differ = _differences(one, other)
                files = sum(1 for path in one.rglob("*") if path.is_file())
                print(
                    f"{pair:8} outputs: "
                    + (f"byte-identical ({files} files)" if not differ else f"DIFFER in {', '.join(differ)}"),
                    flush=True,
                )
        for spinner in spinners:
            spinner.terminate()
        if args.load:
            if not (work / "dataset-build").exists():
                measure("build", work)
            for name in LOAD_STEPS:
                m = measure(name, work)
                print(
                    f"load     {name:16} wall {m['wall']:8.2f} s  cpu {m['cpu']:8.2f} s  peak {m['peak_mib']:6.0f} MiB"
                )
        print(f"load average after: {_load()}")
    finally:
        for spinner in spinners:
            spinner.terminate()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
