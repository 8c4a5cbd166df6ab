"""Agreement between two annotation sets of one document: spans, attributions and claims.

Spans are matched one-to-one within a label, either exactly (same offsets) or by overlap (greedy, largest overlap
first). F1 between two annotators treats either as the reference; it is symmetric. Attributions match when
their kind matches and their source, cue and content spans are matched; claims when their CLAIM spans are
matched, and then their claimer and factuality are compared.

Span-aware agreement over any number of sets is Mathet et al.'s γ (gamma), computed by pygamma-agreement (the optional
``gamma`` extra): units are spans with their label as category, positions their code point offsets; γ weighs
boundary and label disagreement against what chance alignments of the same units would give.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from claimbank.format import fields
from claimbank.format.model import AnnotationSet, Attribution, NonAttribution
from claimbank.format.vocab import SpanLabel

Match = dict[str, str]  # span id in set A -> span id in set B


@dataclass(frozen=True)
class Score:
    """Counts and F1 for one comparison: ``matched`` items of ``a`` items in one set and ``b`` in the other."""

    matched: int
    a: int
    b: int

    @property
    def f1(self) -> float:
        return 2 * self.matched / (self.a + self.b) if self.a + self.b else 1.0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_spans(left: AnnotationSet, right: AnnotationSet, *, exact: bool) -> Match:
    """A one-to-one matching of same-label spans, by identical offsets or (``exact=False``) by overlap.

    A span in fragments is its fragments: it matches exactly only a span with the same fragments, and overlaps by
    the characters the fragments share (not by its hull, which holds the gap).

    Only pairs that can match are looked at (identical offsets by lookup; overlapping spans by bisection over
    the starts: two spans overlap when one starts inside the other), so the work grows with the spans and their
    overlaps, not with the product of the two sets (3,000 spans a side took 46 s when every pair was tried).
    """
    matching: Match = {}
    for label in SpanLabel:
        mine = [s for s in left.spans if s.label == label]
        theirs = [s for s in right.spans if s.label == label]
        if not mine or not theirs:
            continue
        pairs = []
        if exact:  # identical offsets, fragment for fragment (a span in fragments is not its hull)
            at: dict[tuple[tuple[int, int], ...], list[str]] = {}
            for y in theirs:
                at.setdefault(tuple(y.parts()), []).append(y.id)
            for x in mine:
                pairs += [
                    (-(x.end - x.start), x.start, x.start, x.id, y_id)
                    for y_id in at.get(tuple(x.parts()), ())
                ]
        else:
            found: set[tuple[str, str]] = set()
            for outer, inner, flip in ((mine, theirs, False), (theirs, mine, True)):
                ordered = sorted(inner, key=lambda span: span.start)
                starts = [span.start for span in ordered]
                for x in outer:
                    for y in ordered[bisect.bisect_left(starts, x.start) : bisect.bisect_left(starts, x.end)]:
                        a, b = (y, x) if flip else (x, y)
                        if (a.id, b.id) not in found:
                            found.add((a.id, b.id))
                            # the characters both spans cover: one that starts in the other's gap covers none
                            size = sum(_overlap(p, q) for p in a.parts() for q in b.parts())
                            if size:
                                pairs.append((-size, a.start, b.start, a.id, b.id))
        used: set[str] = set()
        for *_, x_id, y_id in sorted(pairs):
            if x_id not in matching and y_id not in used:
                matching[x_id] = y_id
                used.add(y_id)
    return matching


def span_scores(left: AnnotationSet, right: AnnotationSet, *, exact: bool) -> dict[str, Score]:
    """Per-label span agreement."""
    matching = match_spans(left, right, exact=exact)
    scores = {}
    for label in SpanLabel:
        mine = [s.id for s in left.spans if s.label == label]
        theirs = [s for s in right.spans if s.label == label]
        if mine or theirs:
            scores[label.value] = Score(sum(1 for s in mine if s in matching), len(mine), len(theirs))
    return scores


def _key(item: Attribution | NonAttribution, matching: Match | None) -> tuple[str, str | None, str, str]:
    def m(span_id: str | None) -> str | None:
        if span_id is None or matching is None:
            return span_id
        return matching.get(span_id, f"unmatched:{span_id}")

    return (item.kind.value, m(item.source), m(item.cue) or "", m(item.content) or "")


def attribution_score(left: AnnotationSet, right: AnnotationSet, *, exact: bool) -> Score:
    """Attributions agree when kind, source, cue and content all match."""
    matching = match_spans(left, right, exact=exact)
    mine = {_key(a, matching) for a in left.attributions}
    theirs = {_key(a, None) for a in right.attributions}
    return Score(len(mine & theirs), len(left.attributions), len(right.attributions))


@dataclass(frozen=True)
class ClaimAgreement:
    spans: Score
    claimer_agrees: int
    factuality_agrees: int

    @property
    def matched(self) -> int:
        return self.spans.matched


def claim_agreement(left: AnnotationSet, right: AnnotationSet, *, exact: bool) -> ClaimAgreement:
    """Claims matched by their CLAIM spans, with how often claimer and factuality agree on the matched ones."""
    matching = match_spans(left, right, exact=exact)
    by_span = {c.span: c for c in right.claims}
    claimer = factuality = matched = 0
    for claim in left.claims:
        other = by_span.get(matching.get(claim.span, ""))
        if other is None:
            continue
        matched += 1
        claimer += claim.claimer == other.claimer
        factuality += claim.factuality == other.factuality
    return ClaimAgreement(Score(matched, len(left.claims), len(right.claims)), claimer, factuality)


@dataclass(frozen=True)
class Reliability:
    """Chance-corrected agreement of two annotators on one attribute, over the items both annotated."""

    items: int
    observed: float
    kappa: float | None
    alpha: float | None


def reliability(pairs: Sequence[tuple[str, str]]) -> Reliability | None:
    """Cohen's kappa and Krippendorff's alpha (nominal) of paired labels, computed by NLTK's ``AnnotationTask``.

    ``None`` when there is nothing to compare; kappa and alpha are ``None`` when they are undefined (both
    annotators used a single label throughout, so chance agreement is already 1).
    """
    if not pairs:
        return None
    from nltk.metrics.agreement import AnnotationTask

    data = [
        (coder, str(i), label)
        for i, pair in enumerate(pairs)
        for coder, label in zip("AB", pair, strict=True)
    ]
    task = AnnotationTask(data=data)
    observed = sum(a == b for a, b in pairs) / len(pairs)
    if len({label for pair in pairs for label in pair}) < 2:
        return Reliability(len(pairs), observed, None, None)
    return Reliability(len(pairs), observed, task.kappa(), task.alpha())


def attribute_pairs(
    left: AnnotationSet, right: AnnotationSet, *, exact: bool
) -> dict[str, list[tuple[str, str]]]:
    """For each span attribute and for claims' claimer and factuality: the label pairs of matched items."""
    matching = match_spans(left, right, exact=exact)
    theirs = {s.id: s for s in right.spans}
    pairs: dict[str, list[tuple[str, str]]] = {}
    for span in left.spans:
        other = theirs.get(matching.get(span.id, ""))
        for name in fields.span_attributes():
            if other is not None and hasattr(span, name) and hasattr(other, name):
                pairs.setdefault(name, []).append((str(getattr(span, name)), str(getattr(other, name))))
    by_span = {c.span: c for c in right.claims}
    for claim in left.claims:
        other_claim = by_span.get(matching.get(claim.span, ""))
        if other_claim is not None:
            pairs.setdefault("claimer", []).append((str(claim.claimer), str(other_claim.claimer)))
            pairs.setdefault("factuality", []).append((str(claim.factuality), str(other_claim.factuality)))
    return pairs


