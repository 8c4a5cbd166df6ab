"""Fuzz the validation fast path against the full validator: a file the fast path accepts must have no problem.

    python tests/tools/fuzz_fastpath.py --seconds 300

Longer than CI can afford (tests/test_fastpath.py runs a few hundred mutations per build): byte-level mutations of
synthetic documents (characters JSON and the checks care about replaced, inserted or deleted; a key written twice;
an offset's digit changed; a character escaped as \\uXXXX), written with and without indentation and ASCII escapes.
Each file the fast path accepts goes through the full path; any disagreement is saved as fuzz-disagreement-N.json
in the current folder, and the exit status is 1.
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


def full_path_finds_nothing(data: bytes, seeds: Path) -> bool:
    sink = ProblemSink("fuzz")
    parsed = parse(data, sink)
    if sink.problems:
        return False
    return not check_data(parsed.value, name="fuzz", seeds_dir=seeds, has_floats=parsed.has_floats)


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
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
        print(f"fuzzing the fast path for {args.seconds:.0f} s", flush=True)
        runs = accepted = disagreements = 0
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            document = rng.choice(documents)
            indent = rng.choice([None, 1])
            data = mutate(json.dumps(document, ensure_ascii=rng.random() < 0.2, indent=indent).encode(), rng)
            runs += 1
            if fastpath.quick_check(data, path=None, seeds_dir=seeds) is None:
                continue
            accepted += 1
            if not full_path_finds_nothing(data, seeds):
                disagreements += 1
                Path(f"fuzz-disagreement-{disagreements}.json").write_bytes(data)
    print(f"{runs} mutated files, {accepted} accepted by the fast path, {disagreements} disagreements")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
