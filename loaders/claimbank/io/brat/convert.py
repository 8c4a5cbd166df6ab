"""brat standoff ⇄ ClaimBank: a parser and writer of ``.ann`` files, and paired converters to annotation sets.

No file I/O here (``claimbank/io/brat/command.py`` reads and writes). The mapping, one table used both ways
(:class:`LabelMap`, PolNeAR's defaults in :data:`POLNEAR`):

- a text-bound ``T`` whose label maps to a ClaimBank label becomes a span with the ``T`` id. brat's discontinuous
  spans (``start end;start end``) become one span in fragments (``fragments``; the span's own offsets and text
  are the stretch from the first fragment to the last), which the export writes back as one line. brat keeps
  fragments in the order the annotator marked them; ClaimBank in text order (``brat-fragments-sorted``, a
  notice), and fragments that overlap are joined (``brat-fragments-joined``);
- an event (``E``) of an attribution type becomes an attribution with the event's id: ``Source``, ``Cue`` and
  ``Content`` arguments name its spans; an event without ``Source`` (PolNeAR's ``Attribution-no-source``) is an
  attribution whose source the text does not name, which is *not* ClaimBank's explicit non-attribution (that is
  the ``Non-attribution`` event type). The trigger ``T`` of the event (PolNeAR marks it over the cue) is not a
  span; the export writes it over the cue. A second content (``Content2``) becomes a second attribution
  ``<event id>:Content2`` with the same source and cue, which the export joins to its event again (any other id
  is an event of its own);
- attributes (``A``) named ``source_type``, ``cue_type`` or ``modality_type`` (or mapped to them) set that field;
  spans without one get ``unspecified``; relations (``R``) mapped to ``refers_to`` set it;
- a claim is its ``Claim`` span's ``claimer`` and ``factuality`` attributes, with relations ``claimed_in`` (to the
  CONTENT of its attribution) and ``modality`` (to MODALITY spans); ``nested_in`` joins an attribution's CONTENT to
  the outer one's. brat relations join ``T``s only, so an attribution is named by its CONTENT;
- notes (``#``) are kept in the set's ``note``, one line each (``AnnotatorNotes <span id>: <text>``), which the
  export turns back into notes;
- labels the map says to ``drop`` (PolNeAR's ``Discard`` and ``Discuss``) are left out and counted; a label the
  map does not know is a problem (``brat-unknown-label``).

Offsets are code points on both sides. A span's text must equal the document text at its offsets (fragments
joined by a space, brat's convention); a text with a line break breaks brat's one-line format, so the line after it
is taken as the rest of the text when that makes the offsets and the text agree (a notice), and is a problem
otherwise (``brat-broken-line``). White space at a fragment's edges is trimmed, offsets with it (a notice,
``brat-trimmed``): ClaimBank spans never start or end with it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from claimbank.format import fields as field_table
from claimbank.format import vocab
from claimbank.format.vocab import (
    Claimer,
    Factuality,
    SpanLabel,
    Vocabulary,
)
from claimbank.validate.checks import trim
from claimbank.validate.problems import ProblemSink

_ID = re.compile(r"^([TEARMN#*])(\d*)\t")
_FRAGMENT = re.compile(r"^(\d+) (\d+)$")
# A span's attributes (A lines), from the table of fields, and which label requires which (an import fills a
# required one that brat leaves out with "unspecified").
SPAN_FIELDS: dict[str, type[Vocabulary]] = {
    spec.name: getattr(vocab, spec.vocabulary or "") for spec in field_table.attributes("span")
}
REQUIRED_FIELD = {label: spec.name for spec in field_table.attributes("span") for label in spec.required_by}
# Attributes of a Claim T that make it a claim: its claimer and its factuality.
CLAIM_FIELDS = {"claimer": Claimer, "factuality": Factuality}
# Relation types and what they say: a SOURCE's referent, a claim's attribution and modality (each by the spans that
# stand for them: the attribution's CONTENT), an attribution nested in another (CONTENT -> outer CONTENT).
RELATIONS = ("refers_to", "claimed_in", "modality", "nested_in")


@dataclass
class LabelMap:
    """How brat labels map onto ClaimBank's (documented in docs/brat.md; a JSON file can replace it)."""

    spans: dict[str, str]  # T label -> ClaimBank span label, or "drop"
    events: dict[str, str]  # E type -> "attribution" or "non_attribution"
    attributes: dict[str, str] = field(default_factory=dict)  # A name -> span field
    relations: dict[str, str] = field(default_factory=dict)  # R type -> "refers_to"

    @classmethod
    def from_json(cls, data: Any, sink: ProblemSink) -> LabelMap | None:
        """A map from its JSON form; problems (``brat-label-map``) for anything it cannot use."""
        if not isinstance(data, dict) or not isinstance(data.get("spans"), dict):
            sink.add("brat-label-map", "", 'a label map is an object with at least "spans"')
            return None
        parts = {"events": POLNEAR.events, "attributes": POLNEAR.attributes, "relations": {}}
        for name in parts:
            if name in data and not isinstance(data[name], dict):
                sink.add(
                    "brat-label-map",
                    f"/{name}",
                    f"{name} is an object of names, not {type(data[name]).__name__}",
                )
        for name in ("spans", *parts):
            for key, target in data.get(name, {}).items() if isinstance(data.get(name), dict) else ():
                if not isinstance(target, str):
                    sink.add("brat-label-map", f"/{name}/{key}", f"{target!r} is not a name (a string)")
        if sink.problems:
            return None
        made = cls(
            spans=dict(data["spans"]),
            events=dict(data.get("events", POLNEAR.events)),
            attributes=dict(data.get("attributes", POLNEAR.attributes)),
            relations=dict(data.get("relations", {})),
        )
        labels = {label.value for label in SpanLabel} | {"drop"}
        for name, target in made.spans.items():
            if target not in labels:
                sink.add("brat-label-map", f"/spans/{name}", f"{target!r} is not a span label or 'drop'")
        for name, target in made.events.items():
            if target not in ("attribution", "non_attribution"):
                sink.add("brat-label-map", f"/events/{name}", f"{target!r} is not an attribution kind")
        fields = [*SPAN_FIELDS, *CLAIM_FIELDS]
        for name, target in made.attributes.items():
            if target not in fields:
                sink.add("brat-label-map", f"/attributes/{name}", f"{target!r} is not {', '.join(fields)}")
        for name, target in made.relations.items():
            if target not in RELATIONS:
                sink.add("brat-label-map", f"/relations/{name}", f"{target!r} is not {', '.join(RELATIONS)}")
        return None if sink.problems else made

    def to_json(self) -> str:
        data = {"spans": self.spans, "events": self.events, "attributes": self.attributes}
        return json.dumps({**data, "relations": self.relations}, indent=2) + "\n"