def summary(left: AnnotationSet, right: AnnotationSet) -> dict[str, object]:
    """Everything :func:`report` prints, as data (for ``--format json``)."""
    spans = {
        mode: {
            label: {"a": s.a, "b": s.b, "matched": s.matched, "f1": round(s.f1, 4)}
            for label, s in scores.items()
        }
        for mode, scores in (
            ("exact", span_scores(left, right, exact=True)),
            ("overlap", span_scores(left, right, exact=False)),
        )
    }
    attributions = {
        mode: {"a": s.a, "b": s.b, "matched": s.matched, "f1": round(s.f1, 4)}
        for mode, s in (
            ("exact", attribution_score(left, right, exact=True)),
            ("overlap", attribution_score(left, right, exact=False)),
        )
    }
    attributes = {}
    for name, pairs in attribute_pairs(left, right, exact=False).items():
        found = reliability(pairs)
        if found is not None:
            attributes[name] = {
                "items": found.items,
                "observed": round(found.observed, 4),
                "kappa": None if found.kappa is None else round(found.kappa, 4),
                "alpha": None if found.alpha is None else round(found.alpha, 4),
            }
    return {
        "a": left.id,
        "b": right.id,
        "spans": spans,
        "attributions": attributions,
        "attributes": attributes,
    }


