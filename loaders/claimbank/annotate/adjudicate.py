"""A draft gold from independent passes: what a majority agrees on, and every disagreement listed for a person.

The rule (documented in docs/agreement.md, "Adjudication"):

1. **Spans.** Within a label, spans with the same offsets are one *variant*; variants are grouped into *units* by
   overlap, the variant most passes share first, each pass at most once per unit (the best-overlapping unit).
   A unit is kept when a majority of the passes (more than half) has it. Its offsets are those of its most shared
   variant; when no majority has exactly those offsets it is kept with them and listed as a boundary disagreement.
   Attributes (source type, cue type, modality type, ``refers_to``) take the majority's value, else the value of
   the most shared variant, listed.
2. **Attributions** are the same when their cue and content units are; one is kept when a majority of the passes
   has it. Its kind, source and ``nested_in`` take the majority's value, else the first pass's (listed); a source
   whose span is not in the draft is dropped (the attribution keeps no source, listed).
3. **Claims** are the same when their CLAIM span units are; one is kept when a majority has it. Claimer (with its
   attribution), factuality and each modality link take the majority's value, else the first pass's (listed); a
   claim whose attribution is not in the draft is left out, listed.

Ties go to the pass named first. Every item some pass lacks, every boundary variant and every attribute the passes
disagree on is a :class:`Disagreement`; the draft records which passes had each of its items in its ``note``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet, Document, Span
from claimbank.format.vocab import SpanLabel

ADJUDICATOR = "claimbank-adjudicate"
SPAN_ATTRIBUTES = ("source_type", "cue_type", "modality_type")
K = TypeVar("K", bound=Hashable)
AttKey = tuple[int, int]  # the units of an attribution's cue and content


@dataclass
class _Variant:
    label: SpanLabel
    start: int
    end: int
    text: str
    spans: dict[str, Span] = field(default_factory=dict)  # pass id -> its span with these offsets
    fragments: tuple[tuple[int, int, str], ...] = ()  # a span in fragments: each one's offsets and text


@dataclass
class _Unit:
    variants: list[_Variant]

    @property
    def seed(self) -> _Variant:
        return self.variants[0]

    @property
    def passes(self) -> set[str]:
        return {p for v in self.variants for p in v.spans}

    def span_of(self, pass_id: str) -> Span | None:
        return next((v.spans[pass_id] for v in self.variants if pass_id in v.spans), None)


@dataclass(frozen=True)
class Disagreement:
    """One place where the passes differ, with what the draft does about it."""

    layer: str  # "span", "attribution" or "claim"
    item: str  # the item's id in the draft, or "" when it was left out
    what: str  # the label, kind or attribute concerned
    text: str  # the item's text (a span's, or "source | cue | content")
    had: tuple[str, ...]  # the passes that had the item
    decision: str
    variants: dict[str, str]  # pass id -> what that pass had ("" for nothing)

    def as_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "item": self.item or None,
            "what": self.what,
            "text": self.text,
            "had": list(self.had),
            "decision": self.decision,
            "variants": self.variants,
        }


@dataclass(frozen=True)
class Adjudication:
    """The draft set, the passes it came from, and what a person still has to decide."""

    draft: AnnotationSet
    passes: tuple[str, ...]
    majority: int
    disagreements: list[Disagreement]
    provenance: dict[str, tuple[str, ...]]  # draft item id -> the passes that had it


def _overlap(a: _Variant, b: _Variant) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def _units(passes: Sequence[AnnotationSet]) -> list[_Unit]:
    variants: dict[tuple[SpanLabel, int, int, tuple[tuple[int, int], ...]], _Variant] = {}
    for annotation_set in passes:
        for span in annotation_set.spans:
            # The same offsets in other fragments are another variant (of the same unit: they overlap).
            pieces = tuple((f.start, f.end, f.text) for f in span.fragments or ())
            variant = variants.setdefault(
                (span.label, span.start, span.end, tuple(p[:2] for p in pieces)),
                _Variant(span.label, span.start, span.end, span.text, fragments=pieces),
            )
            variant.spans.setdefault(annotation_set.id, span)
    order = {p.id: i for i, p in enumerate(passes)}
    ranked = sorted(
        variants.values(),
        key=lambda v: (-len(v.spans), min(order[p] for p in v.spans), v.start, v.end),
    )
    units: list[_Unit] = []
    for variant in ranked:
        fits = [
            u
            for u in units
            if u.seed.label == variant.label
            and not (u.passes & variant.spans.keys())
            and _overlap(u.seed, variant) > 0
        ]
        if fits:
            best = max(fits, key=lambda u: (_overlap(u.seed, variant), -abs(u.seed.start - variant.start)))
            best.variants.append(variant)
        else:
            units.append(_Unit([variant]))
    return units


def _vote(values: Mapping[str, K], order: Sequence[str], majority: int) -> tuple[K | None, bool]:
    """The value held by a majority (``True``), else the first pass's value (``False``)."""
    counts = Counter(values.values())
    if counts:
        value, count = max(
            counts.items(), key=lambda kv: (kv[1], -min(order.index(p) for p in values if values[p] == kv[0]))
        )
        if count >= majority:
            return value, True
    first = next((values[p] for p in order if p in values), None)
    return first, False


