"""Training: the BIO tagger, the linker and the attribute classifiers, from a built dataset; then the held-out
metrics with the project's scorer, and the model folder."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from claimbank import __version__
from claimbank.tagger import link
from claimbank.tagger.card import render as render_card
from claimbank.tagger.data import ROLES, DatasetError, Example, fingerprint, load_examples
from claimbank.tagger.features import FEATURE_VERSION, WINDOW, Tokens, token_features
from claimbank.tagger.folder import FORMAT, FORMAT_VERSION, MANIFEST, write_folder
from claimbank.tagger.neural_settings import NeuralSettings
from claimbank.tagger.predict import Model
from claimbank.tagger.settings import Settings
from claimbank.tagger.tags import LABELS, encode, token_range


def _trainer(c1: float, c2: float, iterations: int) -> Any:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(
        {"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True}
    )
    return trainer


def _gold_token_spans(tokens: Tokens, example: Example) -> dict[str, tuple[str, int, int]]:
    found = {}
    for span in example.spans:
        first, last = token_range(tokens.offsets, span.start, span.end)
        if first < last:
            found[span.id] = (span.label, first, last)
    return found


def train_tagger(examples: Sequence[Example], path: Path, settings: Settings) -> None:
    """The BIO tagger of SOURCE / CUE / CONTENT, from the texts alone and the gold spans."""
    trainer = _trainer(settings.c1, settings.c2, settings.iterations)
    for example in examples:
        tokens = Tokens.of(example.text)
        if tokens.offsets:
            trainer.append(token_features(tokens), encode(tokens.offsets, example.spans)[0])
    trainer.train(str(path))


def train_linker(examples: Sequence[Example], folder: Path, settings: Settings) -> dict[str, str]:
    """The pair scorer (on gold spans) and the attribute classifiers; returns the attributes that had a single
    value in training, with that value (no classifier for them)."""
    pair_trainer = _trainer(0.0, settings.linker_c2, settings.linker_iterations)
    attribute_items: dict[str, list[tuple[list[str], str]]] = {"kind": [], "source_type": [], "cue_type": []}
    appended = 0
    for example in examples:
        tokens = Tokens.of(example.text)
        gold = _gold_token_spans(tokens, example)
        ids = list(gold)
        index = {span_id: i for i, span_id in enumerate(ids)}
        # Every fragment of a CONTENT in fragments is linked to its cue: the pieces a cue links are what
        # claimbank.tagger.fragments joins back into one span.
        pieces: dict[str, list[int]] = {}
        for span in example.spans:
            if span.id in index:
                pieces.setdefault(span.entity, []).append(index[span.id])
        linked: set[tuple[int, str, int]] = set()
        for item in example.links:
            if item.cue not in index:
                continue
            for piece in pieces.get(item.content, []) if item.content in index else []:
                linked.add((index[item.cue], "C", piece))
            if item.source is not None and item.source in index:
                linked.add((index[item.cue], "S", index[item.source]))
            cue = gold[item.cue][1:]
            source = gold[item.source][1:] if item.source in gold else None
            attribute_items["kind"].append((link.kind_features(tokens, cue, source), item.kind))
        items, keys = link.pairs(tokens, [gold[i] for i in ids])
        for features, key in zip(items, keys, strict=True):
            pair_trainer.append([features], ["1" if key in linked else "0"])
        appended += len(items)
        for span in example.spans:
            value = span.source_type if span.label == "SOURCE" else span.cue_type
            if span.id in gold and span.label in ("SOURCE", "CUE") and value is not None:
                name = "source_type" if span.label == "SOURCE" else "cue_type"
                attribute_items[name].append((link.span_type_features(tokens, gold[span.id][1:]), value))
    if not appended:
        pair_trainer.append([["bias"]], ["0"])  # no pair to learn from: a linker that links nothing
    pair_trainer.train(str(folder / "linker.crfsuite"))
    constant = {}
    for name, pairs in attribute_items.items():
        values = {label for _, label in pairs}
        if len(values) < 2:
            constant[name] = next(iter(values), "attribution" if name == "kind" else "unspecified")
            continue
        trainer = _trainer(0.0, 1.0, 100)
        for features, label in pairs:
            trainer.append([features], [label])
        trainer.train(str(folder / f"{name}.crfsuite"))
    return constant


def gold_set(example: Example, *, fragments: bool = True) -> Any:
    """The example's gold roles as an ``AnnotationSet``, for the scorer.

    With ``fragments`` (the default) a span in fragments is one span, as the dataset holds it (schema 2.0, what
    ``claimbank evaluate`` compares); without, each fragment is a span of its own ('T3', 'T3:2', as 1.x held
    them), the tagger's own tagging view."""
    from claimbank.format.model import AnnotationSet

    grouped: dict[str, list[Any]] = {}
    for span in example.spans:
        grouped.setdefault(span.entity if fragments else span.id, []).append(span)
    spans = []
    for parts in grouped.values():
        span = parts[0]
        start, end = parts[0].start, parts[-1].end
        record: dict[str, Any] = {
            "id": span.id,
            "label": span.label,
            "start": start,
            "end": end,
            "text": example.text[start:end],
        }
        if len(parts) > 1:
            record["fragments"] = [
                {"start": p.start, "end": p.end, "text": example.text[p.start : p.end]} for p in parts
            ]
        if span.label == "SOURCE":
            record["source_type"] = span.source_type or "unspecified"
        if span.label == "CUE":
            record["cue_type"] = span.cue_type or "unspecified"
        spans.append(record)
    known = {s.id for s in example.spans}
    attributions = [
        {
            "id": f"g{i}",
            "kind": a.kind,
            "cue": a.cue,
            "content": a.content,
            **({"source": a.source} if a.source in known else {}),
        }
        for i, a in enumerate(example.links)
        if a.cue in known and a.content in known
    ]
    return AnnotationSet.model_validate(
        {
            "id": "gold",
            "annotator": "gold",
            "origin": "manual",
            "created_at": "2000-01-01T00:00:00Z",
            "gold": True,
            "spans": spans,
            "attributions": attributions,
        }
    )


