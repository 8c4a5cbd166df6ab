"""Benchmark the learned tagger against the rules: held-out scores, training time and prediction speed.

    python benchmarks/bench_tagger.py --dataset polnear/dataset            # train on its train split, then score
    python benchmarks/bench_tagger.py --dataset polnear/dataset --model build/model   # score a trained model
    python benchmarks/bench_tagger.py --articles 60                         # a generated corpus (no data needed)
    python benchmarks/bench_tagger.py --dataset polnear/dataset --arch neural   # the BiLSTM-CRF (needs torch)
    python benchmarks/bench_tagger.py --speed --model build/model --texts polnear/data/train/text \
        --baseline /tmp/main-worktree --rounds 3              # prediction speed only: A/B against other code

With ``--speed`` it measures prediction only, on the ``.txt`` files of ``--texts``: each round runs, in a fresh
process each and in turn, this checkout one article at a time (``Model.annotation_set``), this checkout
``--batch`` articles at a time (``Model.annotation_sets``) and, with ``--baseline`` (another checkout, e.g. a
``git worktree`` of main), that code both ways. Each process reads the texts, opens the model, and
counts the CPU seconds of predicting every text once (caches start empty, as in ``claimbank preannotate``), on
one thread. It prints articles per CPU second per round and the median, the load average, and whether every
variant's predictions are the first's: the same spans and attributions, the largest confidence difference
(unrounded).

Scores are `claimbank evaluate`'s (claimbank.annotate.agreement.evaluate), micro-averaged over the held-out
articles: every split but train (the dataset's splits are fixed by a hash of the article id), with a span in
fragments compared as one span (as `claimbank evaluate` does) and per fragment. Training time is
wall and CPU seconds of `claimbank.tagger.train`; prediction speed is articles per second of
`Model.annotation_set` in this one process (one core), reading the texts from memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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


def _flat(prediction: Any) -> list[list[Any]]:
    """A prediction as JSON: spans ``[label, start, end, confidence]``, attributions ``[kind, source, cue, content,
    confidence]``, the span types."""
    return [
        [[s.label, s.start, s.end, s.confidence] for s in prediction.spans],
        [[a.kind, a.source, a.cue, a.content, a.confidence] for a in prediction.attributions],
        sorted(prediction.source_types.items()),
        sorted(prediction.cue_types.items()),
    ]


def _speed_worker(model_dir: Path, texts_dir: Path, limit: int, batch: int, out: Path) -> None:
    """One measurement, in its own process: predict every text once, print the CPU and wall seconds."""
    import torch

    torch.set_num_threads(1)
    texts = [p.read_text("utf-8") for p in sorted(texts_dir.glob("*.txt"))[:limit]]
    model = Model(model_dir)
    wall, cpu = time.perf_counter(), time.process_time()
    if batch > 1:
        sets = [
            s
            for k in range(0, len(texts), batch)
            for s in model.annotation_sets(texts[k : k + batch], created_at=STAMP)
        ]
    else:
        sets = [model.annotation_set(text, created_at=STAMP) for text in texts]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(sets) == len(texts)
    # The unrounded predictions, outside the time measured, to compare the variants.
    predictions = [_flat(model.predict(text)) for text in texts]
    out.write_text(json.dumps(predictions), "utf-8")
    print(json.dumps({"articles": len(texts), "cpu": cpu, "wall": wall}))


def _compare(reference: list[Any], other: list[Any]) -> tuple[int, float]:
    """How many articles' spans or attributions differ, and the largest confidence difference of the rest."""
    differing, worst = 0, 0.0
    for a, b in zip(reference, other, strict=True):
        if [[x[:-1] for x in a[0]], [x[:-1] for x in a[1]], a[2], a[3]] != [
            [x[:-1] for x in b[0]],
            [x[:-1] for x in b[1]],
            b[2],
            b[3],
        ]:
            differing += 1
            continue
        for x, y in zip(a[0] + a[1], b[0] + b[1], strict=True):
            worst = max(worst, abs(x[-1] - y[-1]))
    return differing, worst