POLNEAR = LabelMap(
    spans={
        "Source": "SOURCE",
        "Cue": "CUE",
        "Content": "CONTENT",
        "Discard": "drop",
        "Discuss": "drop",
        # what the export writes for ClaimBank's other labels
        "Claim": "CLAIM",
        "Entity": "ENTITY",
        "Modality": "MODALITY",
    },
    events={
        "Attribution": "attribution",
        "Attribution-no-source": "attribution",
        "Non-attribution": "non_attribution",
    },
    attributes={name: name for name in (*SPAN_FIELDS, *CLAIM_FIELDS)},
    relations={name: name for name in RELATIONS},
)
EXPORT_LABEL = {target: name for name, target in POLNEAR.spans.items() if target != "drop"}


@dataclass
class TextBound:
    id: str
    label: str
    fragments: list[tuple[int, int]]
    text: str
    line: int


@dataclass
class Annotation:
    """One brat line other than a text-bound one: ``kind`` is E, A, R or #."""

    kind: str
    id: str
    fields: list[str]
    text: str
    line: int


@dataclass
class AnnFile:
    textbounds: dict[str, TextBound] = field(default_factory=dict)
    others: list[Annotation] = field(default_factory=list)
    repaired: int = 0
    text: str = ""  # the document text the offsets count into


def _where(line: int) -> str:
    return f"/lines/{line}"


