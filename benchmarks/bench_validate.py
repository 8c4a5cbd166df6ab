"""Benchmark validation throughput on one core: claimbank's full check against the parse bound and naive jsonschema.

    python benchmarks/bench_validate.py --docs 20000

All documents are synthetic (claimbank.synth) and held in memory as JSON bytes, so disk speed is out of the
numbers. Rows:
  parse-only   orjson.loads (json.loads if orjson is missing): the bound no validator can beat
  naive        python-jsonschema Draft 2020-12 iter_errors per document (on a sample; it is slow)
  claimbank    validate_bytes: what `claimbank validate` runs per file (the fast path, which the full path backs)
  full path    strict parse + schema + every check beyond the schema: what explains an invalid file
Every row but parse-only does every check, the seed file's text and hash included.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from jsonschema import Draft202012Validator

from claimbank import schema
from claimbank.jsonio import parse
from claimbank.problems import ProblemSink
from claimbank.synth import corpus
from claimbank.validate import check_data, validate_bytes


def _rate(label: str, payloads: list[bytes], run: Callable[[bytes], object]) -> float:
    started = time.perf_counter()
    for payload in payloads:
        run(payload)
    rate = len(payloads) / (time.perf_counter() - started)
    print(f"{label:12} {len(payloads):>8} docs {rate:10.0f} docs/s", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=20_000, help="synthetic articles (default 20000)")
    parser.add_argument("--naive-sample", type=int, default=500, help="documents for the naive validator")
    parser.add_argument("--full-sample", type=int, default=20_000, help="documents for the full path")
    args = parser.parse_args()
    packages = ("jsonschema", "jsonschema-rs", "msgspec", "orjson")
    print(f"python {sys.version.split()[0]}, " + ", ".join(f"{name} {version(name)}" for name in packages))

    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        payloads = []
        for text, annotation in corpus(args.docs):
            (seeds / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
            payloads.append(json.dumps(annotation, ensure_ascii=False).encode("utf-8"))
        try:
            import orjson

            bound = _rate("parse-only", payloads, orjson.loads)
        except ImportError:
            bound = _rate("parse-only", payloads, json.loads)
        naive_validator = Draft202012Validator(schema.load())
        naive = _rate(
            "naive", payloads[: args.naive_sample], lambda p: list(naive_validator.iter_errors(json.loads(p)))
        )

        def full(payload: bytes) -> None:
            sink = ProblemSink("bench")
            parsed = parse(payload, sink)
            problems = check_data(parsed.value, name="bench", seeds_dir=seeds, has_floats=parsed.has_floats)
            if problems or sink.problems:
                raise SystemExit(
                    f"a synthetic document is invalid: {(problems or sink.problems)[0].format()}"
                )

        def ours(payload: bytes) -> None:
            problems = validate_bytes(payload, name="bench", seeds_dir=seeds).problems
            if problems:
                raise SystemExit(f"a synthetic document is invalid: {problems[0].format()}")

        rate = _rate("claimbank", payloads, ours)
        _rate("full path", payloads[: args.full_sample], full)
    print(f"claimbank / naive = {rate / naive:.1f}x; claimbank / parse-only = {rate / bound:.2f}")


if __name__ == "__main__":
    main()