def _speed(args: argparse.Namespace) -> None:
    """Paired rounds of the variants, each in a fresh process (see the module docstring)."""
    here = Path(__file__).resolve().parent.parent
    variants = [("this, one article at a time", here, 1), (f"this, {args.batch} at a time", here, args.batch)]
    if args.baseline is not None:
        variants[:0] = [
            (f"baseline {args.baseline}, one at a time", args.baseline.resolve(), 1),
            (f"baseline {args.baseline}, {args.batch} at a time", args.baseline.resolve(), args.batch),
        ]
    rates: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    print(
        f"model: {args.model}; texts: {args.texts} (first {args.limit}); one thread; CPU seconds of prediction"
    )
    with tempfile.TemporaryDirectory() as scratch:
        outputs: dict[str, Path] = {}
        for round_number in range(args.rounds):
            # Each round starts with another variant, so that none always runs first.
            turn = variants[round_number % len(variants) :] + variants[: round_number % len(variants)]
            for name, checkout, batch in turn:
                out = Path(scratch) / f"{len(outputs)}.json"
                environment = {**os.environ, "PYTHONPATH": str(checkout / "loaders"), "OMP_NUM_THREADS": "1"}
                load = os.getloadavg()[0]
                done = subprocess.run(
                    [
                        sys.executable,
                        str(Path(__file__).resolve()),
                        "--speed-worker",
                        "--model",
                        str(args.model),
                        "--texts",
                        str(args.texts),
                        "--limit",
                        str(args.limit),
                        "--batch",
                        str(batch),
                        "--out",
                        str(out),
                    ],
                    env=environment,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(done.stdout.strip().splitlines()[-1])
                rate = result["articles"] / result["cpu"]
                rates[name].append(rate)
                outputs.setdefault(name, out)
                print(
                    f"round {round_number + 1}: {name}: {rate:.1f} articles per CPU second "
                    f"({result['articles'] / result['wall']:.1f}/s wall; load {load:.1f})",
                    flush=True,
                )
        print("load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
        first = variants[0][0]
        reference = json.loads(outputs[first].read_text("utf-8"))
        for name, _, _ in variants:
            line = f"{name}: median {statistics.median(rates[name]):.1f} articles per CPU second"
            if name != first:
                differing, worst = _compare(reference, json.loads(outputs[name].read_text("utf-8")))
                line += f"; against {first}: {differing} articles differ, confidences within {worst:.1e}"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", action="store_true", help="measure prediction speed only (needs --model)")
    parser.add_argument("--texts", type=Path, help="with --speed: a folder of .txt articles")
    parser.add_argument("--limit", type=int, default=170, help="with --speed: the first N texts (by name)")
    parser.add_argument("--batch", type=int, default=16, help="with --speed: articles predicted together")
    parser.add_argument("--rounds", type=int, default=3, help="with --speed: paired rounds")
    parser.add_argument("--baseline", type=Path, help="with --speed: another checkout to compare with")
    parser.add_argument("--speed-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dataset", type=Path, help="a built dataset folder (default: a generated corpus)")
    parser.add_argument("--model", type=Path, help="a trained model folder (default: train one)")
    parser.add_argument("--articles", type=int, default=60, help="generated articles (without --dataset)")
    parser.add_argument("--iterations", type=int, default=Settings().iterations)
    parser.add_argument("--arch", choices=("crf", "neural"), default="crf", help="the tagger to train")
    parser.add_argument("--epochs", type=int, default=NeuralSettings().epochs, help="with --arch neural")
    args = parser.parse_args()
    if args.speed_worker:
        _speed_worker(args.model, args.texts, args.limit, args.batch, args.out)
        return
    if args.speed:
        if args.model is None or args.texts is None:
            parser.error("--speed needs --model and --texts")
        _speed(args)
        return
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
