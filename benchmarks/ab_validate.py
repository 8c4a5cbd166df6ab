"""Paired A/B of validation speed between two checkouts, in CPU time (for a shared, loaded machine).

    python benchmarks/ab_validate.py /work/main/loaders loaders --docs 5000 --rounds 6

A is the first ``loaders`` folder, B the second. The documents (claimbank.testing.synth, made by B's package) and
their seeds are written once to a temporary folder; then each round runs, in fresh processes and in the order
A B (odd rounds) or B A (even rounds): ``validate_bytes`` over every document held in memory, two passes, the
better one kept; and ``python -m claimbank validate`` on one file, ``--startup`` times (and as often a bare
``python -c pass``, the floor under both). With ``--files N`` each round also runs, A and B in the same order,
``python -m claimbank validate files/annotations`` over N of the documents written as files (a project:
files/annotations/ + files/seeds/), and once the parse bound on files (a process that reads every one of those files and ``orjson.loads``
it); printed as each side's ratio to the bound in the same round, and their medians. Times are CPU time (user +
system, ``resource.getrusage``): wall time on a machine shared with other jobs measures the other jobs. Printed:
each round, then the medians and B/A. Bytecode caches are written first, so neither side compiles its sources
in the start-up rows.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from operator import truediv
from pathlib import Path

_MAKE = """
import json, sys
from pathlib import Path
from claimbank.testing.synth import corpus
out = Path(sys.argv[1]); (out / "seeds").mkdir(); (out / "annotations").mkdir()
(out / "files" / "annotations").mkdir(parents=True); (out / "files" / "seeds").mkdir()
files = int(sys.argv[3])
with open(out / "payloads.jsonl", "wb") as handle:
    for number, (text, annotation) in enumerate(corpus(max(int(sys.argv[2]), files))):
        (out / "seeds" / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        payload = json.dumps(annotation, ensure_ascii=False).encode("utf-8")
        if number < int(sys.argv[2]):
            handle.write(payload + b"\\n")
        if number == 0:
            (out / "annotations" / (annotation["id"] + ".json")).write_bytes(payload)
        if number < files:
            (out / "files" / "annotations" / (annotation["id"] + ".json")).write_bytes(payload)
            (out / "files" / "seeds" / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
"""

_IN_MEMORY = """
import sys, time
from pathlib import Path
from claimbank.validate.core import validate_bytes
folder = Path(sys.argv[1]); seeds = folder / "seeds"
payloads = (folder / "payloads.jsonl").read_bytes().splitlines()
for payload in payloads[:20]:
    assert not validate_bytes(payload, name="bench", seeds_dir=seeds).problems
best = float("inf")
for _ in range(2):
    started = time.process_time()
    for payload in payloads:
        validate_bytes(payload, name="bench", seeds_dir=seeds)
    best = min(best, time.process_time() - started)
print(len(payloads) / best)
"""


def _env(loaders: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(Path(loaders).resolve())}


def _in_memory(loaders: str, folder: Path) -> float:
    result = subprocess.run(
        [sys.executable, "-c", _IN_MEMORY, str(folder)],
        env=_env(loaders),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout)


def _startup(loaders: str, file: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "claimbank", "validate", str(file)],
        env=_env(loaders),
        capture_output=True,
        check=True,
        cwd=file.parent.parent,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


_PARSE_FILES = """
import sys, os, orjson
for name in sorted(os.listdir(sys.argv[1])):
    with open(os.path.join(sys.argv[1], name), 'rb') as handle:
        orjson.loads(handle.read())
"""


def _cpu(command: list[str], env: dict[str, str] | None, cwd: Path) -> float:
    """CPU time (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, capture_output=True, check=True, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _bare() -> float:
    """CPU time of an interpreter that runs nothing (``python -c pass``): the floor under every start-up here (this
    machine's ``site`` loads ``.pth`` files that import certifi, pathlib, zipfile and tempfile)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("a", help="the loaders/ folder of checkout A (e.g. main's)")
    parser.add_argument("b", help="the loaders/ folder of checkout B")
    parser.add_argument("--docs", type=int, default=5_000, help="synthetic documents (default 5000)")
    parser.add_argument("--rounds", type=int, default=6, help="paired rounds (default 6)")
    parser.add_argument("--startup", type=int, default=4, help="start-ups per side per round (default 4)")
    parser.add_argument(
        "--files", type=int, default=0, help="documents as files for the files row (default 0: none)"
    )
    args = parser.parse_args()
    for loaders in (args.a, args.b):
        subprocess.run([sys.executable, "-m", "compileall", "-q", loaders], check=True, capture_output=True)
    rates: dict[str, list[float]] = {"A": [], "B": []}
    starts: dict[str, list[float]] = {"A": [], "B": []}
    bare: list[float] = []
    on_files: dict[str, list[float]] = {"A": [], "B": [], "bound": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run(
            [sys.executable, "-c", _MAKE, tmp, str(args.docs), str(args.files)], env=_env(args.b), check=True
        )
        file = next((folder / "annotations").glob("*.json"))
        for number in range(1, args.rounds + 1):
            order = ("A", "B") if number % 2 else ("B", "A")
            for side in order:
                loaders = args.a if side == "A" else args.b
                rates[side].append(_in_memory(loaders, folder))
                starts[side].extend(_startup(loaders, file) for _ in range(args.startup))
            bare.extend(_bare() for _ in range(args.startup))
            if args.files:
                for side in order:
                    loaders = args.a if side == "A" else args.b
                    command = [sys.executable, "-m", "claimbank", "validate", "files/annotations"]
                    on_files[side].append(_cpu(command, _env(loaders), folder))
                on_files["bound"].append(
                    _cpu([sys.executable, "-c", _PARSE_FILES, "files/annotations"], None, folder)
                )
                print(
                    f"  files: A {on_files['A'][-1]:.3f} s, B {on_files['B'][-1]:.3f} s, parse bound "
                    f"{on_files['bound'][-1]:.3f} s: A {on_files['bound'][-1] / on_files['A'][-1]:.2f}, B "
                    f"{on_files['bound'][-1] / on_files['B'][-1]:.2f} of the bound",
                    flush=True,
                )
            print(
                f"round {number} ({' '.join(order)}): validate_bytes A {rates['A'][-1]:,.0f} B "
                f"{rates['B'][-1]:,.0f} docs/s (CPU); B/A {rates['B'][-1] / rates['A'][-1]:.2f}; load "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
    rate = {side: statistics.median(values) for side, values in rates.items()}
    start = {side: statistics.median(values) for side, values in starts.items()}
    print(
        json.dumps(
            {
                "validate_bytes_docs_per_cpu_s": rate,
                "validate_bytes_B_over_A": round(rate["B"] / rate["A"], 3),
                "startup_cpu_s_median": start,
                "startup_B_over_A": round(start["B"] / start["A"], 3),
                "bare_interpreter_cpu_s_median": statistics.median(bare),
                **(
                    {
                        "files": args.files,
                        "files_cpu_s_median": {k: statistics.median(v) for k, v in on_files.items()},
                        "files_of_the_parse_bound_median": {
                            side: round(statistics.median(map(truediv, on_files["bound"], on_files[side])), 3)
                            for side in ("A", "B")
                        },
                    }
                    if args.files
                    else {}
                ),
                "runs": {"in_memory": args.rounds, "startup": args.rounds * args.startup},
                "load_average": os.getloadavg()[0],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
