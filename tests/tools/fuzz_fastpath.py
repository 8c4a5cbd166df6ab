"""Fuzz the validator: the full path must answer every mutant without an exception, and a file the fast path
accepts must have no problem.

    python tests/tools/fuzz_fastpath.py --seconds 300
    python tests/tools/fuzz_fastpath.py --count 300      # a fixed number of mutants (what the tests run)

Longer than CI can afford (the tests run a few hundred mutants per build): byte-level mutations of synthetic
documents (characters JSON and the checks care about replaced, inserted or deleted; a key written twice; an
offset's digit changed; a character escaped as \\uXXXX) and structural ones (a value anywhere replaced by one
of another JSON type: [], {}, 5, ["x"], {"a": 1}, null, true, "s", 1.5), written with and without indentation
and ASCII escapes. Every mutant goes through the full path (strict parse, schema, checks); an exception there is
saved as fuzz-crash-N.json, a file the fast path accepts and the full path objects to as fuzz-disagreement-N.json,
in the current folder, and either makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from claimbank.testing.synth import corpus
from claimbank.util.jsonio import parse
from claimbank.validate import fastpath
from claimbank.validate.core import check_data
from claimbank.validate.problems import ProblemSink

ALPHABET = [*b'":,{}[]\\ \n\t0123456789abcdefzZ-.T+u', 0xC3, 0xA9, 0xFF]


VALUES: tuple[Any, ...] = ([], {}, 5, ["x"], {"a": 1}, None, True, "s", 1.5)


def full_path_problems(data: bytes, seeds: Path) -> int:
    """How many problems the full path finds (it may raise: that is what the fuzzer looks for)."""
    sink = ProblemSink("fuzz")
    parsed = parse(data, sink)
    if sink.problems:
        return len(sink.problems)
    return len(check_data(parsed.value, name="fuzz", seeds_dir=seeds, has_floats=parsed.has_floats))


def confuse(document: Any, rng: random.Random) -> Any:
    """``document`` with one value, anywhere, replaced by one of another JSON type."""
    copy = json.loads(json.dumps(document))
    node, key = None, None
    current: Any = copy
    while isinstance(current, (dict, list)) and current and rng.random() < 0.8:
        node = current
        key = rng.choice(list(current)) if isinstance(current, dict) else rng.randrange(len(current))
        current = current[key]
    if node is None:
        return rng.choice(VALUES)
    node[key] = rng.choice(VALUES)  # type: ignore[index]
    return copy


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        if not out:
            break  # a tiny file deleted to nothing
        kind, at = rng.randrange(6), rng.randrange(len(out))
        text = bytes(out)
        if kind == 0:
            out[at] = rng.choice(ALPHABET)
        elif kind == 1:
            out.insert(at, rng.choice(ALPHABET))
        elif kind == 2:
            del out[at]
        elif kind == 3 and (colon := text.find(b'":', at)) > 0:  # a key and its value written twice
            key = text.rfind(b'"', 0, colon)
            ends = [x for x in (text.find(b",", colon), text.find(b"}", colon)) if x > 0]
            end = min(ends) if ends else len(text)
            out[end:end] = b"," + text[key:end]
        elif kind == 4 and (start := text.find(b'"start": ', at)) >= 0:
            out[start + 9] = rng.choice(b"0123456789")
        elif kind == 5 and 0 <= (quote := text.find(b'"', at)) < len(out) - 1 and out[quote + 1] < 128:
            out[quote + 1 : quote + 2] = b"\\u%04x" % out[quote + 1]
    return bytes(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60, help="how long to run (default 60)")
    parser.add_argument(
        "--count", type=int, default=0, help="stop after this many mutants (default: no limit)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--docs", type=int, default=200, help="synthetic documents to mutate (default 200)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        documents: list[dict[str, Any]] = []
        for text, annotation in corpus(args.docs, args.seed):
            (seeds / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
            documents.append(annotation)
        fastpath.decoder()
        print(f"fuzzing the validator for {args.seconds:.0f} s", flush=True)
        runs = accepted = invalid = disagreements = crashes = 0
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline and (not args.count or runs < args.count):
            document = rng.choice(documents)
            if rng.random() < 0.3:
                document = confuse(document, rng)
            indent = rng.choice([None, 1])
            data = json.dumps(document, ensure_ascii=rng.random() < 0.2, indent=indent).encode()
            data = mutate(data, rng) if rng.random() < 0.8 else data
            runs += 1
            try:
                problems = full_path_problems(data, seeds)
            except Exception:
                crashes += 1
                Path(f"fuzz-crash-{crashes}.json").write_bytes(data)
                continue
            invalid += problems > 0
            if fastpath.quick_check(data, path=None, seeds_dir=seeds) is None:
                continue
            accepted += 1
            if problems:
                disagreements += 1
                Path(f"fuzz-disagreement-{disagreements}.json").write_bytes(data)
    print(
        f"{runs} mutated files, all through the full path ({invalid} invalid, {crashes} crashes); "
        f"{accepted} accepted by the fast path, {disagreements} disagreements"
    )
    return 1 if disagreements or crashes else 0


if __name__ == "__main__":
    sys.exit(main())