def report(left: AnnotationSet, right: AnnotationSet) -> str:
    """A plain-text agreement table for two sets (exact and overlap matching side by side)."""
    rows: list[Sequence[str]] = [("item", "A", "B", "F1 exact", "F1 overlap")]
    exact, overlap = span_scores(left, right, exact=True), span_scores(left, right, exact=False)
    for label, score in overlap.items():
        rows.append(
            (f"span {label}", str(score.a), str(score.b), f"{exact[label].f1:.2f}", f"{score.f1:.2f}")
        )
    att_e, att_o = attribution_score(left, right, exact=True), attribution_score(left, right, exact=False)
    rows.append(("attribution", str(att_o.a), str(att_o.b), f"{att_e.f1:.2f}", f"{att_o.f1:.2f}"))
    cl_e, cl_o = claim_agreement(left, right, exact=True), claim_agreement(left, right, exact=False)
    rows.append(
        ("claim", str(cl_o.spans.a), str(cl_o.spans.b), f"{cl_e.spans.f1:.2f}", f"{cl_o.spans.f1:.2f}")
    )
    lines = [_table(rows), "", "On claims matched by overlap:"]
    lines.append(
        f"  claimer agrees {cl_o.claimer_agrees}/{cl_o.matched}, factuality {cl_o.factuality_agrees}/{cl_o.matched}"
    )
    lines += ["", "Attributes of items matched by overlap (Cohen's kappa, Krippendorff's alpha, nominal):"]
    table: list[Sequence[str]] = [("attribute", "items", "observed", "kappa", "alpha")]
    for name, pairs in attribute_pairs(left, right, exact=False).items():
        found = reliability(pairs)
        if found is not None:
            kappa = "n/a" if found.kappa is None else f"{found.kappa:.2f}"
            alpha = "n/a" if found.alpha is None else f"{found.alpha:.2f}"
            table.append((name, str(found.items), f"{found.observed:.2f}", kappa, alpha))
    lines.append(_table(table))
    return "\n".join(lines) + "\n"


def _table(rows: Iterable[Sequence[str]]) -> str:
    rows = list(rows)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of predictions against a reference.

    With nothing predicted and nothing in the reference there is nothing to score: precision, recall and F1 are
    ``None`` (shown as "-"), never a perfect F1 beside a precision and recall of 0.
    """

    matched: int
    predicted: int
    reference: int

    @property
    def empty(self) -> bool:
        return self.predicted == self.reference == 0

    @property
    def precision(self) -> float | None:
        if self.empty:
            return None
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float | None:
        if self.empty:
            return None
        return self.matched / self.reference if self.reference else 0.0

    @property
    def f1(self) -> float | None:
        return None if self.empty else 2 * self.matched / (self.predicted + self.reference)

    def __add__(self, other: PRF) -> PRF:
        return PRF(
            self.matched + other.matched, self.predicted + other.predicted, self.reference + other.reference
        )

    def as_dict(self) -> dict[str, float | int | None]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "matched": self.matched,
            "predicted": self.predicted,
            "reference": self.reference,
            "precision": rounded(self.precision),
            "recall": rounded(self.recall),
            "f1": rounded(self.f1),
        }


ITEMS = (*(label.value for label in SpanLabel), "attribution")


def evaluate(predicted: AnnotationSet, reference: AnnotationSet) -> dict[str, dict[str, PRF]]:
    """Per span label and for attributions (source + cue + content + kind): P/R/F1, exact and by overlap."""
    result: dict[str, dict[str, PRF]] = {}
    for mode, exact in (("exact", True), ("overlap", False)):
        scores = {
            label: PRF(s.matched, s.a, s.b)
            for label, s in span_scores(predicted, reference, exact=exact).items()
        }
        attribution = attribution_score(predicted, reference, exact=exact)
        scores["attribution"] = PRF(attribution.matched, attribution.a, attribution.b)
        result[mode] = scores
    return result


GAMMA_INSTALL = "pip install 'claimbank[gamma]'  (or: pip install pygamma-agreement)"
Unit = tuple[str, float, float, str]  # annotator, start, end, category


class MissingDependency(RuntimeError):
    """An optional dependency is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Gamma:
    """γ over a continuum of units, with γ-cat (label agreement only) and γ per category."""

    gamma: float
    gamma_cat: float
    per_category: dict[str, float]
    annotators: tuple[str, ...]
    units: int
    library: str

    def as_dict(self) -> dict[str, object]:
        return {
            "gamma": round(self.gamma, 4),
            "gamma_cat": round(self.gamma_cat, 4),
            "per_label": {k: round(v, 4) for k, v in self.per_category.items()},
            "sets": list(self.annotators),
            "units": self.units,
            "library": self.library,
        }