_LINE_BREAKING = re.compile("[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def flat(text: str) -> str:
    """A span's text as one field of one ``.ann`` line: tabs and line breaks become spaces (written raw, they
    would end the field or the line, and the next line could be a forged annotation)."""
    return _LINE_BREAKING.sub(" ", text)


def _role(role: str, target: str) -> tuple[str, str]:
    """An event role as PolNeAR spells it (``content`` → ``Content``, ``content2`` → ``Content2``)."""
    known = re.fullmatch(r"(source|cue|content)(\d*)", role, re.IGNORECASE)
    return (known.group(1).capitalize() + known.group(2) if known else role), target


def parse_ann(content: str, text: str, sink: ProblemSink) -> AnnFile:
    """Every annotation of a ``.ann`` file, checked against ``text``; problems for lines that cannot be used.

    Pointers are ``/lines/<n>`` with ``n`` counted from 1, as editors count.
    """
    parsed = AnnFile(text=text)
    lines = content.split("\n")
    index = 0
    while index < len(lines):
        number, line = index + 1, lines[index]
        index += 1
        if not line.strip():
            continue
        match = _ID.match(line)
        if match is None:
            sink.add("brat-syntax", _where(number), f"not a brat annotation line: {line[:60]!r}")
            continue
        kind, parts = match.group(1), line.split("\t")
        if kind == "T":
            if len(parts) < 3:
                sink.add(
                    "brat-syntax", _where(number), "a text-bound line needs id, label and offsets, and text"
                )
                continue
            label, _, offsets = parts[1].strip().partition(" ")
            fragments = _fragments(offsets)
            if fragments is None:
                sink.add(
                    "brat-syntax", _where(number), f"offsets {offsets[:60]!r} are not 'start end[;start end]'"
                )
                continue
            span_text = "\t".join(parts[2:])
            expected = " ".join(text[start:end] for start, end in fragments)
            # A text with line breaks spills onto the next lines: take them while that brings the texts closer.
            spilled = False
            while span_text != expected and index < len(lines) and _ID.match(lines[index]) is None:
                candidate = span_text + "\n" + lines[index]
                if not expected.startswith(candidate.removesuffix("\r")):
                    break
                span_text, index, spilled = candidate, index + 1, True
            if span_text != expected and span_text.removesuffix("\r") == expected:
                span_text = expected  # a file saved with CRLF line ends
            if span_text != expected and span_text == flat(expected):
                span_text = expected  # written by to_ann: tabs and line breaks as spaces, one line each
            parsed.repaired += spilled and span_text == expected
            if any(end > len(text) or start >= end for start, end in fragments):
                sink.add(
                    "brat-offsets",
                    _where(number),
                    f"{match.group(0).strip()} offsets {offsets} do not fit a text of {len(text)} code points",
                )
                continue
            if span_text != expected:
                code = "brat-text-mismatch"
                while index < len(lines) and _ID.match(lines[index]) is None and lines[index].strip():
                    code, index = "brat-broken-line", index + 1  # the rest of this text: no line of its own
                sink.add(
                    code,
                    _where(number),
                    f"{parts[0]} says {span_text[:40]!r} but the text at {offsets} is {expected[:40]!r}",
                )
                continue
            if parts[0] in parsed.textbounds:
                first = parsed.textbounds[parts[0]].line
                sink.add("brat-syntax", _where(number), f"{parts[0]} is also the id of line {first}")
                continue
            parsed.textbounds[parts[0]] = TextBound(parts[0], label, fragments, span_text, number)
        else:
            fields = parts[1].split() if len(parts) > 1 else []
            if not fields and kind != "*":
                sink.add("brat-syntax", _where(number), f"{parts[0]} has no type")
                continue
            note = "\t".join(parts[2:]).removesuffix("\r")
            parsed.others.append(Annotation(kind, parts[0], fields, note, number))
    return parsed


def _fragments(offsets: str) -> list[tuple[int, int]] | None:
    fragments = []
    for piece in offsets.split(";"):
        match = _FRAGMENT.match(piece.strip())
        if match is None or max(len(match.group(1)), len(match.group(2))) > 18:
            return None  # not offsets (and more digits than int() converts: far beyond any text)
        fragments.append((int(match.group(1)), int(match.group(2))))
    return fragments or None


@dataclass
class Converted:
    """An annotation set made from one ``.ann`` file, with what was left out."""

    item: dict[str, Any]
    dropped: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)
    # Read while the lines are, used once every event is in: claim attributes by T id, and
    # (type, Arg1 T, Arg2 T, brat id) of claimed_in, modality and nested_in relations.
    claim_fields: dict[str, dict[str, str]] = field(default_factory=dict)
    links: list[tuple[str, str, str, str]] = field(default_factory=list)


