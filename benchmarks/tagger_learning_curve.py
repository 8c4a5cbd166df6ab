"""How the learned tagger's held-out scores grow with the training articles: a learning curve and its fit.

    python benchmarks/tagger_learning_curve.py --dataset polnear/dataset --fractions 0.25 0.5 0.75 1

For each fraction it trains the default model (``claimbank train``'s: the BiLSTM-CRF with its default settings)
on that part of the dataset's ``train`` split (the same seeded random order for every fraction, so each part
holds the smaller ones) and scores it on every other split, as ``claimbank train`` does. Then it fits each
role's exact F1, and whole attributions' overlap F1, as a straight line in log2 of the article count (F1 gained
per doubling of the training data) and prints how many training articles the line says a target needs.

A fit of four points says where the curve is heading, not where it ends: a curve that bends would need more
articles than the line says. Every training is CPU time on one thread (the sum is about 2.5 times one default
training).
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import claimbank.tagger.training as training
from claimbank.tagger.neural_settings import NeuralSettings

ITEMS = ("CUE", "SOURCE", "CONTENT", "attribution")
# The targets: exact F1 per role, overlap F1 for whole attributions.
TARGETS = {"CUE": 0.75, "SOURCE": 0.72, "CONTENT": 0.55, "attribution": 0.55}
LOAD = training.load_examples  # the real loader, which each part's loader cuts (never a part's own)


def _part(fraction: float, seed: int) -> Any:
    """``load_examples`` whose ``train`` split is the first ``fraction`` of the train articles in a seeded order."""

    def loader(folder: Path, splits: Any = None) -> dict[str, Any]:
        found = LOAD(folder, splits)
        articles = sorted(found["train"], key=lambda example: example.text[:200])
        random.Random(seed).shuffle(articles)
        found["train"] = articles[: max(1, round(len(articles) * fraction))]
        return found

    return loader


def _scores(metrics: dict[str, Any]) -> dict[str, float]:
    """Each item's F1 (exact per role, overlap for attributions) micro-averaged over the held-out splits."""
    result = {}
    for item in ITEMS:
        mode = "overlap" if item == "attribution" else "exact"
        matched = sum(split[mode][item]["matched"] for split in metrics.values())
        both = sum(
            split[mode][item]["predicted"] + split[mode][item]["reference"] for split in metrics.values()
        )
        result[item] = 2 * matched / both if both else 0.0
    return result


def _fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least squares F1 = a + b·log2(articles): (a, b)."""
    xs = [math.log2(n) for n, _ in points]
    ys = [f for _, f in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return my - b * mx, b


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", type=Path, required=True, help="a folder made by `claimbank build`")
    parser.add_argument(
        "--fractions",
        type=float,
        nargs="+",
        default=[0.25, 0.5, 0.75, 1.0],
        help="parts of train to train on",
    )
    parser.add_argument("--seed", type=int, default=0, help="the order the parts are drawn in (default 0)")
    args = parser.parse_args()
    if any(not 0 < f <= 1 for f in args.fractions):
        parser.error("--fractions must each be in (0, 1]")
    points: dict[str, list[tuple[int, float]]] = {item: [] for item in ITEMS}
    print("articles  " + "  ".join(f"{item:>11}" for item in ITEMS) + "   CPU s", flush=True)
    for fraction in sorted(args.fractions):
        training.load_examples = _part(fraction, args.seed)
        with tempfile.TemporaryDirectory() as tmp:
            cpu = time.process_time()
            manifest = training.train(args.dataset, Path(tmp) / "model", neural=NeuralSettings())
            cpu = time.process_time() - cpu
        articles = int(manifest["training"]["documents"])
        scores = _scores(manifest["metrics"])
        for item in ITEMS:
            points[item].append((articles, scores[item]))
        print(
            f"{articles:8d}  " + "  ".join(f"{scores[i]:11.3f}" for i in ITEMS) + f"  {cpu:6.0f}", flush=True
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if len({n for n, _ in points["CUE"]}) < 2:
        return
    print("fit: F1 = a + b·log2(articles)")
    for item in ITEMS:
        a, b = _fit(points[item])
        target = TARGETS[item]
        needed = f"{2 ** ((target - a) / b):,.0f} articles" if b > 0 else "never (no gain)"
        print(f"  {item:11}  +{b:.3f} a doubling; target {target} at {needed}")


if __name__ == "__main__":
    main()