def gamma(
    units: Iterable[Unit],
    *,
    alpha: float = 1.0,
    beta: float = 1.0,
    delta_empty: float = 1.0,
    precision_level: float = 0.05,
    seed: int = 4772,
    sampler: str = "statistical",
) -> Gamma:
    """γ of ``units`` with pygamma-agreement's combined categorical dissimilarity (``alpha`` weighs positions,
    ``beta`` categories, ``delta_empty`` an unmatched unit).

    The expected disorder is estimated from sampled continua (``sampler``: the library's default "statistical"
    sampler, or "shuffle", which shuffles the observed units); ``seed`` fixes numpy's generator for the call (its state is
    restored afterwards), so the same units give the same γ. Raises :class:`MissingDependency` without the library,
    and ``ValueError`` with fewer than two annotators.
    """
    try:
        import numpy as np
        from pyannote.core import Segment
        from pygamma_agreement import (
            CombinedCategoricalDissimilarity,
            Continuum,
            ShuffleContinuumSampler,
            StatisticalContinuumSampler,
        )
    except ImportError as missing:
        raise MissingDependency(f"span-aware agreement needs pygamma-agreement: {GAMMA_INSTALL}") from missing
    continuum = Continuum()
    count = 0
    for annotator, start, end, category in units:
        continuum.add(annotator, Segment(start, end), category)
        count += 1
    annotators = tuple(continuum.annotators)
    if len(annotators) < 2:
        raise ValueError("γ needs units from at least two annotation sets")
    dissimilarity = CombinedCategoricalDissimilarity(alpha=alpha, beta=beta, delta_empty=delta_empty)
    state = np.random.get_state()
    logging.disable(logging.WARNING)  # the library logs which MIP solver it picked, on every call
    try:
        np.random.seed(seed)
        chosen = {"statistical": StatisticalContinuumSampler, "shuffle": ShuffleContinuumSampler}[sampler]()
        result = continuum.compute_gamma(dissimilarity, sampler=chosen, precision_level=precision_level)
        per_category = {str(k): float(result.gamma_k(k)) for k in continuum.categories}
        value, value_cat = float(result.gamma), float(result.gamma_cat)
    finally:
        logging.disable(logging.NOTSET)
        np.random.set_state(state)
    try:
        library = f"pygamma-agreement {version('pygamma-agreement')}"
    except PackageNotFoundError:
        library = "pygamma-agreement"
    return Gamma(value, value_cat, per_category, annotators, count, library)


def span_units(sets: Sequence[AnnotationSet], labels: Iterable[SpanLabel] = tuple(SpanLabel)) -> list[Unit]:
    """The spans of ``sets`` with the given labels as γ units (set id, start, end, label); a span in fragments
    is a unit per fragment (γ's units are intervals: the hull would count the gap as annotated)."""
    wanted = set(labels)
    return [
        (s.id, start, end, span.label.value)
        for s in sets
        for span in s.spans
        if span.label in wanted
        for start, end in span.parts()
    ]


def gamma_report(found: Gamma) -> str:
    """The γ lines ``claimbank agree --gamma`` prints."""
    rows: list[Sequence[str]] = [("label", "gamma_k")]
    rows += [(label, f"{value:.2f}") for label, value in found.per_category.items()]
    return (
        f"Span-aware agreement over {', '.join(found.annotators)} ({found.units} spans; {found.library}):\n"
        f"  gamma {found.gamma:.3f}   gamma-cat {found.gamma_cat:.3f} (labels only)\n" + _table(rows) + "\n"
    )


def evaluate_many(
    pairs: Iterable[tuple[AnnotationSet | None, AnnotationSet]],
) -> dict[str, dict[str, PRF]]:
    """Micro-averaged :func:`evaluate` over documents: the counts of every (predicted, reference) pair summed per
    item, then P/R/F1 from the sums. A document with no prediction (``None``) counts its reference items as
    missed."""
    total: dict[str, dict[str, PRF]] = {"exact": {}, "overlap": {}}
    for predicted, reference in pairs:
        scores = evaluate(predicted if predicted is not None else _nothing(reference), reference)
        for mode, by_item in scores.items():
            for item, score in by_item.items():
                total[mode][item] = total[mode].get(item, PRF(0, 0, 0)) + score
    return {
        mode: {item: by_item[item] for item in ITEMS if item in by_item} for mode, by_item in total.items()
    }


def _nothing(reference: AnnotationSet) -> AnnotationSet:
    return reference.model_copy(update={"spans": [], "attributions": [], "claims": []})