def to_annotation_set(
    parsed: AnnFile, header: dict[str, Any], label_map: LabelMap, sink: ProblemSink
) -> Converted:
    """The annotation set (canonical JSON form) for one parsed ``.ann`` file; ``header`` gives id, annotator…"""
    converted = Converted({**header, "spans": [], "attributions": [], "claims": []})
    spans: dict[str, list[dict[str, Any]]] = {}  # T id -> its fragments as spans
    for bound in parsed.textbounds.values():
        target = label_map.spans.get(bound.label)
        if bound.label in label_map.events:
            continue  # an event trigger
        if target is None:
            sink.add(
                "brat-unknown-label", _where(bound.line), f"{bound.id}: no mapping for label {bound.label!r}"
            )
            continue
        if target == "drop":
            converted.dropped[bound.label] += 1
            continue
        pieces: list[tuple[int, int, str]] = []
        for number, (start, end) in enumerate(bound.fragments, start=1):
            text = parsed_text(bound, number - 1)
            if text.strip() != text:
                # ClaimBank spans are trimmed (guidelines §5); the offsets move with the text, so they still agree.
                inner, inner_end, trimmed = trim(start, text)
                if not trimmed:
                    converted.notices.append(
                        f"brat-trimmed: {bound.id} fragment {number} is only white space; left out"
                    )
                    continue
                converted.notices.append(
                    f"brat-trimmed: {bound.id} [{start}, {end}) trimmed of white space to [{inner}, {inner_end})"
                )
                start, end, text = inner, inner_end, trimmed
            pieces.append((start, end, text))
        if pieces:
            span: dict[str, Any] = {"id": bound.id, "label": target}
            span |= _fragmented(bound.id, pieces, parsed.text, converted.notices)
            if target in REQUIRED_FIELD:
                span[REQUIRED_FIELD[target]] = "unspecified"
            spans[bound.id] = [span]
    notes: list[str] = []
    for other in parsed.others:
        _apply(other, spans, converted, label_map, notes, sink)
    _link(converted, spans)
    for made in spans.values():
        converted.item["spans"].extend(made)
    converted.item["spans"].sort(key=lambda s: (s["start"], s["end"], s["id"]))
    if notes:
        converted.item["note"] = "\n".join(notes)
    return converted


def _fragmented(
    t_id: str, pieces: list[tuple[int, int, str]], text: str, notices: list[str]
) -> dict[str, Any]:
    """A span's offsets, text and (for more than one) fragments from a ``T``'s trimmed fragments: in text order,
    overlapping ones joined into one."""
    ordered = sorted(pieces)
    if ordered != pieces:
        notices.append(f"brat-fragments-sorted: {t_id} fragments put in text order")
    joined: list[tuple[int, int]] = []
    for start, end, _ in ordered:
        if joined and start < joined[-1][1]:
            notices.append(f"brat-fragments-joined: {t_id} fragments overlap at {start}; joined into one")
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    start, end = joined[0][0], joined[-1][1]
    span: dict[str, Any] = {"start": start, "end": end, "text": text[start:end]}
    if len(joined) > 1:
        span["fragments"] = [{"start": s, "end": e, "text": text[s:e]} for s, e in joined]
    return span


def parsed_text(bound: TextBound, fragment: int) -> str:
    start, end = bound.fragments[fragment]
    offset = sum(e - s + 1 for s, e in bound.fragments[:fragment])
    return bound.text[offset : offset + end - start]


