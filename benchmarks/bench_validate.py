"""Benchmark validation throughput on one core: claimbank's full check against the parse bound and naive jsonschema.

    python benchmarks/bench_validate.py --docs 100000

All documents are synthetic (claimbank.testing.synth) and held in memory as JSON bytes, so disk speed is out of the
numbers (their seed files are on disk, as in use). Rows:
  parse-only   orjson.loads (json.loads if orjson is missing): the bound no validator can beat
  claimbank    validate_bytes: what `claimbank validate` runs per file (the fast path, which the full path backs)
  naive        python-jsonschema Draft 2020-12 iter_errors per document (on a sample; it is slow)
  full path    strict parse + schema + every check beyond the schema: what explains an invalid file (a sample)
Every row but parse-only does every check, the seed file's text and hash included.

Every time is CPU time (``time.process_time``; for whole processes ``getrusage`` of the children), not wall time:
the machine is shared, and wall time there measures the other jobs too. Its speed still drifts by up to ±25%
from one pass to the next (more under load), so the first two rows run in rounds, one pass of each per round,
back to back: a round's ratio compares passes made under the same conditions. Printed: each round, the best pass
of each row, the median of the rounds' ratios, and the load average. To compare two checkouts, pass by pass in
turns, use ``benchmarks/ab_validate.py``.

Then whole processes on files (--files N of the documents written as a project: annotations/ + seeds/), each
command run in turns (A B C A B C …, --file-rounds), medians: `claimbank validate` against check-jsonschema
(schema only, the same files and schema) and against a process that reads and parses the same files (the parse
bound on files); and start-up: `claimbank validate` on one file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from jsonschema import Draft202012Validator

from claimbank.format import schema
from claimbank.testing.synth import seeded_payloads
from claimbank.util.jsonio import parse
from claimbank.validate.core import check_data, validate_bytes
from claimbank.validate.problems import ProblemSink


def _rate(payloads: list[bytes], run: Callable[[bytes], object]) -> float:
    """Documents per second of this process's CPU time (user + system: the seeds' reads are system time)."""
    started = time.process_time()
    for payload in payloads:
        run(payload)
    return len(payloads) / (time.process_time() - started)


def _row(label: str, count: int, rate: float, note: str = "") -> None:
    print(f"{label:12} {count:>8} docs {rate:10.0f} docs/s  {note}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=20_000, help="synthetic articles (default 20000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the first three rows (default 3)")
    parser.add_argument("--naive-sample", type=int, default=500, help="documents for the naive validator")
    parser.add_argument("--full-sample", type=int, default=20_000, help="documents for the full path")
    parser.add_argument("--files", type=int, default=5_000, help="documents written as files (0: skip them)")
    parser.add_argument("--file-rounds", type=int, default=3, help="turns of the whole-process rows")
    args = parser.parse_args()
    packages = ("jsonschema", "jsonschema-rs", "msgspec", "orjson", "check-jsonschema")
    print(f"python {sys.version.split()[0]}, " + ", ".join(f"{name} {version(name)}" for name in packages))
    print(f"load average {os.getloadavg()[0]:.1f} (times below are CPU time)")
    try:
        from orjson import loads as parse_only
    except ImportError:
        parse_only = json.loads

    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        payloads = seeded_payloads(seeds, args.docs)

        def ours(payload: bytes) -> None:
            problems = validate_bytes(payload, name="bench", seeds_dir=seeds).problems
            if problems:
                raise SystemExit(f"a synthetic document is invalid: {problems[0].format()}")

        best = {"parse-only": 0.0, "claimbank": 0.0}
        ratios = []
        for number in range(1, args.rounds + 1):
            bound, rate = _rate(payloads, parse_only), _rate(payloads, ours)
            ratios.append(rate / bound)
            print(
                f"round {number}: parse-only {bound:,.0f}, claimbank {rate:,.0f} ({rate / bound:.2f} of it)",
                flush=True,
            )
            for key, value in zip(best, (bound, rate), strict=True):
                best[key] = max(best[key], value)
        for key, value in best.items():
            _row(key, len(payloads), value, f"best of {args.rounds}")

        naive_validator = Draft202012Validator(schema.load())
        sample = payloads[: args.naive_sample]
        naive = _rate(sample, lambda p: list(naive_validator.iter_errors(json.loads(p))))
        _row("naive", len(sample), naive)

        def full(payload: bytes) -> None:
            sink = ProblemSink("bench")
            parsed = parse(payload, sink)
            problems = check_data(parsed.value, name="bench", seeds_dir=seeds, has_floats=parsed.has_floats)
            if problems or sink.problems:
                raise SystemExit(
                    f"a synthetic document is invalid: {(problems or sink.problems)[0].format()}"
                )

        sample = payloads[: args.full_sample]
        _row("full path", len(sample), _rate(sample, full))
        print(
            f"claimbank / naive = {best['claimbank'] / naive:.0f}x; claimbank / parse-only = "
            f"{statistics.median(ratios):.2f} (median of the rounds; best against best "
            f"{best['claimbank'] / best['parse-only']:.2f})"
        )
        if args.files:
            _files(payloads[: args.files], seeds, Path(tmp) / "project", args.file_rounds)


_PARSE_FILES = """
import sys, os, orjson
for name in sorted(os.listdir(sys.argv[1])):
    with open(os.path.join(sys.argv[1], name), 'rb') as handle:
        orjson.loads(handle.read())
"""


def _timed(command: list[str], cwd: Path) -> float:
    """The CPU time (user + system) of the command's process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {(result.stdout + result.stderr)[-500:]}")
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _files(payloads: list[bytes], seeds: Path, project: Path, rounds: int) -> None:
    """Whole processes over the same files, in turns; medians and ratios."""
    annotations = project / "annotations"
    annotations.mkdir(parents=True)
    (project / "seeds").mkdir()
    files = []
    for payload in payloads:
        document = json.loads(payload)
        (annotations / f"{document['id']}.json").write_bytes(payload)
        (project / "seeds" / document["seed"]).write_bytes((seeds / document["seed"]).read_bytes())
        files.append(f"annotations/{document['id']}.json")
    schema_file = str(Path(__file__).resolve().parents[1] / "schema" / "document.schema.json")
    one = files[:1]
    commands = {
        "claimbank validate": [sys.executable, "-m", "claimbank", "validate", "annotations"],
        "check-jsonschema": ["check-jsonschema", "--schemafile", schema_file, *files],
        "parse bound": [sys.executable, "-c", _PARSE_FILES, "annotations"],
        "start-up (1 file)": [sys.executable, "-m", "claimbank", "validate", *one],
    }
    if shutil.which("check-jsonschema") is None:
        print("check-jsonschema is not installed (pip install check-jsonschema): its row is left out")
        del commands["check-jsonschema"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            times[name].append(_timed(command, project))
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        count = 1 if name.startswith("start-up") else len(files)
        print(
            f"{name:20} {count:>7} files {value:8.2f} s  {count / value:10.0f} files/s  (CPU time, median of {rounds})"
        )
    ours = median["claimbank validate"]
    print(f"claimbank validate on files: {median['parse bound'] / ours:.2f} of the parse bound on files")
    if "check-jsonschema" in median:
        print(f"check-jsonschema / claimbank validate = {median['check-jsonschema'] / ours:.1f}x the time")


if __name__ == "__main__":
    main()
