"""Two versions of the fast path in one process, pass by pass in turns: the least noisy A/B on a loaded machine.

    python benchmarks/ab_fastpath.py /tmp/A/loaders/claimbank/validate/fastpath.py --docs 300 --rounds 40

A is the ``fastpath.py`` file given (e.g. a worktree of main's), loaded as a module of its own beside this
checkout's package; B is this checkout's ``claimbank.validate.fastpath``. Both run over the same synthetic documents
(claimbank.testing.synth, held in memory as JSON bytes, their seeds on disk) and the same decoded objects, in the
same process, passes alternating A B / B A; each keeps its best pass, in CPU time. Whole processes in turns
(``ab_validate.py``) measure the same thing through the noise of separate processes (±25% at a load of 6); here both
sides share the process, its caches and the load of the moment. Only the module differs, so a change elsewhere (the
reader, ``core``) is not measured here.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from claimbank.testing.synth import seeded_payloads
from claimbank.validate import fastpath


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("a", help="the fastpath.py of checkout A")
    parser.add_argument("--docs", type=int, default=300, help="synthetic documents (default 300)")
    parser.add_argument("--rounds", type=int, default=40, help="passes of each side, in turns (default 40)")
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("fastpath_a", args.a)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {args.a}")
    side_a = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(side_a)
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp)
        payloads = seeded_payloads(seeds, args.docs)
        # Each side checks sets decoded by its own decoder (its structs are its own classes).
        sets = {
            module: [(d.annotation_sets[0], d.text) for d in map(module.decoder().decode, payloads)]
            for module in (side_a, fastpath)
        }
        for module in (side_a, fastpath):
            if not all(module.quick_check(p, path=None, seeds_dir=seeds) is not None for p in payloads):
                raise SystemExit(f"{module.__name__} declines a synthetic document")

        def checks(module: object) -> Callable[[], object]:
            own = sets[module]  # type: ignore[index]
            return lambda: [module._set_fine(item, text) for item, text in own]  # type: ignore[attr-defined]

        def whole(module: object) -> Callable[[], object]:
            quick = module.quick_check  # type: ignore[attr-defined]
            return lambda: [quick(p, path=None, seeds_dir=seeds) for p in payloads]

        rows = {
            "set checks (_set_fine), A": checks(side_a),
            "set checks (_set_fine), B": checks(fastpath),
            "quick_check, A": whole(side_a),
            "quick_check, B": whole(fastpath),
        }
        best = dict.fromkeys(rows, float("inf"))
        for number in range(args.rounds):
            for name in list(rows) if number % 2 else list(rows)[::-1]:
                started = time.process_time()
                rows[name]()
                best[name] = min(best[name], time.process_time() - started)
    per = 1e6 / len(payloads)
    print(f"{len(payloads)} documents, best of {args.rounds} passes each, CPU µs per document")
    for name, value in best.items():
        print(f"{name:28} {value * per:7.1f}  ({len(payloads) / value:,.0f} docs/s)")
    print(f"quick_check B/A time {best['quick_check, B'] / best['quick_check, A']:.3f}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
