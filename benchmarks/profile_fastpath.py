"""Where the fast path's time goes, per document: each step of ``quick_check`` timed on its own, in CPU time.

    python benchmarks/profile_fastpath.py --docs 400 --rounds 30

The documents are claimbank.testing.synth's (as in bench_validate.py), held in memory as JSON bytes, their seeds on
disk. Each row runs one step (of ``claimbank.validate.fastpath``, its private functions included: this is a
profile of that module, not an API) right after decoding each document, so that the decoded objects are as warm
as ``quick_check`` finds them; a row's cost is its pass minus the decode-only pass. Rows run in rounds, one pass of
each per round in turns, and each keeps its best pass: on a shared machine the best pass is the one least
disturbed. The whole ``quick_check`` and ``validate_bytes`` come last, for the total the steps add up to.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from claimbank.testing.synth import seeded_payloads
from claimbank.validate import fastpath
from claimbank.validate.core import validate_bytes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=400, help="synthetic documents (default 400)")
    parser.add_argument("--rounds", type=int, default=30, help="passes per row, in turns (default 30)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        payloads = seeded_payloads(seeds, args.docs)
        decode, encoder = fastpath._codec()[:2]
        assert all(fastpath.quick_check(p, path=None, seeds_dir=seeds) is not None for p in payloads)

        def spans(document: Any) -> Any:
            return document.annotation_sets[0].spans

        steps: dict[str, Callable[[Any, bytes], object]] = {
            "decode (msgspec, generated types)": lambda d, p: None,
            "text to UTF-8 + SHA-256": lambda d, p: hashlib.sha256(d.text.encode()).hexdigest(),
            "duplicate keys (colon counts)": lambda d, p: fastpath._colons_fine(
                d, p, d.text.encode(), encoder
            ),
            "  of which the shell re-encoded": lambda d, p: encoder.encode(
                msgspec.structs.replace(d, text="")
            ),
            "scans for \\u003 and fragments": lambda d, p: (b"003" in p, b'"fragments"' in p),
            "seed read and compared": lambda d, p: fastpath._seed_matches(seeds, d.seed, d.text.encode()),
            "set checks (_set_fine)": lambda d, p: fastpath._set_fine(d.annotation_sets[0], d.text),
            "  of which span fields read": lambda d, p: [(s.start, s.end, s.text) for s in spans(d)],
            "  of which grapheme edges": lambda d, p: fastpath._boundaries_fine(
                d.text, [s.start for s in spans(d)] + [s.end for s in spans(d)]
            ),
        }
        best = dict.fromkeys(steps, float("inf"))
        for number in range(args.rounds):
            order = list(steps.items()) if number % 2 else list(steps.items())[::-1]
            for name, step in order:
                started = time.process_time()
                for payload in payloads:
                    step(decode.decode(payload), payload)
                best[name] = min(best[name], time.process_time() - started)
        ablated = _ablated(payloads, seeds, args.rounds)
        whole = {"quick_check": float("inf"), "validate_bytes": float("inf")}
        for _ in range(args.rounds):
            started = time.process_time()
            for payload in payloads:
                fastpath.quick_check(payload, path=None, seeds_dir=seeds)
            whole["quick_check"] = min(whole["quick_check"], time.process_time() - started)
            started = time.process_time()
            for payload in payloads:
                validate_bytes(payload, name="profile", seeds_dir=seeds)
            whole["validate_bytes"] = min(whole["validate_bytes"], time.process_time() - started)
    per = 1e6 / len(payloads)
    base = best["decode (msgspec, generated types)"]
    print(f"{len(payloads)} documents, best of {args.rounds} passes each, CPU µs per document")
    for name, value in best.items():
        cost = value if name.startswith("decode") else value - base
        print(f"{name:36} {cost * per:7.1f}")
    for name, value in whole.items():
        print(f"{name:36} {value * per:7.1f}  ({len(payloads) / value:,.0f} docs/s)")
    print("in context: quick_check with steps answered yes without running them, CPU µs per document saved")
    for name, value in ablated.items():
        print(f"{name:36} {(ablated['none'] - value) * per:7.1f}")
    print(f"load average {os.getloadavg()[0]:.1f}")


def _yes(*_: object, **__: object) -> bool:
    return True


# Steps of quick_check (module functions of fastpath) that the second table skips, alone or together.
_ABLATIONS: dict[str, tuple[str, ...]] = {
    "none": (),
    "the seed": ("_seed_matches",),
    "duplicate keys": ("_colons_fine",),
    "set checks": ("_set_fine",),
    "header patterns and ids": ("_late_fine", "_ids_fine"),
    "seed, duplicate keys, set checks": ("_seed_matches", "_colons_fine", "_set_fine"),
}


def _ablated(payloads: list[bytes], seeds: Path, rounds: int) -> dict[str, float]:
    """Best pass of quick_check with each group of steps replaced by "yes": what a step costs among the others
    (more than alone: the seed's system calls, for one, leave the caches colder for what follows)."""
    original = {name: getattr(fastpath, name) for names in _ABLATIONS.values() for name in names}
    best = dict.fromkeys(_ABLATIONS, float("inf"))
    try:
        for number in range(rounds):
            order = list(_ABLATIONS.items()) if number % 2 else list(_ABLATIONS.items())[::-1]
            for label, names in order:
                for name, function in original.items():
                    setattr(fastpath, name, _yes if name in names else function)
                started = time.process_time()
                for payload in payloads:
                    fastpath.quick_check(payload, path=None, seeds_dir=seeds)
                best[label] = min(best[label], time.process_time() - started)
    finally:
        for name, function in original.items():
            setattr(fastpath, name, function)
    return best


if __name__ == "__main__":
    main()
