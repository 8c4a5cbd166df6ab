"""Benchmark validation throughput on one core: claimbank's full check against the parse bound and naive jsonschema.

    python benchmarks/bench_validate.py --docs 100000

All documents are synthetic (claimbank.testing.synth) and held in memory as JSON bytes, so disk speed is out of the
numbers (their seed files are on disk, as in use). Rows:
  parse-only   orjson.loads (json.loads if orjson is missing): the bound no validator can beat
  claimbank    validate_bytes: what `claimbank validate` runs per file (the fast path, which the full path backs),
               with the compiled steps (claimbank._fastcheck) when they were built
  (Python)     the same, with the fast path's Python steps (what runs where no C compiler was at hand)
  naive        python-jsonschema Draft 2020-12 iter_errors per document (on a sample; it is slow)
  full path    strict parse + schema + every check beyond the schema: what explains an invalid file (a sample)
Every row but parse-only does every check, the seed file's text and hash included.

This machine's speed drifts by up to ±25% from one pass to the next, so the first three rows run in rounds, one
pass of each per round, back to back: a round's ratio compares passes made under the same conditions. Printed:
each round, the best pass of each row, and the median of the rounds' ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from jsonschema import Draft202012Validator

from claimbank.format import schema
from claimbank.testing.synth import corpus
from claimbank.util.jsonio import parse
from claimbank.validate import fastpath
from claimbank.validate.core import check_data, validate_bytes
from claimbank.validate.problems import ProblemSink


def _rate(payloads: list[bytes], run: Callable[[bytes], object]) -> float:
    started = time.perf_counter()
    for payload in payloads:
        run(payload)
    return len(payloads) / (time.perf_counter() - started)


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
    args = parser.parse_args()
    packages = ("jsonschema", "jsonschema-rs", "msgspec", "orjson")
    print(f"python {sys.version.split()[0]}, " + ", ".join(f"{name} {version(name)}" for name in packages))
    try:
        from orjson import loads as parse_only
    except ImportError:
        parse_only = json.loads

    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        payloads = []
        for text, annotation in corpus(args.docs):
            (seeds / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
            payloads.append(json.dumps(annotation, ensure_ascii=False).encode("utf-8"))

        def ours(payload: bytes) -> None:
            problems = validate_bytes(payload, name="bench", seeds_dir=seeds).problems
            if problems:
                raise SystemExit(f"a synthetic document is invalid: {problems[0].format()}")

        def python_steps_rate() -> float:
            saved, fastpath._compiled = fastpath._compiled, None
            try:
                return _rate(payloads, ours)
            finally:
                fastpath._compiled = saved

        fastpath._codec()
        compiled = fastpath._compiled is not None
        if not compiled:
            print("claimbank._fastcheck is not built: the claimbank row runs the Python steps")
        best = {"parse-only": 0.0, "claimbank": 0.0, "(Python)": 0.0}
        ratios = []
        for number in range(1, args.rounds + 1):
            bound, rate = _rate(payloads, parse_only), _rate(payloads, ours)
            steps = python_steps_rate() if compiled else rate
            ratios.append(rate / bound)
            print(
                f"round {number}: parse-only {bound:,.0f}, claimbank {rate:,.0f} ({rate / bound:.2f} of it), "
                f"Python steps {steps:,.0f} ({steps / bound:.2f})",
                flush=True,
            )
            for key, value in zip(best, (bound, rate, steps), strict=True):
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
        f"{best['claimbank'] / best['parse-only']:.2f}); compiled / Python steps = "
        f"{best['claimbank'] / best['(Python)']:.2f}x"
    )


if __name__ == "__main__":
    main()