def _apply(
    other: Annotation,
    spans: dict[str, list[dict[str, Any]]],
    converted: Converted,
    label_map: LabelMap,
    notes: list[str],
    sink: ProblemSink,
) -> None:
    where = _where(other.line)
    if other.kind == "E":
        kind_name, _, _trigger = other.fields[0].partition(":")
        kind = label_map.events.get(kind_name)
        if kind is None:
            sink.add("brat-unknown-label", where, f"{other.id}: no mapping for event type {kind_name!r}")
            return
        roles = dict(_role(*arg.split(":", 1)) for arg in other.fields[1:] if ":" in arg)
        missing = [role for role in ("Cue", "Content") if role not in roles]
        if missing or any(target not in spans for target in roles.values()):
            absent = missing or [t for t in roles.values() if t not in spans]
            converted.notices.append(f"brat-incomplete-event: {other.id} lacks {', '.join(absent)}; left out")
            converted.dropped["incomplete event"] += 1
            return
        contents = [role for role in roles if re.fullmatch(r"Content\d*", role)]
        for role in sorted(contents, key=lambda r: (len(r), r)):
            attribution: dict[str, Any] = {
                "id": other.id if role == "Content" else f"{other.id}:{role}",
                "kind": kind,
                "cue": roles["Cue"],
                "content": roles[role],
            }
            if "Source" in roles:
                attribution["source"] = roles["Source"]
            converted.item["attributions"].append(attribution)
        extra = set(roles) - {"Source", "Cue", *contents}
        if extra:
            converted.notices.append(f"brat-unmapped: {other.id} roles {sorted(extra)} left out")
    elif other.kind == "A":
        name, target = other.fields[0], other.fields[1] if len(other.fields) > 1 else ""
        value = other.fields[2] if len(other.fields) > 2 else ""
        span_field = label_map.attributes.get(name)
        pieces = spans.get(target, [])
        if span_field in CLAIM_FIELDS:
            values = {m.value for m in CLAIM_FIELDS[span_field]}
            if not pieces or pieces[0]["label"] != "CLAIM" or value not in values:
                converted.notices.append(f"brat-unmapped: attribute {other.id} {name} {value} left out")
            else:
                converted.claim_fields.setdefault(target, {})[span_field] = value
            return
        vocabulary = SPAN_FIELDS.get(span_field or "")
        if not pieces or vocabulary is None or value not in {m.value for m in vocabulary}:
            converted.notices.append(f"brat-unmapped: attribute {other.id} {name} {value} left out")
            return
        for piece in pieces:
            if span_field is not None and REQUIRED_FIELD.get(piece["label"]) == span_field:
                piece[span_field] = value
    elif other.kind == "R":
        roles = dict(arg.split(":", 1) for arg in other.fields[1:] if ":" in arg)
        relation = label_map.relations.get(other.fields[0])
        first, second = roles.get("Arg1", ""), roles.get("Arg2", "")
        if relation is None or first not in spans or second not in spans:
            converted.notices.append(f"brat-unmapped: relation {other.id} {other.fields[0]} left out")
            return
        if relation == "refers_to":
            spans[first][0]["refers_to"] = spans[second][0]["id"]
        else:
            converted.links.append((relation, first, second, other.id))
    elif other.kind == "#":
        target = other.fields[1] if len(other.fields) > 1 else ""
        notes.append(f"{other.fields[0]} {target}: {other.text}")
    else:
        converted.notices.append(
            f"brat-unmapped: {other.id} ({other.kind} annotations are not supported) left out"
        )


def _link(converted: Converted, spans: dict[str, list[dict[str, Any]]]) -> None:
    """Claims from the Claim spans' attributes and relations, and ``nested_in``, once every event is known.

    An attribution stands for itself in a relation through its CONTENT span (what a claim is claimed in, what an
    attribution is nested in); a CONTENT shared by several attributions names the first.
    """
    item = converted.item
    by_content: dict[str, dict[str, Any]] = {}
    for attribution in item["attributions"]:
        by_content.setdefault(attribution["content"], attribution)
    claimed_in: dict[str, str] = {}
    modality: dict[str, list[str]] = {}
    for relation, first, second, brat_id in converted.links:
        outer = by_content.get(second)
        if relation == "nested_in" and first in by_content and outer is not None:
            for attribution in item["attributions"]:
                if attribution["content"] == first:
                    attribution["nested_in"] = outer["id"]
        elif relation == "claimed_in" and first in converted.claim_fields and outer is not None:
            claimed_in[first] = outer["id"]
        elif (
            relation == "modality"
            and first in converted.claim_fields
            and spans[second][0]["label"] == "MODALITY"
        ):
            modality.setdefault(first, []).append(spans[second][0]["id"])
        else:
            converted.notices.append(f"brat-unmapped: relation {brat_id} {relation} left out")
    taken = {span["id"] for pieces in spans.values() for span in pieces}
    taken |= {attribution["id"] for attribution in item["attributions"]}
    number = 0
    for t_id, fields in converted.claim_fields.items():
        claimer = fields.get("claimer")
        attribution = claimed_in.get(t_id)
        if claimer is None or (claimer != "author") != (attribution is not None):
            converted.notices.append(
                f"brat-incomplete-claim: {t_id} has claimer {claimer!r} and "
                f"{'a' if attribution else 'no'} claimed_in relation; left out"
            )
            continue
        number += 1
        while f"c{number}" in taken:
            number += 1
        claim: dict[str, Any] = {"id": f"c{number}", "span": t_id}
        claim |= {"factuality": fields.get("factuality", "Uu"), "modality": modality.get(t_id, [])}
        claim["claimer"] = claimer
        if attribution is not None:
            claim["attribution"] = attribution
        item["claims"].append(claim)


