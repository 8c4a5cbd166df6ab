"""Benchmark the learned tagger against the rules: held-out scores, training time and prediction speed.

    python benchmarks/bench_tagger.py --dataset polnear/dataset            # train on its train split, then score
    python benchmarks/bench_tagger.py --dataset polnear/dataset --model build/model   # score a trained model
    python benchmarks/bench_tagger.py --articles 60                         # a generated corpus (no data needed)
    python benchmarks/bench_tagger.py --dataset polnear/dataset --arch neural   # the BiLSTM-CRF (needs torch)

Scores are `claimbank evaluate`'s (claimbank.annotate.agreement.evaluate), micro-averaged over the held-out
articles: every split but train (the dataset's splits are fixed by a hash of the article id), with a span in
fragments compared as one span (as `claimbank evaluate` does) and per fragment. Training time is
wall and CPU seconds of `claimbank.tagger.train`; prediction speed is articles per second of
`Model.annotation_set` in this one process (one core), reading the texts from memory.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from claimbank.annotate.preannotate import annotation_set as rules
from claimbank.cli.main import main as claimbank
from claimbank.tagger import Model, Settings, train
from claimbank.tagger.data import load_examples
from claimbank.tagger.neural_settings import NeuralSettings
from claimbank.tagger.training import score

STAMP = "2000-01-01T00:00:00Z"
ITEMS = ("CUE", "SOURCE", "CONTENT", "attribution")


def _row(name: str, result: dict[str, Any]) -> str:
    cells = [f"{result['exact'][i]['f1']:.3f} / {result['overlap'][i]['f1']:.3f}" for i in ITEMS]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, help="a built dataset folder (default: a generated corpus)")
    parser.add_argument("--model", type=Path, help="a trained model folder (default: train one)")
    parser.add_argument("--articles", type=int, default=60, help="generated articles (without --dataset)")
    parser.add_argument("--iterations", type=int, default=Settings().iterations)
    parser.add_argument("--arch", choices=("crf", "neural"), default="crf", help="the tagger to train")
    parser.add_argument("--epochs", type=int, default=NeuralSettings().epochs, help="with --arch neural")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        dataset = args.dataset
        if dataset is None:
            from claimbank.testing.synth import write_project

            project = write_project(Path(scratch) / "corpus", args.articles, seed=1)
            dataset = project / "dataset"
            claimbank(["build", str(project / "annotations"), "--out", str(dataset), "--no-progress"])
        model_dir = args.model
        if model_dir is None:
            model_dir = Path(scratch) / "model"
            wall, cpu = time.perf_counter(), time.process_time()
            neural = NeuralSettings(epochs=args.epochs) if args.arch == "neural" else None
            manifest = train(dataset, model_dir, settings=Settings(iterations=args.iterations), neural=neural)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"training: {manifest['training']['documents']} articles, {wall:.0f} s wall, {cpu:.0f} s CPU "
                f"(cores: {len(os.sched_getaffinity(0))}; crfsuite and the neural tagger train on one)"
            )
        model = Model(model_dir)
        print(f"model: {model.version} ({model.architecture})")
        splits = load_examples(dataset)
        held_out = [e for name, items in splits.items() if name != "train" for e in items]
        texts = [e.text for e in held_out]
        characters = sum(len(t) for t in texts)
        print(
            f"held-out texts: {len(texts)} articles, {characters / max(len(texts), 1):.0f} characters on average"
        )
        # The load average goes with every speed: on a shared machine CPU seconds stretch under contention too.
        print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
        # CPU seconds as well as wall: on a shared machine the wall clock counts other people's work too.
        for name, predict in (("tagger", model.annotation_set), ("rules", rules)):
            wall, cpu = time.perf_counter(), time.process_time()
            for text in texts:
                predict(text, created_at=STAMP)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"{name}: {len(texts) / cpu:.0f} articles per CPU second, {len(texts) / wall:.0f} articles/s wall "
                "(one process)"
            )
        print(f"\nheld-out: {len(held_out)} articles; F1 exact / overlap\n")
        print("| | " + " | ".join(ITEMS) + " |")
        print("|---" * (len(ITEMS) + 1) + "|")
        found = {
            "rules": score(lambda text: rules(text, created_at=STAMP), held_out),
            "tagger": score(lambda text: model.annotation_set(text, created_at=STAMP), held_out),
        }
        for name, result in found.items():
            print(_row(f"{name} (a span in fragments as one span)", result))
        for name, result in found.items():
            print(_row(f"{name} (per fragment)", result["per_fragment"]))


if __name__ == "__main__":
    main()
