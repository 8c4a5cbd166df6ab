"""The two hostile-text round trips of tests/test_roundtrip_scale.py over more documents than CI runs.

    python benchmarks/bench_roundtrip.py --docs 100000

Prints, for each round trip, how many generated documents went through with 0 differences, and documents/s
(hypothesis' generation included: it is most of the time). Any difference stops the run with the failing example.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100_000, help="generated documents per round trip")
    args = parser.parse_args()
    os.environ["CLAIMBANK_ROUND_TRIPS"] = str(args.docs)
    sys.path.insert(0, str(ROOT))
    from tests import test_roundtrip_scale as scale

    for name, check in (
        ("file -> dataset row -> file", scale.file_through_dataset_row),
        ("file -> Label Studio -> file", scale.file_through_label_studio),
    ):
        started = time.perf_counter()
        seen = scale._run(check)
        elapsed = time.perf_counter() - started
        print(f"{name:30} {seen:>8} documents, 0 differences, {seen / elapsed:8.0f} docs/s", flush=True)


if __name__ == "__main__":
    main()
