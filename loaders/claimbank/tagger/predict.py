"""A trained model: tag a text, assemble the spans into attributions, give an annotation set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimbank.tagger import fragments, link
from claimbank.tagger.features import Tokens, token_features
from claimbank.tagger.folder import ModelError, read_manifest
from claimbank.tagger.tags import decode

ATTRIBUTES = ("kind", "source_type", "cue_type")


@dataclass(frozen=True)
class PredictedSpan:
    """A predicted span, in code points, with the mean marginal probability of its tokens' tags. A span in
    fragments has its fragments' (start, end) in ``parts``, and ``start``, ``end``, ``first``, ``last`` span
    them all; a contiguous span has no ``parts``."""

    label: str
    start: int
    end: int
    confidence: float
    first: int
    last: int
    parts: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Prediction:
    """Everything the model found in one text."""

    spans: list[PredictedSpan]
    attributions: list[link.Proposal]
    source_types: dict[int, str]
    cue_types: dict[int, str]


def _open(path: Path, labels: set[str] | None = None) -> Any:
    """A crfsuite tagger over ``path``, which must know labels (and only ``labels``, when given)."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    try:
        tagger.open(str(path))
    except Exception as error:  # crfsuite says only "Invalid model file": a damaged or foreign file
        raise ModelError(f"{path}: cannot open the crfsuite model ({error})") from None
    known = set(tagger.labels())
    if not known or (labels is not None and not known <= labels):
        raise ModelError(f"{path}: the crfsuite model does not have the labels model.json declares")
    return tagger


def _join(
    spans: list[PredictedSpan], proposals: list[link.Proposal], joined: dict[int, list[int]]
) -> tuple[list[PredictedSpan], list[link.Proposal], list[int]]:
    """The spans with each group of ``joined`` made one span in fragments (at its chosen CONTENT's place, the
    other pieces gone; its confidence the pieces' mean, weighted by tokens), the proposals renumbered to match,
    and the cues' new indices."""
    gone = {i for members in joined.values() for i in members} - set(joined)
    kept = [i for i in range(len(spans)) if i not in gone]
    new_index = {old: new for new, old in enumerate(kept)}
    result = []
    for i in kept:
        members = joined.get(i)
        if members is None:
            result.append(spans[i])
            continue
        pieces = [spans[m] for m in members]
        tokens = sum(p.last - p.first for p in pieces)
        result.append(
            PredictedSpan(
                spans[i].label,
                pieces[0].start,
                pieces[-1].end,
                sum(p.confidence * (p.last - p.first) for p in pieces) / tokens,
                pieces[0].first,
                pieces[-1].last,
                tuple((p.start, p.end) for p in pieces),
            )
        )
    renumbered = [
        link.Proposal(
            p.kind,
            None if p.source is None else new_index[p.source],
            new_index[p.cue],
            new_index[p.content],
            p.confidence,
        )
        for p in proposals
    ]
    return result, renumbered, [i for i, s in enumerate(result) if s.label == "CUE"]


