"""Benchmark `claimbank brat import` on a PolNeAR-sized corpus, then `claimbank build` of what it imported.

    python benchmarks/bench_brat.py --articles 1000
    python benchmarks/bench_brat.py --polnear PolNeAR/data/train      # the real thing, if you have it

Without --polnear, a PolNeAR-like corpus is generated: synthetic articles (claimbank.testing.synth), each exported to brat
by `claimbank brat export` from its gold set, with PolNeAR's mix of annotators (most articles by one, a few by six:
<article>_<annotator>.ann). Each phase runs as its own process, so the peak RSS printed is that phase's own.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The command, then its own peak RSS (KiB) on the last line of stderr: the phase's, not the benchmark's.
_RUN = (
    "import resource, sys\n"
    "from claimbank.cli.main import main\n"
    "status = main(sys.argv[1:])\n"
    "print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def _phase(name: str, args: list[str], cwd: Path, count: int, unit: str) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _RUN, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    peak = int(result.stderr.strip().splitlines()[-1].split()[-1]) / 1024
    result.stderr = "\n".join(result.stderr.strip().splitlines()[:-1])
    if result.returncode not in (0, 1):
        raise SystemExit(
            f"{name} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    print(
        f"{name:8} {count:>6} {unit} in {elapsed:6.2f} s  {count / elapsed:8.0f} {unit}/s  peak RSS {peak:6.0f} MiB"
    )
    print(f"         {result.stderr.strip().splitlines()[-1]}", flush=True)


def _generate(folder: Path, articles: int) -> int:
    """A PolNeAR-like corpus under folder/text and folder/attributions; returns the number of .ann files."""
    from claimbank.testing.synth import corpus

    project = folder / "source"
    (project / "annotations").mkdir(parents=True)
    (project / "seeds").mkdir()
    rng = random.Random(0)
    for text, annotation in corpus(articles, seed=1):
        (project / "seeds" / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        gold = next(s for s in annotation["annotation_sets"] if s.get("gold"))
        annotators = ["4e07"] if rng.random() < 0.98 else ["4b22", "4e07", "5fec", "6b86", "d473", "ef2d"]
        annotation["annotation_sets"] = [{**gold, "id": code, "gold": False} for code in annotators]
        (project / "annotations" / f"{annotation['id']}.json").write_text(
            json.dumps(annotation, ensure_ascii=False), encoding="utf-8"
        )
    subprocess.run(
        [sys.executable, "-m", "claimbank", "brat", "export", "annotations", "--out", str(folder / "brat")],
        cwd=project,
        check=True,
        capture_output=True,
    )
    brat = folder / "brat"
    (folder / "text").mkdir()
    (folder / "attributions").mkdir()
    for path in brat.iterdir():
        if path.suffix in (".txt", ".ann"):
            path.rename(folder / ("text" if path.suffix == ".txt" else "attributions") / path.name)
    shutil.rmtree(project)
    return len(list((folder / "attributions").glob("*.ann")))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1000, help="generated articles (default 1000)")
    parser.add_argument("--polnear", type=Path, help="a PolNeAR split folder (with text/ and attributions/)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.polnear is not None:
            texts, anns = args.polnear.resolve() / "text", args.polnear.resolve() / "attributions"
            files = len(list(anns.glob("*.ann")))
            print(f"PolNeAR: {len(list(texts.glob('*.txt')))} articles, {files} .ann files")
        else:
            started = time.perf_counter()
            files = _generate(folder, args.articles)
            texts, anns = folder / "text", folder / "attributions"
            print(
                f"generated {args.articles} articles, {files} .ann files in {time.perf_counter() - started:.1f} s"
            )
        articles = len(list(texts.glob("*.txt")))
        imported = [
            "brat",
            "import",
            str(texts),
            str(anns),
            "--out",
            "annotations",
            "--seeds",
            "seeds",
            "--gold",
        ]
        _phase("import", [*imported, "--skip-invalid", "--no-progress"], folder, articles, "docs")
        written = len(list((folder / "annotations").glob("*.json")))
        _phase("build", ["build", "--out", "dataset", "--no-progress"], folder, written, "docs")


if __name__ == "__main__":
    main()
