"""The minimal training loop for attribution tagging, from a built ClaimBank dataset and `datasets` alone.

    claimbank build annotations/ --out build/dataset
    python examples/train_tagger.py build/dataset

Reads the `documents` config (each article's text and its gold set), tokenizes the text itself (from the text
alone, never at gold span edges), tags SOURCE / CUE / CONTENT as BIO, trains a CRF (python-crfsuite) on the train split and prints exact span F1 per role on the other splits. `claimbank train`
does the same, plus the assembly into attributions and a model folder (docs/tagger.md).
"""

from __future__ import annotations

import argparse
import tempfile
from bisect import bisect_left, bisect_right
from pathlib import Path

import datasets
import pycrfsuite

from claimbank.tagger.features import Tokens, token_features

ROLES = ("SOURCE", "CUE", "CONTENT")


def examples(split: datasets.Dataset) -> list[tuple[Tokens, list[str], set[tuple[str, int, int]]]]:
    """(tokens, BIO tags, gold spans) of every article with a gold set."""
    span_label = split.features["annotation_sets"].feature["spans"].feature["label"]
    found = []
    for row in split:
        gold = next((s for s in row["annotation_sets"] if s["gold"]), None)
        if gold is None:
            continue
        tokens = Tokens.of(row["text"])
        starts = [s for s, _ in tokens.offsets]
        ends = [e for _, e in tokens.offsets]
        tags = ["O"] * len(starts)
        spans = set()
        for span in sorted(gold["spans"], key=lambda s: (s["start"], -s["end"])):
            label = span_label.int2str(span["label"])
            if label not in ROLES:
                continue
            first, last = bisect_right(ends, span["start"]), bisect_left(starts, span["end"])
            if first < last and all(t == "O" for t in tags[first:last]):
                tags[first:last] = [f"B-{label}"] + [f"I-{label}"] * (last - first - 1)
                spans.add((label, span["start"], span["end"]))
        found.append((tokens, tags, spans))
    return found


def spans_of(tokens: Tokens, tags: list[str]) -> set[tuple[str, int, int]]:
    found, start = set(), None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and not (tag.startswith("I-") and tag[2:] == tags[start][2:]):
            found.add((tags[start][2:], tokens.offsets[start][0], tokens.offsets[i - 1][1]))
            start = None
        if tag != "O" and start is None:
            start = i
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--iterations", type=int, default=150)
    args = parser.parse_args()
    documents = datasets.load_dataset(str(args.dataset), "documents")
    trainer = pycrfsuite.Trainer(verbose=False)
    for tokens, tags, _ in examples(documents["train"]):
        trainer.append(token_features(tokens), tags)
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": args.iterations})
    with tempfile.TemporaryDirectory() as folder:
        trainer.train(f"{folder}/tagger.crfsuite")
        tagger = pycrfsuite.Tagger()
        tagger.open(f"{folder}/tagger.crfsuite")
        for name in [s for s in documents if s != "train"]:
            counts = {role: [0, 0, 0] for role in ROLES}  # matched, predicted, gold
            for tokens, _, gold in examples(documents[name]):
                predicted = spans_of(tokens, tagger.tag(token_features(tokens)))
                for role in ROLES:
                    mine = {s for s in predicted if s[0] == role}
                    theirs = {s for s in gold if s[0] == role}
                    counts[role][0] += len(mine & theirs)
                    counts[role][1] += len(mine)
                    counts[role][2] += len(theirs)
            scores = "  ".join(
                f"{role} F1 {2 * m / (p + g) if p + g else 1.0:.3f}" for role, (m, p, g) in counts.items()
            )
            print(f"{name}: exact span {scores}")


if __name__ == "__main__":
    main()