class Model:
    """A model folder written by ``claimbank train``, checked and opened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest = read_manifest(folder)
        files = self.manifest["files"]
        # "crf" (crfsuite) or "neural" (claimbank.tagger.neural); folders from before the neural tagger are crf.
        self.architecture = str(self.manifest.get("architecture", "crf"))
        if self.architecture not in ("crf", "neural"):
            raise ModelError(f"{folder}: unknown tagger architecture {self.architecture!r} (retrain)")
        tagger_file = "tagger.crfsuite" if self.architecture == "crf" else "tagger.safetensors"
        for needed in (tagger_file, "linker.crfsuite"):
            if needed not in files:
                raise ModelError(f"{folder}: {needed} is missing")
        if self.architecture == "neural":
            from claimbank.tagger.neural import NeuralTagger

            self._find: Any = NeuralTagger(folder, self.manifest).spans_many
        else:
            self._tagger = _open(folder / "tagger.crfsuite", set(self.manifest.get("labels", ())))
            self._find = self._crf_spans
        self._linker = _open(folder / "linker.crfsuite", {"0", "1"})
        # A linker trained without a single linked pair knows only "0": every pair scores 0.
        self._links = "1" in self._linker.labels()
        # An attribute with one value in training has no classifier: that value is used throughout.
        self._constant: dict[str, str] = dict(self.manifest.get("constant_attributes", {}))
        self._classifiers = {
            name: _open(folder / f"{name}.crfsuite") for name in ATTRIBUTES if f"{name}.crfsuite" in files
        }
        self.version = str(self.manifest.get("model_version", "claimbank-tagger"))

    def _classify(self, name: str, items: Callable[[], list[list[str]]], count: int) -> list[str]:
        """The ``count`` labels of attribute ``name``; ``items`` makes their features (only when a classifier
        needs them: an attribute with one value in training has none)."""
        if not count:
            return []
        classifier = self._classifiers.get(name)
        if classifier is None:
            return [self._constant.get(name, "unspecified")] * count
        labels: list[str] = classifier.tag(items())
        return labels

    def _crf_spans(self, articles: list[Tokens]) -> list[list[tuple[str, int, int, float]]]:
        """The crfsuite tagger's spans, each with the mean marginal probability of its tokens' tags."""
        every = []
        for tokens in articles:
            self._tagger.set(token_features(tokens))
            tags: list[str] = self._tagger.tag()
            found = []
            for label, first, last in decode(tags):
                marginals = [self._tagger.marginal(tags[i], i) for i in range(first, last)]
                found.append((label, first, last, sum(marginals) / len(marginals)))
            every.append(found)
        return every

    def predict(self, text: str) -> Prediction:
        """The spans and attributions the model finds in ``text``."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: list[str]) -> list[Prediction]:
        """:meth:`predict` of each of ``texts``; the neural tagger reads them together, which is faster than
        one by one (its per-call costs are shared) and gives the same predictions."""
        articles = [Tokens.of(text) for text in texts]
        present = [tokens for tokens in articles if tokens.offsets]
        found = iter(self._find(present) if present else [])
        return [
            self._assemble(tokens, next(found)) if tokens.offsets else Prediction([], [], {}, {})
            for tokens in articles
        ]

    def _assemble(self, tokens: Tokens, found: list[tuple[str, int, int, float]]) -> Prediction:
        """The prediction from the tagger's spans in ``tokens``: attributions, kinds and span types."""
        spans = [
            PredictedSpan(
                label, tokens.offsets[first][0], tokens.offsets[last - 1][1], confidence, first, last
            )
            for label, first, last, confidence in found
        ]
        token_spans = [(s.label, s.first, s.last) for s in spans]
        items, keys = link.pairs(tokens, token_spans)
        if items and self._links:
            self._linker.set(items)
            self._linker.tag()
            scores = [self._linker.marginal("1", j) for j in range(len(items))]
        else:
            scores = [0.0] * len(items)
        cues = [i for i, s in enumerate(spans) if s.label == "CUE"]
        proposals = link.choose(cues, keys, scores)
        kinds = self._classify(
            "kind",
            lambda: [
                link.kind_features(
                    tokens,
                    (spans[p.cue].first, spans[p.cue].last),
                    None if p.source is None else (spans[p.source].first, spans[p.source].last),
                )
                for p in proposals
            ],
            len(proposals),
        )
        proposals = [
            link.Proposal(kind, p.source, p.cue, p.content, p.confidence)
            for kind, p in zip(kinds, proposals, strict=True)
        ]
        joined = fragments.groups(proposals, keys, scores, [(s.first, s.last) for s in spans])
        if joined:
            spans, proposals, cues = _join(spans, proposals, joined)
        sources = [i for i, s in enumerate(spans) if s.label == "SOURCE"]
        source_types = dict(
            zip(
                sources,
                self._classify(
                    "source_type",
                    lambda: [
                        link.span_type_features(tokens, (spans[i].first, spans[i].last)) for i in sources
                    ],
                    len(sources),
                ),
                strict=True,
            )
        )
        cue_types = dict(
            zip(
                cues,
                self._classify(
                    "cue_type",
                    lambda: [link.span_type_features(tokens, (spans[i].first, spans[i].last)) for i in cues],
                    len(cues),
                ),
                strict=True,
            )
        )
        return Prediction(spans, proposals, source_types, cue_types)

    def annotation_set(self, text: str, *, set_id: str = "tagger", created_at: str) -> dict[str, Any]:
        """An annotation set (origin "prediction") of the model's spans and attributions for ``text``, each with
        its ``confidence`` (a span's: the mean marginal probability of its tokens' tags; an attribution's:
        P(content link) × P(source link, or no source))."""
        return self._annotation_set(text, self.predict(text), set_id, created_at)

    def annotation_sets(
        self, texts: list[str], *, set_id: str = "tagger", created_at: str
    ) -> list[dict[str, Any]]:
        """:meth:`annotation_set` of each of ``texts``, predicted together (:meth:`predict_many`)."""
        return [
            self._annotation_set(text, found, set_id, created_at)
            for text, found in zip(texts, self.predict_many(texts), strict=True)
        ]

    def _annotation_set(self, text: str, found: Prediction, set_id: str, created_at: str) -> dict[str, Any]:
        # 'nobody' is the source type of explicit non-attributions only (and only theirs): make it agree with
        # the kind, since the type and the kind come from different classifiers.
        nobody = {
            p.source for p in found.attributions if p.kind == "non_attribution" and p.source is not None
        }
        spans: list[dict[str, Any]] = []
        for i, span in enumerate(found.spans):
            record: dict[str, Any] = {
                "id": f"s{i + 1}",
                "label": span.label,
                "start": span.start,
                "end": span.end,
                "text": text[span.start : span.end],
                "confidence": round(span.confidence, 4),
            }
            if span.parts:
                record["fragments"] = [
                    {"start": start, "end": end, "text": text[start:end]} for start, end in span.parts
                ]
            if span.label == "SOURCE":
                kind = "nobody" if i in nobody else found.source_types.get(i, "unspecified")
                record["source_type"] = "unspecified" if kind == "nobody" and i not in nobody else kind
            elif span.label == "CUE":
                record["cue_type"] = found.cue_types.get(i, "unspecified")
            spans.append(record)
        attributions = []
        for number, proposal in enumerate(found.attributions, start=1):
            item: dict[str, Any] = {
                "id": f"a{number}",
                "kind": proposal.kind,
                "cue": f"s{proposal.cue + 1}",
                "content": f"s{proposal.content + 1}",
                "confidence": round(proposal.confidence, 4),
            }
            source = proposal.source
            if source is not None and (source in nobody) == (proposal.kind == "non_attribution"):
                item["source"] = f"s{source + 1}"
            attributions.append(item)
        result: dict[str, Any] = {
            "id": set_id,
            "annotator": "claimbank tagger",
            "origin": "prediction",
            "created_at": created_at,
            "model_version": self.version,
        }
        return {**result, "spans": spans, "attributions": attributions, "claims": []}
