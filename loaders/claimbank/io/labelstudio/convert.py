"""Label Studio ⇄ ClaimBank: the labeling config, and paired converters between annotation sets and LS results.

Mapping (one table, used both ways):

- a span is a text region (``from_name`` "label") whose region id is the span id;
- span attributes and claim attributes are per-region choices on the same region id (``source_type``,
  ``cue_type``, ``modality_type``, ``kind`` on a CUE, ``claimer`` and ``factuality`` on a CLAIM);
- references are relations between regions: SOURCE→CUE "source", CUE→CONTENT "content", inner CUE→outer CUE
  "nested_in", SOURCE→referent "refers_to", CLAIM→CONTENT "claimed_in", CLAIM→MODALITY "modality";
- a span in fragments (Label Studio has no discontinuous region) is one region per fragment with the span's
  label: the first carries the span's id and everything said about the span, and a "fragment" relation leads
  from it to each later one (region ids ``<span id>~2``, ``~3``, …; any id drawn in the UI does as well);
- attribution and claim ids ride along in the region's ``meta.text``, each naming its layer
  ("claimbank:attribution:E1", "claimbank:claim:c2"), so that a round trip keeps any id; attributions and claims
  drawn in the Label Studio UI get the next free ids. (Tasks pushed before the layer was named carry
  "claimbank:a3" / "claimbank:c2", read by the id's first letter.)

Offsets are code points on both sides (Label Studio 1.x), so they are copied, never converted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from claimbank.format import fields, vocab
from claimbank.format.vocab import (
    AttributionKind,
    Claimer,
    Factuality,
    SpanLabel,
    Vocabulary,
)
from claimbank.io.labelstudio.shape import check_task
from claimbank.validate.checks import trim
from claimbank.validate.problems import ProblemSink

FROM_LABEL = "label"
TO_NAME = "text"
# per-region choices: name -> (vocabulary, the span label whose regions carry it)
# The span attributes come from the table of fields (each on the regions of the one label that carries it); an
# attribution's kind rides on its CUE, a claim's claimer and factuality on its CLAIM.
SPAN_ATTRIBUTES = fields.span_attributes()
_LABELS = {label.value: label for label in SpanLabel}
CHOICES: dict[str, tuple[type[Vocabulary], SpanLabel]] = {
    **{
        spec.name: (getattr(vocab, spec.vocabulary or ""), _LABELS[spec.carried_by[0]])
        for spec in fields.attributes("span")
    },
    "kind": (AttributionKind, SpanLabel.CUE),
    "claimer": (Claimer, SpanLabel.CLAIM),
    "factuality": (Factuality, SpanLabel.CLAIM),
}
RELATIONS = {
    "source": "SOURCE → CUE: who is attributed through this cue",
    "content": "CUE → CONTENT: what is attributed",
    "nested_in": "CUE → CUE: this attribution lies inside the content of that one",
    "refers_to": "SOURCE → ENTITY or SOURCE: what a pronoun source refers to",
    "claimed_in": "CLAIM → CONTENT: the attribution (or non-attribution) whose content holds the claim",
    "modality": "CLAIM → MODALITY: a hedge or booster of the claim",
    "fragment": "first part → a later part of the same span (a quote broken by 'he said'): one span in fragments",
}
FRAGMENT_ID = (
    "~"  # a later fragment's region id: <span id>~<n> (no span id holds it: ids are [A-Za-z0-9_.:-])
)
COLOURS = {
    SpanLabel.SOURCE: "#f08c00",
    SpanLabel.CUE: "#1c7ed6",
    SpanLabel.CONTENT: "#37b24d",
    SpanLabel.CLAIM: "#c2255c",
    SpanLabel.ENTITY: "#7048e8",
    SpanLabel.MODALITY: "#fab005",
}


def labeling_config() -> str:
    """The Label Studio labeling config, generated from the vocabulary with an XML library (so text is escaped)."""
    view = ET.Element("View")
    relations = ET.SubElement(view, "Relations")
    for name, hint in RELATIONS.items():
        ET.SubElement(relations, "Relation", value=name, hint=hint)
    labels = ET.SubElement(view, "Labels", name=FROM_LABEL, toName=TO_NAME)
    for label in SpanLabel:
        ET.SubElement(labels, "Label", value=label.value, background=COLOURS[label], hint=label.description)
    ET.SubElement(view, "Text", name=TO_NAME, value="$text")
    for name, (vocabulary, label) in CHOICES.items():
        box = ET.SubElement(view, "View", visibleWhen="region-selected", whenLabelValue=label.value)
        ET.SubElement(box, "Header", value=f"{name} ({label.value})")
        # Label Studio checks a required per-region choice on the regions its own whenTagName/whenLabelValue
        # select (the enclosing View's are not consulted): without them every region would need every choice.
        choices = ET.SubElement(
            box,
            "Choices",
            name=name,
            toName=TO_NAME,
            perRegion="true",
            choice="single",
            required="true",
            requiredMessage=f"Pick the {name} of the selected {label.value} region",
            visibleWhen="region-selected",
            whenTagName=FROM_LABEL,
            whenLabelValue=label.value,
        )
        for member in vocabulary:
            ET.SubElement(choices, "Choice", value=member.value, hint=member.description)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def task(
    document: dict[str, Any], prediction: dict[str, Any] | None = None, model_version: str = ""
) -> dict[str, Any]:
    """A Label Studio task for a document (canonical JSON form), with one annotation set as its prediction.

    The task keeps the document id and the text's sha256, so that importing again can find the task it made.
    """
    made: dict[str, Any] = {
        "data": {"text": document["text"], "document_id": document["id"], "sha256": document["sha256"]}
    }
    if prediction is not None:
        version = (
            model_version
            or prediction.get("model_version")
            or f"{prediction['annotator']}:{prediction['id']}"
        )
        made["predictions"] = [{"model_version": version, "result": to_results(prediction)}]
    return made


def _meta(carried: list[tuple[str, str]]) -> dict[str, Any]:
    """The region meta that carries (layer, id) pairs: ("attribution", "a3") -> "claimbank:attribution:a3"."""
    return {"meta": {"text": [f"claimbank:{layer}:{i}" for layer, i in carried]}} if carried else {}


def to_results(annotation_set: dict[str, Any]) -> list[dict[str, Any]]:
    """An annotation set (canonical JSON form) as a Label Studio ``result`` list."""
    spans = {s["id"]: s for s in annotation_set.get("spans", [])}
    carried: dict[str, list[tuple[str, str]]] = {}
    for attribution in annotation_set.get("attributions", []):
        carried.setdefault(attribution["cue"], []).append(("attribution", attribution["id"]))
    for claim in annotation_set.get("claims", []):
        carried.setdefault(claim["span"], []).append(("claim", claim["id"]))
    results: list[dict[str, Any]] = []
    for span in spans.values():
        first, *later = span.get("fragments") or [span]
        where = {"start": first["start"], "end": first["end"], "text": first["text"]}
        results.append(
            {
                "id": span["id"],
                "from_name": FROM_LABEL,
                "to_name": TO_NAME,
                "type": "labels",
                "value": {**where, "labels": [span["label"]]},
                **_meta(carried.get(span["id"], [])),
                # A predicted span's confidence is the region's score, which Label Studio shows on it.
                **({"score": span["confidence"]} if "confidence" in span else {}),
            }
        )
        for name in SPAN_ATTRIBUTES:
            if name in span:
                results.append(_choice(span["id"], name, span[name], where))
        for number, fragment in enumerate(later, start=2):
            results += _fragment_region(span, number, fragment)
    for attribution in annotation_set.get("attributions", []):
        cue = spans[attribution["cue"]]
        results.append(_choice(cue["id"], "kind", attribution["kind"], _where(cue)))
        if "source" in attribution:
            results.append(_relation(attribution["source"], attribution["cue"], "source"))
        content = _relation(attribution["cue"], attribution["content"], "content")
        if "confidence" in attribution:  # the attribution's confidence rides on its cue → content relation
            content["score"] = attribution["confidence"]
        results.append(content)
        if "nested_in" in attribution:
            outer = next(a for a in annotation_set["attributions"] if a["id"] == attribution["nested_in"])
            results.append(_relation(attribution["cue"], outer["cue"], "nested_in"))
    for span in spans.values():
        if "refers_to" in span:
            results.append(_relation(span["id"], span["refers_to"], "refers_to"))
    attributions = {a["id"]: a for a in annotation_set.get("attributions", [])}
    for claim in annotation_set.get("claims", []):
        region = spans[claim["span"]]
        results.append(_choice(region["id"], "claimer", claim["claimer"], _where(region)))
        results.append(_choice(region["id"], "factuality", claim["factuality"], _where(region)))
        if "attribution" in claim:
            results.append(
                _relation(claim["span"], attributions[claim["attribution"]]["content"], "claimed_in")
            )
        for modality in claim.get("modality", []):
            results.append(_relation(claim["span"], modality, "modality"))
    return _dedupe(results)


def _fragment_region(span: dict[str, Any], number: int, fragment: dict[str, Any]) -> list[dict[str, Any]]:
    """A later fragment of a span: its region (the span's label, and the span's choices, which the config
    requires of every region of the label), and the "fragment" relation from the span's first region."""
    region_id = f"{span['id']}{FRAGMENT_ID}{number}"
    where = {"start": fragment["start"], "end": fragment["end"], "text": fragment["text"]}
    region = {"id": region_id, "from_name": FROM_LABEL, "to_name": TO_NAME, "type": "labels"}
    made: list[dict[str, Any]] = [{**region, "value": {**where, "labels": [span["label"]]}}]
    made += [_choice(region_id, name, span[name], where) for name in SPAN_ATTRIBUTES if name in span]
    return [*made, _relation(span["id"], region_id, "fragment")]