def adjudicate(
    document: Document,
    passes: Sequence[AnnotationSet],
    *,
    set_id: str = "draft",
    created_at: str | None = None,
) -> Adjudication:
    """The draft gold of ``passes`` (two or more sets of ``document``) and the disagreements among them."""
    names = [p.id for p in passes]
    majority = len(passes) // 2 + 1
    units = _units(passes)
    unit_of: dict[tuple[str, str], int] = {}
    for index, unit in enumerate(units):
        for variant in unit.variants:
            for pass_id, span in variant.spans.items():
                unit_of[(pass_id, span.id)] = index
    disagreements: list[Disagreement] = []

    def had(pass_ids: set[str] | Sequence[str]) -> tuple[str, ...]:
        return tuple(p for p in names if p in pass_ids)

    def support(pass_ids: set[str]) -> str:
        return f"{len(pass_ids)} of {len(names)}"

    # Spans: kept units get ids in text order.
    kept = sorted(
        (i for i, u in enumerate(units) if len(u.passes) >= majority),
        key=lambda i: (units[i].seed.start, units[i].seed.end, list(SpanLabel).index(units[i].seed.label)),
    )
    span_id = {index: f"s{n}" for n, index in enumerate(kept, 1)}
    provenance: dict[str, tuple[str, ...]] = {}
    spans: list[dict[str, Any]] = []
    for index, unit in enumerate(units):
        seed = unit.seed
        item = span_id.get(index, "")
        variants = {p: _variant_text(unit, p) for p in names}
        if not item:
            disagreements.append(
                Disagreement(
                    "span",
                    "",
                    seed.label.value,
                    seed.text,
                    had(unit.passes),
                    f"left out ({support(unit.passes)} passes)",
                    variants,
                )
            )
            continue
        provenance[item] = had(unit.passes)
        if len(unit.passes) < len(names):
            disagreements.append(
                Disagreement(
                    "span",
                    item,
                    seed.label.value,
                    seed.text,
                    had(unit.passes),
                    f"kept ({support(unit.passes)} passes)",
                    variants,
                )
            )
        if len(unit.variants) > 1:
            exact = len(seed.spans) >= majority
            decision = (
                f"offsets of the {len(seed.spans)} passes that agree exactly"
                if exact
                else f"offsets of {had(set(seed.spans))[0]}: no majority on exact offsets"
            )
            disagreements.append(
                Disagreement(
                    "span",
                    item,
                    f"{seed.label.value} boundaries",
                    seed.text,
                    had(unit.passes),
                    decision,
                    variants,
                )
            )
        data: dict[str, Any] = {
            "id": item,
            "label": seed.label.value,
            "start": seed.start,
            "end": seed.end,
            "text": seed.text,
        }
        if seed.fragments:
            data["fragments"] = [{"start": a, "end": b, "text": t} for a, b, t in seed.fragments]
        for name in SPAN_ATTRIBUTES:
            values = {
                p: str(getattr(s, name))
                for p in names
                if (s := unit.span_of(p)) is not None and hasattr(s, name)
            }
            if not values:
                continue
            value, agreed = _vote(values, names, majority)
            data[name] = value
            if len(set(values.values())) > 1:
                disagreements.append(
                    Disagreement(
                        "span",
                        item,
                        name,
                        seed.text,
                        had(unit.passes),
                        f"{value}" + ("" if agreed else " (no majority: the first pass's)"),
                        {p: values.get(p, "") for p in names},
                    )
                )
        referents = {
            p: unit_of[(p, referent)]
            for p in names
            if (s := unit.span_of(p)) is not None and (referent := _refers_to(s)) is not None
        }
        if referents or seed.label == SpanLabel.SOURCE:
            votes = {p: referents.get(p, -1) for p in unit.passes}  # -1: refers to nothing
            voted, agreed = _vote(votes, names, majority)
            target = -1 if voted is None else voted
            chosen = span_id.get(target, "")
            if chosen:
                data["refers_to"] = chosen
            if len(set(votes.values())) > 1:
                disagreements.append(
                    Disagreement(
                        "span",
                        item,
                        "refers_to",
                        seed.text,
                        had(unit.passes),
                        (f"refers to {chosen} “{units[target].seed.text}”" if chosen else "refers to nothing")
                        + ("" if agreed else " (no majority: the first pass's)"),
                        {p: (units[v].seed.text if v >= 0 else "") for p, v in votes.items()},
                    )
                )
        spans.append(data)

    # Attributions: the same when their cue and content units are; kind and source are voted on.
    att_passes: dict[AttKey, dict[str, Any]] = {}
    att_key_of: dict[tuple[str, str], AttKey] = {}
    for annotation_set in passes:
        for attribution in annotation_set.attributions:
            key: AttKey = (
                unit_of[(annotation_set.id, attribution.cue)],
                unit_of[(annotation_set.id, attribution.content)],
            )
            att_passes.setdefault(key, {}).setdefault(annotation_set.id, attribution)
            att_key_of[(annotation_set.id, attribution.id)] = key

    def source_unit(pass_id: str, attribution: Any) -> int:
        return unit_of[(pass_id, attribution.source)] if attribution.source else -1  # -1: no source named

    def att_text(source: int, key: AttKey) -> str:
        named = units[source].seed.text if source >= 0 else "(unnamed)"
        return f"{named} | {units[key[0]].seed.text} | {units[key[1]].seed.text}"

    kept_atts = sorted(
        (k for k, found in att_passes.items() if len(found) >= majority),
        key=lambda k: (units[k[0]].seed.start, units[k[1]].seed.start),
    )
    att_id = {key: f"a{n}" for n, key in enumerate(kept_atts, 1)}
    attributions: list[dict[str, Any]] = []
    for key, found in att_passes.items():
        item = att_id.get(key, "")
        kinds = {p: a.kind.value for p, a in found.items()}
        sources = {p: source_unit(p, a) for p, a in found.items()}
        kind, kind_agreed = _vote(kinds, names, majority)
        voted, source_agreed = _vote(sources, names, majority)
        source = -1 if voted is None else voted
        shown = att_text(source, key)
        variants = {p: (f"{kinds[p]}: {att_text(sources[p], key)}" if p in found else "") for p in names}
        if not item:
            disagreements.append(
                Disagreement(
                    "attribution",
                    "",
                    str(kind),
                    shown,
                    had(set(found)),
                    f"left out ({support(set(found))} passes)",
                    variants,
                )
            )
            continue
        provenance[item] = had(set(found))
        if len(found) < len(names):
            disagreements.append(
                Disagreement(
                    "attribution",
                    item,
                    str(kind),
                    shown,
                    had(set(found)),
                    f"kept ({support(set(found))} passes)",
                    variants,
                )
            )
        if len(set(kinds.values())) > 1:
            disagreements.append(
                Disagreement(
                    "attribution",
                    item,
                    "kind",
                    shown,
                    had(set(found)),
                    f"{kind}" + ("" if kind_agreed else " (no majority: the first pass's)"),
                    {p: kinds.get(p, "") for p in names},
                )
            )
        if source >= 0 and source not in span_id:
            source, source_agreed = -1, False  # the voted source span did not make it into the draft
        if len(set(sources.values())) > 1 or not source_agreed:
            disagreements.append(
                Disagreement(
                    "attribution",
                    item,
                    "source",
                    shown,
                    had(set(found)),
                    (f"{span_id[source]} “{units[source].seed.text}”" if source >= 0 else "no source")
                    + ("" if source_agreed else " (no majority: the first pass's, if in the draft)"),
                    {p: (units[v].seed.text if v >= 0 else "(unnamed)") for p, v in sources.items()},
                )
            )
        data = {"id": item, "kind": kind, "cue": span_id[key[0]], "content": span_id[key[1]]}
        if source >= 0:
            data["source"] = span_id[source]
        outer = {p: (att_key_of[(p, a.nested_in)] if a.nested_in else None) for p, a in found.items()}
        nested, _ = _vote(outer, names, majority)
        if nested is not None and nested in att_id:
            data["nested_in"] = att_id[nested]
        attributions.append(data)
    attributions.sort(key=lambda a: int(a["id"][1:]))

    # Claims: the same when their CLAIM span units are.
    claim_passes: dict[int, dict[str, Any]] = {}
    for annotation_set in passes:
        for claim in annotation_set.claims:
            claim_passes.setdefault(unit_of[(annotation_set.id, claim.span)], {}).setdefault(
                annotation_set.id, claim
            )
    claims: list[dict[str, Any]] = []
    for unit_index in sorted(claim_passes, key=lambda i: (units[i].seed.start, units[i].seed.end)):
        found = claim_passes[unit_index]
        text = units[unit_index].seed.text
        who: dict[str, tuple[str, AttKey | None]] = {
            p: (c.claimer.value, att_key_of.get((p, getattr(c, "attribution", None) or "")))
            for p, c in found.items()
        }
        variants = {p: (f"{who[p][0]}, {found[p].factuality.value}" if p in found else "") for p in names}
        if len(found) < majority:
            disagreements.append(
                Disagreement(
                    "claim",
                    "",
                    "claim",
                    text,
                    had(set(found)),
                    f"left out ({support(set(found))} passes)",
                    variants,
                )
            )
            continue
        winner, claimer_agreed = _vote(who, names, majority)
        claimer, att_key = winner if winner is not None else next(iter(who.values()))
        if claimer != "author" and (att_key is None or att_key not in att_id):
            disagreements.append(
                Disagreement(
                    "claim",
                    "",
                    "claimer",
                    text,
                    had(set(found)),
                    "left out: its attribution is not in the draft",
                    variants,
                )
            )
            continue
        item = f"c{len(claims) + 1}"
        provenance[item] = had(set(found))
        if len(found) < len(names):
            disagreements.append(
                Disagreement(
                    "claim",
                    item,
                    "claim",
                    text,
                    had(set(found)),
                    f"kept ({support(set(found))} passes)",
                    variants,
                )
            )
        if len(set(who.values())) > 1:
            disagreements.append(
                Disagreement(
                    "claim",
                    item,
                    "claimer",
                    text,
                    had(set(found)),
                    claimer + ("" if claimer_agreed else " (no majority: the first pass's)"),
                    {p: (who[p][0] if p in who else "") for p in names},
                )
            )
        factualities = {p: c.factuality.value for p, c in found.items()}
        factuality, agreed = _vote(factualities, names, majority)
        if len(set(factualities.values())) > 1:
            disagreements.append(
                Disagreement(
                    "claim",
                    item,
                    "factuality",
                    text,
                    had(set(found)),
                    f"{factuality}" + ("" if agreed else " (no majority: the first pass's)"),
                    {p: factualities.get(p, "") for p in names},
                )
            )
        links = Counter(unit_of[(p, m)] for p, c in found.items() for m in c.modality)
        modality = [span_id[m] for m, n in sorted(links.items()) if n >= majority and m in span_id]
        if any(n < len(found) for n in links.values()):
            disagreements.append(
                Disagreement(
                    "claim",
                    item,
                    "modality",
                    text,
                    had(set(found)),
                    " ".join(modality) or "none",
                    {
                        p: " ".join(units[unit_of[(p, m)]].seed.text for m in c.modality)
                        for p, c in found.items()
                    },
                )
            )
        data = {
            "id": item,
            "span": span_id[unit_index],
            "claimer": claimer,
            "factuality": factuality,
            "modality": modality,
        }
        if claimer != "author" and att_key is not None:
            data["attribution"] = att_id[att_key]
        claims.append(data)

    note = (
        f"Draft by {ADJUDICATOR} from {', '.join(names)}: an item is kept when at least {majority} of the "
        f"{len(names)} passes have it (docs/agreement.md, Adjudication); {len(disagreements)} disagreement(s) to "
        "decide. Which passes had each item: "
        + "; ".join(f"{item} {'+'.join(found)}" for item, found in provenance.items())
        + "."
    )
    draft = AnnotationSet.model_validate(
        {
            "id": set_id,
            "annotator": ADJUDICATOR,
            "origin": "manual",
            "created_at": created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "gold": False,
            "adjudicated_from": names,
            "note": note,
            "spans": sorted(spans, key=lambda s: int(s["id"][1:])),
            "attributions": attributions,
            "claims": claims,
        }
    )
    return Adjudication(draft, tuple(names), majority, disagreements, provenance)


def _refers_to(span: Span) -> str | None:
    referent: str | None = getattr(span, "refers_to", None)
    return referent


def _variant_text(unit: _Unit, pass_id: str) -> str:
    span = unit.span_of(pass_id)
    return "" if span is None else f"{span.text} [{span.start}, {span.end})"


def with_draft(document: Document, draft: AnnotationSet) -> dict[str, Any]:
    """``document`` as data, with ``draft`` added (replacing a set of the same id)."""
    data = canonical(document)
    sets = [s for s in data["annotation_sets"] if s["id"] != draft.id]
    sets.append(draft.model_dump(mode="json", exclude_none=True))
    data["annotation_sets"] = sets
    return data