def split_fragments(predicted: dict[str, Any]) -> dict[str, Any]:
    """``predicted`` (an annotation set, a dict) with every span in fragments made one span per fragment ('s3',
    's3:2', …; attributions keep naming the first): the view in which the tagger's per-fragment scores count."""
    spans = []
    for span in predicted["spans"]:
        parts = span.get("fragments")
        if not parts:
            spans.append(span)
            continue
        whole = {k: v for k, v in span.items() if k != "fragments"}
        for number, part in enumerate(parts, start=1):
            spans.append({**whole, **part, "id": span["id"] if number == 1 else f"{span['id']}:{number}"})
    return {**predicted, "spans": spans}


def _totals(pairs: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    from claimbank.annotate.agreement import evaluate

    totals: dict[str, dict[str, list[int]]] = {}
    for predicted, gold in pairs:
        for mode, scores in evaluate(predicted, gold).items():
            for item, prf in scores.items():
                if item not in (*ROLES, "attribution"):
                    continue
                counts = totals.setdefault(mode, {}).setdefault(item, [0, 0, 0])
                counts[0] += prf.matched
                counts[1] += prf.predicted
                counts[2] += prf.reference
    result: dict[str, Any] = {}
    for mode, items in totals.items():
        result[mode] = {}
        for item, (matched, predicted_count, reference) in items.items():
            p = matched / predicted_count if predicted_count else 0.0
            r = matched / reference if reference else 0.0
            f = 2 * matched / (predicted_count + reference) if predicted_count + reference else 1.0
            result[mode][item] = {
                "matched": matched,
                "predicted": predicted_count,
                "reference": reference,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
            }
    return result


def score(predict: Callable[[str], dict[str, Any]], examples: Iterable[Example]) -> dict[str, Any]:
    """Micro-averaged ``claimbank evaluate`` (claimbank.annotate.agreement.evaluate) over articles: per role and
    for whole attributions, exact and by overlap.  ``predict`` maps a text to an annotation set (a dict).

    ``exact`` and ``overlap`` compare spans as the dataset holds them (a span in fragments is one span: exact
    means the same fragments), as ``claimbank evaluate`` does; ``per_fragment`` holds the same two scores with
    every span in fragments, gold and predicted, cut into one span per fragment (the scores of 1.x)."""
    from claimbank.format.model import AnnotationSet

    whole, pieces = [], []
    for example in examples:
        predicted = predict(example.text)
        whole.append((AnnotationSet.model_validate(predicted), gold_set(example)))
        pieces.append(
            (
                AnnotationSet.model_validate(split_fragments(predicted)),
                gold_set(example, fragments=False),
            )
        )
    return {"documents": len(whole), **_totals(whole), "per_fragment": _totals(pieces)}


def train(
    dataset: Path,
    out: Path,
    *,
    train_split: str = "train",
    eval_splits: Sequence[str] | None = None,
    settings: Settings | None = None,
    log: Callable[[str], None] = lambda _: None,
    neural: NeuralSettings | None = None,
) -> dict[str, Any]:
    """Train on ``train_split`` of the dataset folder, score on ``eval_splits`` (default: every other split) and
    write the model folder ``out``; returns its manifest. With ``neural``, the span tagger is the BiLSTM-CRF of
    claimbank.tagger.neural (torch) instead of crfsuite's CRF; the linker is the same."""
    settings = settings or Settings()
    splits = load_examples(dataset)
    if train_split not in splits:
        raise DatasetError(f"{dataset}: no split {train_split!r} (it has: {', '.join(splits) or 'none'})")
    examples = splits[train_split]
    if not any(e.spans for e in examples):
        raise DatasetError(
            f"{dataset}: split {train_split!r} has no gold SOURCE / CUE / CONTENT spans to learn"
        )
    held_out = [s for s in splits if s != train_split] if eval_splits is None else list(eval_splits)
    for name in held_out:
        if name not in splits:
            raise DatasetError(f"{dataset}: no split {name!r} to evaluate on")
    data_hash = fingerprint(examples)

    def fill(staging: Path) -> dict[str, Any]:
        started, cpu = time.monotonic(), time.process_time()
        log(f"training the tagger on {len(examples)} articles ({train_split})")
        described: dict[str, Any] = {}
        if neural is None:
            train_tagger(examples, staging / "tagger.crfsuite", settings)
        else:
            from claimbank.tagger.neural import train_tagger as train_neural

            described["neural"] = train_neural(examples, staging, neural, log)
        log("training the linker and attribute classifiers")
        constant = train_linker(examples, staging, settings)
        seconds = round(time.monotonic() - started, 1)
        # CPU time too: on a shared machine the wall clock also counts other people's work.
        cpu_seconds = round(time.process_time() - cpu, 1)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "model_version": f"claimbank-tagger{'' if neural is None else '-neural'} {__version__} "
            f"({data_hash[:12]})",
            "architecture": "crf" if neural is None else "neural",
            "claimbank_version": __version__,
            "labels": list(LABELS),
            "roles": list(ROLES),
            "constant_attributes": constant,
            "tokenizer": {
                "function": "claimbank.dataset.segment.tokenize(text), no span boundaries",
                "pattern": r"\w+|\S (grapheme clusters kept whole)",
                "sentences": "claimbank.dataset.segment.sentences",
                "window": WINDOW,
                "feature_version": FEATURE_VERSION,
            },
            "training": {
                "dataset": str(dataset),
                "config": "documents",
                "split": train_split,
                "documents": len(examples),
                "fingerprint": data_hash,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "settings": asdict(settings),
            },
            **described,
        }
        # Score through the folder itself, opened as a user would open it (hashes checked).
        from claimbank.tagger.folder import sha256_file

        provisional = {**manifest, "files": {p.name: sha256_file(p) for p in sorted(staging.iterdir())}}
        (staging / MANIFEST).write_text(json.dumps(provisional), "utf-8")
        model = Model(staging)
        metrics: dict[str, Any] = {}
        for name in held_out:
            log(f"scoring on {name} ({len(splits[name])} articles)")
            started_scoring = time.monotonic()
            metrics[name] = score(
                lambda text: model.annotation_set(text, created_at="2000-01-01T00:00:00Z"), splits[name]
            )
            metrics[name]["seconds"] = round(time.monotonic() - started_scoring, 2)
        manifest["metrics"] = metrics
        return manifest

    manifest: dict[str, Any] = {}

    def card(final: dict[str, Any]) -> str:
        manifest.update(final)
        return render_card(final)

    write_folder(out, fill, card)
    return manifest