def _where(span: dict[str, Any]) -> dict[str, Any]:
    first = (span.get("fragments") or [span])[0]
    return {"start": first["start"], "end": first["end"], "text": first["text"]}


def _choice(region: str, name: str, value: str, where: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": region,
        "from_name": name,
        "to_name": TO_NAME,
        "type": "choices",
        "value": {**where, "choices": [value]},
    }


def _relation(source: str, target: str, label: str) -> dict[str, Any]:
    return {"from_id": source, "to_id": target, "type": "relation", "direction": "right", "labels": [label]}


def _dedupe(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    unique = []
    for item in results:
        key = repr(sorted(item.items()))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


_LEGACY_PREFIX = {"attribution": "a", "claim": "c"}


def _carried(region: dict[str, Any], layer: str) -> list[str]:
    """The ids of ``layer`` ("attribution" or "claim") that a region's meta carries."""
    texts = region.get("meta", {}).get("text", []) if isinstance(region.get("meta"), dict) else []
    ids = []
    for text in texts:
        if not isinstance(text, str) or not text.startswith("claimbank:"):
            continue
        named, _, rest = text.removeprefix("claimbank:").partition(":")
        if named in _LEGACY_PREFIX:
            if named == layer and rest:
                ids.append(rest)
        elif text.removeprefix("claimbank:").startswith(_LEGACY_PREFIX[layer]):
            ids.append(text.removeprefix("claimbank:"))  # the form before layers were named
    return ids


class _Ids:
    """Hands out ids: the carried one when there is one, else the next ``<prefix><n>`` nobody carries or uses."""

    def __init__(self, prefix: str, reserved: set[str]) -> None:
        self.prefix, self.reserved, self.used, self.next = prefix, reserved, set[str](), 1

    def take(self, carried: list[str]) -> str:
        for candidate in carried:
            if candidate not in self.used:
                self.used.add(candidate)
                carried.remove(candidate)
                return candidate
        while f"{self.prefix}{self.next}" in self.reserved or f"{self.prefix}{self.next}" in self.used:
            self.next += 1
        self.used.add(f"{self.prefix}{self.next}")
        return f"{self.prefix}{self.next}"


def from_results(results: list[dict[str, Any]], text: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The spans, attributions and claims of a Label Studio ``result`` list (the inverse of :func:`to_results`).

    ``text``, the task's text, gives a span in fragments its own text (the stretch they cover, gaps included,
    which no region holds); a result with such a span needs it."""
    regions = {r["id"]: r for r in results if r.get("type") == "labels" and r.get("from_name") == FROM_LABEL}
    choices: dict[str, dict[str, str]] = {}
    order: dict[str, list[str]] = {}
    for item in results:
        if (
            item.get("type") == "choices"
            and item.get("from_name") in CHOICES
            and item.get("value", {}).get("choices")
        ):
            choices.setdefault(item["id"], {})[item["from_name"]] = item["value"]["choices"][0]
            order.setdefault(item["from_name"], []).append(item["id"])
    relations = [r for r in results if r.get("type") == "relation" and r.get("labels")]

    # Relations by their ends, so that each lookup is one step (a scan of every relation per region grew with the
    # square of the regions: 16,000 took 47 s).
    by_source: dict[tuple[str, str], list[str]] = {}
    by_target: dict[tuple[str, str], list[str]] = {}
    for r in relations:
        by_source.setdefault((r["from_id"], r["labels"][0]), []).append(r["to_id"])
        by_target.setdefault((r["to_id"], r["labels"][0]), []).append(r["from_id"])

    def targets(source: str, label: str) -> list[str]:
        return list(by_source.get((source, label), ()))

    def sources(target: str, label: str) -> list[str]:
        return list(by_target.get((target, label), ()))

    parts = fragment_parts(regions, relations)
    later = {part for chain in parts.values() for part in chain}
    spans = []
    for region_id, region in regions.items():
        if region_id in later:
            continue  # a later fragment: part of the span of its first region
        value = region["value"]
        span: dict[str, Any] = {
            "id": region_id,
            "label": value["labels"][0],
            "start": value["start"],
            "end": value["end"],
            "text": value["text"],
        }
        if parts.get(region_id):
            if text is None:
                raise ValueError(f"region {region_id} has fragments: from_results needs the task's text")
            span |= _joined([value, *(regions[part]["value"] for part in parts[region_id])], text)
        for name in SPAN_ATTRIBUTES:
            if name in choices.get(region_id, {}):
                span[name] = choices[region_id][name]
        referents = targets(region_id, "refers_to")
        if referents:
            span["refers_to"] = referents[0]
        if region.get("score") is not None:
            span["confidence"] = region["score"]
        spans.append(span)

    taken = {t for r in regions.values() for t in _carried(r, "attribution") + _carried(r, "claim")}
    attribution_ids, claim_ids = _Ids("a", set(taken)), _Ids("c", set(taken))
    carried = {region_id: _carried(region, "attribution") for region_id, region in regions.items()}
    attributions = []
    by_content: dict[str, str] = {}
    cue_of: dict[str, str] = {}
    for relation in relations:
        if relation["labels"][0] != "content":
            continue
        cue, content = relation["from_id"], relation["to_id"]
        attribution: dict[str, Any] = {
            "id": attribution_ids.take(carried.get(cue, [])),
            "kind": choices[cue]["kind"],  # never a default: check_complete asks for it
            "cue": cue,
            "content": content,
        }
        found_sources = sources(cue, "source")
        if found_sources:
            attribution["source"] = found_sources[0]
        if relation.get("score") is not None:
            attribution["confidence"] = relation["score"]
        attributions.append(attribution)
        by_content.setdefault(content, attribution["id"])
        cue_of.setdefault(cue, attribution["id"])
    for attribution in attributions:
        outer = targets(attribution["cue"], "nested_in")
        if outer and outer[0] in cue_of:
            attribution["nested_in"] = cue_of[outer[0]]

    claims = []
    for region_id in order.get("claimer", []):
        claim: dict[str, Any] = {
            "id": claim_ids.take(_carried(regions[region_id], "claim")),
            "span": region_id,
        }
        claim["factuality"] = choices[region_id]["factuality"]  # never a default: check_complete asks for it
        claim["modality"] = targets(region_id, "modality")
        claim["claimer"] = choices[region_id]["claimer"]
        contents = targets(region_id, "claimed_in")
        if contents and contents[0] in by_content:
            claim["attribution"] = by_content[contents[0]]
        claims.append(claim)
    return {"spans": spans, "attributions": attributions, "claims": claims}


def fragment_parts(
    regions: dict[str, dict[str, Any]], relations: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """First region id -> the regions of its later fragments, following "fragment" relations (a chain drawn
    part to part in the UI counts too); a region reached from two first regions stays with the first."""
    following: dict[str, list[str]] = {}
    for relation in relations:
        if relation["labels"][0] == "fragment" and {relation["from_id"], relation["to_id"]} <= set(regions):
            following.setdefault(relation["from_id"], []).append(relation["to_id"])
    reached = {target for targets in following.values() for target in targets}
    parts: dict[str, list[str]] = {}
    taken: set[str] = set()
    for head in following:
        if head in reached:
            continue
        chain, todo = [], list(following[head])
        while todo:
            part = todo.pop(0)
            if part in taken or part == head:
                continue
            taken.add(part)
            chain.append(part)
            todo += following.get(part, [])
        parts[head] = chain
    return parts


def _joined(values: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """A span's offsets, text and fragments from its regions' values, in text order."""
    pieces = sorted((v["start"], v["end"], v["text"]) for v in values)
    fragments = [{"start": start, "end": end, "text": piece} for start, end, piece in pieces]
    return _hull(fragments, text)


def _hull(fragments: list[dict[str, Any]], text: str) -> dict[str, Any]:
    """Offsets and text of the stretch the fragments cover, with the fragments."""
    start, end = fragments[0]["start"], max(f["end"] for f in fragments)
    return {
        "start": start,
        "end": end,
        "text": text[start:end] if type(start) is type(end) is int else "",
        "fragments": fragments,
    }


def _annotation_id(annotation: dict[str, Any], position: int) -> str:
    """The annotation's own id, or (when it has none usable: null, a list, …) its position in the task, so that
    annotations without ids do not collapse into one set."""
    given = annotation.get("id")
    if isinstance(given, str) or (isinstance(given, int) and not isinstance(given, bool)):
        return str(given)
    return f"at-{position}"


def _annotator(completed_by: Any) -> str:
    if isinstance(completed_by, dict):
        return str(
            completed_by.get("email")
            or completed_by.get("username")
            or f"label-studio-user-{completed_by.get('id')}"
        )
    return f"label-studio-user-{completed_by}"


def _timestamp(value: Any) -> str:
    """Label Studio's ``created_at`` as RFC 3339 with a zone (it writes ``…Z`` or ``…+00:00``, a server in
    another zone ``…-05:00``; keep it). Only a time with no zone at all gets ``Z``."""
    text = str(value or "1970-01-01T00:00:00Z")
    return text if text.endswith(("Z", "z")) or _ZONE.search(text[10:]) else text + "Z"


_ZONE = re.compile(r"[+-]\d\d:?\d\d$")


def missing_choices(results: list[dict[str, Any]]) -> list[str]:
    """What an annotator left unpicked or unlinked, one phrase per region; empty when the result is complete.

    Every choice of :data:`CHOICES` is required on the regions of its label (the generated config says so too):
    an unpicked one is never guessed (a claim's factuality is not "Uu" because nobody chose). A CUE's ``kind``
    is needed once the cue has content; a claim whose claimer is a source or nobody needs a ``claimed_in`` link
    to the content of an attribution.
    """
    regions = {r["id"]: r for r in results if r.get("type") == "labels" and r.get("from_name") == FROM_LABEL}
    chosen: dict[str, dict[str, str]] = {}
    for item in results:
        if item.get("type") == "choices" and item.get("value", {}).get("choices"):
            chosen.setdefault(str(item.get("id")), {})[str(item.get("from_name"))] = item["value"]["choices"][
                0
            ]
    links = {
        (r["from_id"], r["labels"][0], r["to_id"])
        for r in results
        if r.get("type") == "relation" and r.get("labels")
    }
    contents = {to for _, label, to in links if label == "content"}
    # A later fragment of a span (a "fragment" relation leads to it) is asked nothing: what is said about the span
    # (its claim's claimer and factuality, its cue's kind) is said on its first region.
    later = {to for _, label, to in links if label == "fragment"}
    found = []
    for region_id, region in regions.items():
        if region_id in later:
            continue
        value = region.get("value", {})
        label = (value.get("labels") or [""])[0]
        picked = chosen.get(region_id, {})
        has_content = any(f == region_id and link == "content" for f, link, _ in links)
        unpicked = [
            name
            for name, (_, owner) in CHOICES.items()
            if owner.value == label and name not in picked and (name != "kind" or has_content)
        ]
        what = f"region {region_id} ({label} {value.get('text', '')!r})"
        if unpicked:
            found.append(f"{what} has no {' and no '.join(unpicked)}")
        claimer = picked.get("claimer") if label == SpanLabel.CLAIM.value else None
        if claimer in (Claimer.SOURCE.value, Claimer.UNCLAIMED.value) and not any(
            f == region_id and link == "claimed_in" and to in contents for f, link, to in links
        ):
            found.append(f"{what} has claimer {claimer!r} but no claimed_in link to an attribution's CONTENT")
    return found


def check_results(results: Any, where: str, sink: ProblemSink) -> bool:
    """Report what in a Label Studio ``result`` list cannot be converted; True when it can be."""
    if not isinstance(results, list):
        sink.add("ls-result-missing", where, "the annotation has no result list")
        return False
    ok = True
    regions = {r.get("id") for r in results if isinstance(r, dict) and r.get("type") == "labels"}
    known = {FROM_LABEL, *CHOICES}
    for index, item in enumerate(results):
        at = f"{where}/{index}"
        if not isinstance(item, dict):
            sink.add("ls-result-missing", at, "a result item is not an object")
            ok = False
        elif item.get("type") == "relation":
            missing = [end for end in (item.get("from_id"), item.get("to_id")) if end not in regions]
            if missing:
                sink.add(
                    "ls-relation-missing-region",
                    at,
                    f"the relation points at regions that do not exist: {missing}",
                )
                ok = False
        elif item.get("from_name") not in known:
            sink.add(
                "ls-unknown-from-name",
                at + "/from_name",
                f"{item.get('from_name')!r} is not in ClaimBank's labeling config",
            )
            ok = False
        elif item.get("type") == "labels" and not isinstance(item.get("value", {}).get("text"), str):
            sink.add(
                "ls-region-without-text", at + "/value", "the region has no text; export with text included"
            )
            ok = False
    return ok


def import_export(
    tasks: list[dict[str, Any]],
    documents: dict[str, dict[str, Any]],
    sink: ProblemSink,
    *,
    include_drafts: bool = False,
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Annotation sets from a Label Studio JSON export, added to the documents they belong to.

    ``documents`` maps document id to its canonical JSON form. Every annotation becomes its own set (annotator and
    time kept); cancelled annotations are skipped with a notice; drafts are skipped unless ``include_drafts``;
    predictions become sets with origin "prediction". Returns the updated documents and the notices.
    """
    updated: dict[str, dict[str, Any]] = {}
    notices: list[str] = []
    for index, item in enumerate(tasks):
        where = f"/{index}"
        if not check_task(item, index, sink):
            continue
        data = item.get("data", {}) if isinstance(item, dict) else {}
        doc_id = data.get("document_id")
        document = updated.get(doc_id) or documents.get(doc_id) if isinstance(doc_id, str) else None
        if document is None:
            sink.add(
                "ls-unknown-document",
                where + "/data/document_id",
                f"no annotation file for document {doc_id!r}",
            )
            continue
        if data.get("text") != document["text"]:
            sink.add(
                "ls-text-mismatch", where + "/data/text", f"the task's text differs from document {doc_id!r}"
            )
            continue
        sets = list(document["annotation_sets"])
        task_id = item.get("id")
        # (kind, its index in the task's list of that kind: the pointer, the annotation)
        sources = [("annotation", n, a) for n, a in enumerate(item.get("annotations") or [])]
        if include_drafts:
            sources += [
                ("draft", n, d) for n, d in enumerate(item.get("drafts") or []) if isinstance(d, dict)
            ]
        sources += [
            ("prediction", n, p) for n, p in enumerate(item.get("predictions") or []) if isinstance(p, dict)
        ]
        for position, (kind, listed_at, annotation) in enumerate(sources):
            if annotation.get("was_cancelled"):
                notices.append(f"task {task_id}: annotation {annotation.get('id')} was cancelled; skipped")
                continue
            at = f"{where}/{kind}s/{listed_at}/result"
            if not check_results(annotation.get("result"), at, sink):
                continue
            author = (
                str(annotation.get("model_version"))
                if kind == "prediction"
                else _annotator(annotation.get("completed_by"))
            )
            gaps = missing_choices(annotation["result"])
            if gaps:
                # Skipped whole: a set without its unfinished regions would look complete, and a pull after the
                # annotator finishes brings the annotation in then.
                notices.append(
                    f"task {task_id}: {kind} {annotation.get('id')} by {author}: incomplete, skipped: "
                    + "; ".join(gaps)
                )
                continue
            layers = from_results(annotation["result"], document["text"])
            for span in (s for s in layers["spans"] if type(s["start"]) is int and type(s["end"]) is int):
                # A selection dragged one character too far is the commonest slip in Label Studio: trim it
                # (guidelines §5), offsets with the text, and say so. A region of nothing but white space is
                # left for the validator to report.
                for stretch in span.get("fragments") or [span]:
                    if type(stretch["start"]) is not int or not isinstance(stretch["text"], str):
                        continue
                    start, end, text = trim(stretch["start"], stretch["text"])
                    if text and text != stretch["text"]:
                        notices.append(
                            f"task {task_id}: {kind} {annotation.get('id')}: region {span['id']} "
                            f"[{stretch['start']}, {stretch['end']}) trimmed of white space to [{start}, {end})"
                        )
                        stretch.update(start=start, end=end, text=text)
                if "fragments" in span:
                    span.update(_hull(span["fragments"], document["text"]))
            origin = "prediction" if kind == "prediction" else "manual"
            regions = [r for r in annotation["result"] if r.get("type") == "labels"]
            if kind == "annotation" and regions and all(r.get("origin") == "prediction" for r in regions):
                origin = "prediction"  # accepted unchanged from a prediction
            made: dict[str, Any] = {
                "id": f"ls-{kind}-{_annotation_id(annotation, position)}",
                "annotator": author,
                "origin": origin,
                "created_at": _timestamp(annotation.get("created_at")),
                "imported_from": f"label-studio:task/{task_id}/{kind}/{annotation.get('id')}",
                **layers,
            }
            if origin == "prediction":
                made["model_version"] = str(annotation.get("model_version") or "label-studio prediction")
            sets = [s for s in sets if s["id"] != made["id"]] + [made]
        notices += _deleted(task_id, item.get("annotations") or [], sets)
        updated[doc_id] = {**document, "annotation_sets": sets}
    return updated, notices


def _deleted(task_id: Any, annotations: list[Any], sets: list[dict[str, Any]]) -> list[str]:
    """Notices for sets imported from annotations of this task that Label Studio no longer has (kept, not
    removed: a deletion there is not taken to mean the work here is void)."""
    present = {str(a.get("id")) for a in annotations if isinstance(a, dict)}
    prefix = f"label-studio:task/{task_id}/annotation/"
    return [
        f"task {task_id}: annotation {s['imported_from'].removeprefix(prefix)} was deleted in Label Studio; "
        f"set {s['id']} kept (remove it by hand if it should go)"
        for s in sets
        if str(s.get("imported_from") or "").startswith(prefix)
        and s["imported_from"].removeprefix(prefix) not in present
    ]
