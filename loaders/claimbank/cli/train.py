"""`claimbank train`: a learned attribution tagger from a built dataset folder (claimbank.tagger)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from claimbank.cli.common import EXIT_OK, EXIT_USAGE

EPILOG = """\
Reads DATASET (a folder made by `claimbank build`) with datasets.load_dataset, config 'documents': each article's
text and its gold SOURCE / CUE / CONTENT spans and attributions. Trains on --split (default: train), scores every
other split with the scorer of `claimbank evaluate` (micro-averaged), and writes OUT: model.json (labels,
tokenizer, training data fingerprint, metrics, file hashes), README.md (the model card) and the weights
(the BiLSTM-CRF's in safetensors; with --arch crf, crfsuite's format). The linker is crfsuite's either way.
OUT is written whole or not at all; an existing OUT is replaced only when it is a model folder.

exit status: 0 trained, 2 a missing or unusable dataset, or an OUT that is not a model folder

examples:
  claimbank build annotations/ --out build/dataset && claimbank train build/dataset --out build/model
  claimbank train build/dataset --arch crf --out build/crf-model       # without torch
  claimbank preannotate --model build/model seeds/article.txt --out predicted/
"""


ARCHITECTURES = ("crf", "neural")


def _positive(value: str) -> int:
    number = int(value) if value.isdigit() else 0
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


def add_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register ``train`` on the ``claimbank`` parser."""
    del parser_class  # one command, no sub-commands
    from claimbank.tagger.neural_settings import NeuralSettings
    from claimbank.tagger.settings import Settings

    defaults = Settings()
    neural_defaults = NeuralSettings()
    train = commands.add_parser(
        "train",
        help="train an attribution tagger on a built dataset",
        description="Train a model that finds SOURCE / CUE / CONTENT spans and assembles them into "
        "attributions, from a dataset folder (docs/tagger.md).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument(
        "dataset", type=Path, metavar="DATASET", help="a dataset folder made by claimbank build"
    )
    train.add_argument("--out", type=Path, required=True, metavar="DIR", help="the model folder to write")
    train.add_argument("--split", default="train", help="the split to train on (default: train)")
    train.add_argument(
        "--eval-split",
        action="append",
        metavar="NAME",
        help="a split to score on (repeatable; default: every split but --split)",
    )
    train.add_argument(
        "--iterations",
        type=_positive,
        default=defaults.iterations,
        metavar="N",
        help=f"L-BFGS iterations of the crf tagger (default: {defaults.iterations})",
    )
    train.add_argument(
        "--arch",
        choices=ARCHITECTURES,
        default="neural",
        help="the span tagger: neural (the default: a BiLSTM-CRF trained from scratch, the better on PolNeAR; "
        "needs the neural extra, torch and safetensors) or crf (crfsuite: no torch, faster to predict)",
    )
    train.add_argument(
        "--epochs",
        type=_positive,
        default=neural_defaults.epochs,
        metavar="N",
        help=f"training epochs of the neural tagger (default: {neural_defaults.epochs})",
    )
    train.add_argument(
        "--hidden",
        type=_positive,
        default=neural_defaults.hidden,
        metavar="N",
        help=f"LSTM size per direction of the neural tagger (default: {neural_defaults.hidden})",
    )
    train.add_argument(
        "--chunk",
        type=_positive,
        default=neural_defaults.chunk,
        metavar="N",
        help=f"tokens of whole sentences the neural tagger reads at once (default: {neural_defaults.chunk})",
    )
    train.add_argument("-q", "--quiet", action="store_true", help="no progress lines, only the summary")
    train.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Train, write the model folder, print the held-out scores."""
    from claimbank.tagger import DatasetError, ModelError, Settings, train
    from claimbank.tagger.neural_settings import NeuralSettings

    def log(line: str) -> None:
        if not args.quiet:
            print(f"claimbank train: {line}", file=sys.stderr)

    try:
        manifest = train(
            args.dataset,
            args.out,
            train_split=args.split,
            eval_splits=args.eval_split,
            settings=Settings(iterations=args.iterations),
            log=log,
            neural=NeuralSettings(epochs=args.epochs, hidden=args.hidden, chunk=args.chunk)
            if args.arch == "neural"
            else None,
        )
    except (DatasetError, ModelError) as error:
        print(f"claimbank train: {error}", file=sys.stderr)
        return EXIT_USAGE
    training = manifest["training"]
    print(
        f"wrote {args.out} ({training['documents']} articles, {training['seconds']} s, "
        f"{training['cpu_seconds']} CPU s)"
    )
    for split, metrics in manifest["metrics"].items():
        exact, overlap = metrics["exact"], metrics["overlap"]
        scores = "  ".join(
            f"{item} {exact[item]['f1']:.3f}/{overlap[item]['f1']:.3f}"
            for item in ("CUE", "SOURCE", "CONTENT", "attribution")
            if item in exact and item in overlap
        )
        print(f"{split} ({metrics['documents']} articles), F1 exact/overlap: {scores}")
    return EXIT_OK