def _event_role(attribution: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> tuple[str, str]:
    """The event an attribution is written into, and its content's role there.

    ``E1:Content2`` joins event ``E1`` as ``Content2`` when ``E1`` is an attribution with the same kind, source and
    cue (what the import makes of a second content); any other id is an event of its own, role ``Content``.
    """
    head, _, role = attribution["id"].partition(":")
    main = by_id.get(head) if re.fullmatch(r"Content[0-9]+", role) else None
    if main is not None and all(main.get(key) == attribution.get(key) for key in ("kind", "source", "cue")):
        return head, role
    return attribution["id"], "Content"


def to_ann(item: dict[str, Any]) -> tuple[str, list[str]]:
    """The ``.ann`` text for an annotation set (canonical JSON form), and notices of what brat cannot hold."""
    notices: list[str] = []
    lines: list[str] = []
    numbers = {"T": 0, "E": 0, "A": 0, "R": 0, "#": 0}

    def new(kind: str) -> str:
        numbers[kind] += 1
        return f"{kind}{numbers[kind]}"

    heads: dict[str, list[dict[str, Any]]] = {span["id"]: [span] for span in item.get("spans", [])}
    t_of: dict[str, str] = {}  # ClaimBank span id -> T id
    used = {int(h[1:]) for h in heads if re.fullmatch(r"T\d+", h)}
    numbers["T"] = max(used, default=0)
    for head, (span,) in heads.items():
        t_id = head if re.fullmatch(r"T\d+", head) else new("T")
        t_of[head] = t_id
        lines.append(f"{t_id}\t{EXPORT_LABEL[span['label']]} {_offsets(span)}")
    events: dict[str, dict[str, Any]] = {}
    by_id = {a["id"]: a for a in item.get("attributions", [])}
    for attribution in item.get("attributions", []):
        event_id, role = _event_role(attribution, by_id)
        events.setdefault(event_id, {"first": attribution, "contents": []})["contents"].append(
            (role, attribution["content"])
        )
    used_e = {int(e[1:]) for e in events if re.fullmatch(r"E\d+", e)}
    numbers["E"] = max(used_e, default=0)
    spans_by_id = {s["id"]: s for s in item.get("spans", [])}
    for event_id, event in events.items():
        first = event["first"]
        kind = first["kind"]
        event_type = "Non-attribution" if kind == "non_attribution" else "Attribution"
        if kind == "attribution" and not first.get("source"):
            event_type = "Attribution-no-source"
        cue = spans_by_id[first["cue"]]
        trigger = new("T")
        lines.append(f"{trigger}\t{event_type} {_offsets(cue)}")
        args = [f"{event_type}:{trigger}"]
        args += [f"{role}:{t_of[content]}" for role, content in sorted(event["contents"])]
        args.append(f"Cue:{t_of[first['cue']]}")
        if first.get("source"):
            args.append(f"Source:{t_of[first['source']]}")
        lines.append(f"{event_id if re.fullmatch(r'E[0-9]+', event_id) else new('E')}\t{' '.join(args)}")
    for head, pieces in heads.items():
        span = pieces[0]
        for name in SPAN_FIELDS:
            if span.get(name) not in (None, "unspecified"):
                lines.append(f"{new('A')}\t{name} {t_of[head]} {span[name]}")
        if span.get("refers_to"):
            lines.append(f"{new('R')}\trefers_to Arg1:{t_of[head]} Arg2:{t_of[span['refers_to']]}")
    lines += _claim_lines(item, t_of, new, notices)
    for note in (item.get("note") or "").split("\n"):
        match = re.fullmatch(r"(\S+) (T\S+|E\S+): (.*)", note)
        if match and match.group(2) in t_of.values():
            lines.append(f"{new('#')}\t{match.group(1)} {match.group(2)}\t{match.group(3)}")
        elif note.strip():
            notices.append("a line of the set's note is not exported (it names no exported annotation)")
    return "".join(line + "\n" for line in lines), notices


def _offsets(span: dict[str, Any]) -> str:
    """A ``T`` line's offsets and text: each fragment's offsets, and their texts joined by a space (brat's way)."""
    pieces = span.get("fragments") or [span]
    offsets = ";".join(f"{p['start']} {p['end']}" for p in pieces)
    return f"{offsets}\t{flat(' '.join(p['text'] for p in pieces))}"


def _claim_lines(item: dict[str, Any], t_of: dict[str, str], new: Any, notices: list[str]) -> list[str]:
    """Attributes and relations for claims and nesting: an attribution is named by its CONTENT's ``T``.

    What brat cannot say the same way back is left out with a notice: a second claim on one span (a ``T`` has
    one ``claimer``), a reference to no exported span.
    """
    attributions = {a["id"]: a for a in item.get("attributions", [])}
    shared = {c for c, n in Counter(a["content"] for a in attributions.values()).items() if n > 1}

    def t_for(attribution_id: str) -> str | None:
        content = attributions[attribution_id]["content"]
        if content in shared:
            notices.append("an attribution is named by a CONTENT another shares: it reads back as the first")
        return t_of.get(content)

    lines: list[str] = []
    written: set[str] = set()
    for attribution in attributions.values():
        if not attribution.get("nested_in"):
            continue
        inner, outer = t_of.get(attribution["content"]), t_for(attribution["nested_in"])
        if inner is None or outer is None:
            notices.append(f"nested_in of {attribution['id']} is not exported (its CONTENT is not exported)")
        elif f"{inner} {outer}" not in written:  # attributions sharing a content share its nesting
            written.add(f"{inner} {outer}")
            lines.append(f"{new('R')}\tnested_in Arg1:{inner} Arg2:{outer}")
    claimed: set[str] = set()
    for claim in item.get("claims", []):
        t_id = t_of.get(claim["span"])
        attribution = t_for(claim["attribution"]) if claim.get("attribution") else ""
        modality = [t_of.get(m) for m in claim.get("modality", [])]
        if t_id is None or t_id in claimed or attribution is None or None in modality:
            notices.append(
                f"claim {claim['id']} is not exported (a span of it is not exported, or another claim's)"
            )
            continue
        claimed.add(t_id)
        lines.append(f"{new('A')}\tclaimer {t_id} {claim['claimer']}")
        lines.append(f"{new('A')}\tfactuality {t_id} {claim['factuality']}")
        if attribution:
            lines.append(f"{new('R')}\tclaimed_in Arg1:{t_id} Arg2:{attribution}")
        lines += [f"{new('R')}\tmodality Arg1:{t_id} Arg2:{m}" for m in modality]
    return lines


def annotation_conf(label_map: LabelMap = POLNEAR) -> str:
    """brat's ``annotation.conf`` for what :func:`to_ann` writes."""
    entities = sorted({name for name, target in label_map.spans.items() if target != "drop"})
    dropped = sorted(name for name, target in label_map.spans.items() if target == "drop")
    roles = "Source?:Source, Cue:Cue, Content:Content, Content2?:Content"
    claim, content, modality = (EXPORT_LABEL[label] for label in ("CLAIM", "CONTENT", "MODALITY"))
    lines = ["[entities]", *entities, *dropped, "", "[relations]", "refers_to\tArg1:Source, Arg2:<ENTITY>"]
    lines += [f"claimed_in\tArg1:{claim}, Arg2:{content}", f"modality\tArg1:{claim}, Arg2:{modality}"]
    lines += [f"nested_in\tArg1:{content}, Arg2:{content}"]
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]"]
    lines += [f"{name}\t{roles}" for name in sorted(label_map.events)]
    lines += ["", "[attributes]"]
    for name, vocabulary in SPAN_FIELDS.items():
        values = "|".join(member.value for member in vocabulary)
        lines.append(f"{name}\tArg:<ENTITY>, Value:{values}")
    for name, vocabulary in CLAIM_FIELDS.items():
        values = "|".join(member.value for member in vocabulary)
        lines.append(f"{name}\tArg:{claim}, Value:{values}")
    return "\n".join(lines) + "\n"
