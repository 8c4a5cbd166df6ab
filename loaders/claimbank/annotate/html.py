"""Self-contained HTML views: an annotated article, and the disagreements of an adjudication side by side.

The article view highlights spans by label with their ids, draws the relations over the text as SVG arrows
(source → cue → content, claim → its attribution's cue, a pronoun → its referent), lists attributions as
source → cue → content (a pronoun with its referent's text) and claims with the name of their source, and marks
explicit non-attributions. A span in fragments is highlighted on its fragments only (not the gap), all of them
one span: its id before the first, "…id" before each later one, and hovering its row marks every part. Pages load nothing from the network (inline CSS, inline JavaScript, the relations as
inline JSON) and escape every piece of text they show.
"""

from __future__ import annotations

import json
from html import escape
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from claimbank.format import fields
from claimbank.format.model import AnnotationSet, Document
from claimbank.format.vocab import SpanLabel

if TYPE_CHECKING:
    from claimbank.annotate.adjudicate import Adjudication

# Colour per label; the legend and the CSS are both made from this table.
COLOURS = {
    SpanLabel.SOURCE: "#ffd8a8",
    SpanLabel.CUE: "#a5d8ff",
    SpanLabel.CONTENT: "#d3f9d8",
    SpanLabel.CLAIM: "#c2255c",
    SpanLabel.ENTITY: "#e5dbff",
    SpanLabel.MODALITY: "#fab005",
}

_CSS = """
body { font: 16px/1.7 Georgia, serif; max-width: 60rem; margin: 2rem auto; color: #222; }
h1 { font: bold 1.2rem sans-serif; } .meta, .legend, table { font: 14px sans-serif; }
.text { white-space: pre-wrap; border: 1px solid #ddd; padding: 1rem; position: relative; line-height: 2.3; }
#arrows { position: absolute; left: 0; top: 0; pointer-events: none; overflow: visible; }
#arrows path { fill: none; stroke-width: 1.5; opacity: .75; }
#arrows path.source-cue { stroke: #e8590c; } #arrows path.cue-content { stroke: #1971c2; }
#arrows path.claim-attribution { stroke: #c2255c; stroke-dasharray: 5 3; opacity: .45; }
#arrows path.refers_to { stroke: #7048e8; stroke-dasharray: 2 3; }
#arrows path.hl { stroke-width: 3.5; opacity: 1; }
.id { font: 10px/1 sans-serif; color: #555; vertical-align: super; margin-right: 1px; }
.s { border-radius: 2px; }
.SOURCE { background: %(SOURCE)s; } .CUE { background: %(CUE)s; } .CONTENT { background: %(CONTENT)s; }
.ENTITY { background: %(ENTITY)s; } .CLAIM { text-decoration: underline 2px %(CLAIM)s; text-underline-offset: 4px; }
.MODALITY { outline: 2px dotted %(MODALITY)s; }
.nobody { text-decoration: line-through 2px #c92a2a; }
.hl { outline: 3px solid #1c7ed6 !important; }
.key { display: inline-block; padding: 0 .4rem; margin-right: .4rem; }
table { border-collapse: collapse; margin-top: 1rem; width: 100%%; }
td, th { border-bottom: 1px solid #eee; padding: .3rem; text-align: left; vertical-align: top; }
tr.non_attribution td { color: #c92a2a; } tr:hover { background: #f1f3f5; cursor: pointer; }
"""

_JS = """
for (const row of document.querySelectorAll('tr[data-spans]')) {
  const ids = row.dataset.spans.split(' ');
  const mark = on => ids.forEach(id => {
    document.querySelectorAll('[data-ids~="' + id + '"]').forEach(el => el.classList.toggle('hl', on));
    document.querySelectorAll('#arrows path[data-from="' + id + '"]').forEach(el => el.classList.toggle('hl', on));
  });
  row.addEventListener('mouseenter', () => mark(true));
  row.addEventListener('mouseleave', () => mark(false));
}
// The relations, drawn once the text is laid out: an arc from the first line box of one span to another's.
function draw() {
  const box = document.getElementById('text'), svg = document.getElementById('arrows');
  const origin = box.getBoundingClientRect();
  svg.setAttribute('width', box.scrollWidth); svg.setAttribute('height', box.scrollHeight);
  svg.querySelectorAll('path').forEach(p => p.remove());
  const anchor = id => {
    const el = box.querySelector('[data-first~="' + id + '"]');
    if (!el) return null;
    const r = el.getClientRects()[0];
    return {x: r.left - origin.left + Math.min(r.width / 2, 12), y: r.top - origin.top};
  };
  for (const rel of JSON.parse(document.getElementById('relations').textContent)) {
    const a = anchor(rel.from), b = anchor(rel.to);
    if (!a || !b) continue;
    const lift = Math.min(40, 10 + Math.abs(b.x - a.x) / 8 + Math.abs(b.y - a.y) / 4);
    const path = document.createElementNS(svg.namespaceURI, 'path');
    path.setAttribute('d', 'M' + a.x + ',' + a.y + ' C' + a.x + ',' + (a.y - lift) + ' ' + b.x + ',' +
      (b.y - lift) + ' ' + b.x + ',' + b.y);
    path.setAttribute('class', rel.kind);
    path.setAttribute('marker-end', 'url(#head)');
    path.dataset.from = rel.from; path.dataset.to = rel.to;
    svg.appendChild(path);
  }
}
draw();
window.addEventListener('resize', draw);
"""


def _describe(span: Any, by_id: dict[str, Any]) -> str:
    parts = [f"{span.label.value} {span.id}"]
    for spec in fields.references("span"):  # a pronoun's referent, by its text
        target = getattr(span, spec.name, None)
        if target is not None and target in by_id:
            parts.append(f"{spec.name.replace('_', ' ')} {target} “{by_id[target].text}”")
    for name in fields.span_attributes():
        value = getattr(span, name, None)
        if value is not None:
            parts.append(f"{name}: {getattr(value, 'value', value)}")
    return ", ".join(parts)


def _relations(annotation_set: AnnotationSet) -> list[dict[str, str]]:
    """The arrows the view draws, as (from span, to span, kind)."""
    relations = []
    for a in annotation_set.attributions:
        if a.source is not None:
            relations.append({"from": a.source, "to": a.cue, "kind": "source-cue"})
        relations.append({"from": a.cue, "to": a.content, "kind": "cue-content"})
    cues = {a.id: a.cue for a in annotation_set.attributions}
    for claim in annotation_set.claims:
        attribution = getattr(claim, "attribution", None)
        if attribution in cues:
            relations.append({"from": claim.span, "to": cues[attribution], "kind": "claim-attribution"})
    for span in annotation_set.spans:
        referent = getattr(span, "refers_to", None)
        if referent is not None:
            relations.append({"from": span.id, "to": referent, "kind": "refers_to"})
    return relations


def _inline_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no "</", no "<!--")."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def render(document: Document, annotation_set: AnnotationSet) -> str:
    """The HTML page for one annotation set of ``document``."""
    text = document.text
    spans = annotation_set.spans
    nobody = {
        a.source
        for a in annotation_set.attributions
        if a.kind.value == "non_attribution" and a.source is not None
    }
    by_id = {s.id: s for s in spans}
    parts = {s.id: s.parts() for s in spans}
    edges = sorted({0, len(text), *(edge for p in parts.values() for part in p for edge in part)})
    pieces = []
    # A sweep over the edges: the spans that cover each piece of text, in the set's order. (Each piece looked at
    # every span before: 10,000 spans took 33 CPU seconds.)
    by_start = sorted(range(len(spans)), key=lambda i: spans[i].start)
    active: dict[int, Any] = {}
    taken = 0
    for start, end in pairwise(edges):
        while taken < len(by_start) and spans[by_start[taken]].start <= start:
            active[by_start[taken]] = spans[by_start[taken]]
            taken += 1
        for index in [i for i, s in active.items() if s.end < end]:
            del active[index]
        # A span in fragments is active over its hull; it covers only the pieces inside one of its fragments.
        covering = [
            active[i]
            for i in sorted(active)
            if len(parts[active[i].id]) == 1 or any(a <= start and end <= b for a, b in parts[active[i].id])
        ]
        chunk = escape(text[start:end])
        if not covering:
            pieces.append(chunk)
            continue
        classes = {"s", *(s.label.value for s in covering)} | (
            {"nobody"} if any(s.id in nobody for s in covering) else set()
        )
        ids = " ".join(s.id for s in covering)
        starting = [s for s in covering if s.start == start]
        resuming = [s for s in covering if s.start != start and any(a == start for a, _ in parts[s.id])]
        first = " ".join(s.id for s in starting)
        title = "\n".join(_describe(s, by_id) for s in covering)
        # The ids of the spans that begin here, before their text (outside the spans: a span's text stays exact);
        # a later fragment of a span says whose it is.
        pieces.append("".join(f'<sup class="id">{escape(s.id)}</sup>' for s in starting))
        pieces.append("".join(f'<sup class="id">…{escape(s.id)}</sup>' for s in resuming))
        pieces.append(
            f'<span class="{" ".join(sorted(classes))}" data-ids="{escape(ids)}"'
            + (f' data-first="{escape(first)}"' if first else "")
            + f' title="{escape(title)}">{chunk}</span>'
        )
    rows = []
    for attribution in annotation_set.attributions:
        source = by_id.get(attribution.source) if attribution.source else None
        cue, content = by_id[attribution.cue], by_id[attribution.content]
        ids = " ".join(s.id for s in (source, cue, content) if s is not None)
        rows.append(
            f'<tr class="{attribution.kind.value}" data-spans="{escape(ids)}"><td>{escape(attribution.id)}</td>'
            f"<td>{escape(attribution.kind.value)}</td>"
            f"<td>{_source_cell(source, by_id)}</td>"
            f"<td>{escape(cue.joined_text())}</td><td>→ {escape(content.joined_text())}</td>"
            f"<td>{escape(attribution.nested_in or '')}</td></tr>"
        )
    attributions = {a.id: a for a in annotation_set.attributions}
    claim_rows = []
    for claim in annotation_set.claims:
        span = by_id[claim.span]
        via = getattr(claim, "attribution", None) or ""
        if claim.claimer.value == "author":
            who = "the author"
        else:
            attribution = attributions[via]
            source = by_id.get(attribution.source) if attribution.source else None
            who = f"{_source_cell(source, by_id)} <small>({escape(via)})</small>"
        linked = " ".join([claim.span, *claim.modality])
        claim_rows.append(
            f'<tr data-spans="{escape(linked)}"><td>{escape(claim.id)}</td><td>{escape(claim.claimer.value)}</td>'
            f"<td>{who}</td><td>{escape(claim.factuality.value)}</td><td>{escape(span.joined_text())}</td></tr>"
        )
    legend = "".join(
        f'<span class="key s {label.value}" title="{escape(label.description)}">{label.value}</span>'
        for label in SpanLabel
    )
    css = _CSS % {label.value: colour for label, colour in COLOURS.items()}
    return f"""<!DOCTYPE html>
<html lang="{escape(document.language)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{escape(document.id)} — ClaimBank</title><style>{css}</style></head><body>
<h1>{escape(document.id)}</h1>
<p class="meta">annotation set <b>{escape(annotation_set.id)}</b> by {escape(annotation_set.annotator)}
({escape(annotation_set.origin.value)}{", gold" if annotation_set.gold else ""}) ·
{len(spans)} spans · {len(annotation_set.attributions)} attributions · {len(annotation_set.claims)} claims</p>
<p class="legend">{legend} <span class="key s SOURCE nobody">non-attribution</span></p>
<div class="text" id="text"><svg id="arrows" aria-hidden="true"><defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5"
markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#495057"/></marker></defs></svg>{"".join(pieces)}</div>
<p class="legend">arrows: <span style="color:#e8590c">source → cue</span> · <span style="color:#1971c2">cue → content</span> ·
<span style="color:#c2255c">claim ⇢ its attribution's cue</span> · <span style="color:#7048e8">pronoun ⇢ referent</span></p>
<h1>Attributions</h1>
<table id="attributions"><tr><th>id</th><th>kind</th><th>source</th><th>cue</th><th>content</th><th>nested in</th></tr>
{"".join(rows)}</table>
<h1>Claims</h1>
<table id="claims"><tr><th>id</th><th>claimer</th><th>who (attribution)</th><th>factuality</th><th>claim</th></tr>
{"".join(claim_rows)}</table>
<script type="application/json" id="relations">{_inline_json(_relations(annotation_set))}</script>
<script>{_JS}</script></body></html>
"""


def _source_cell(source: Any, by_id: dict[str, Any]) -> str:
    """A source's text, with its referent's text when it is a pronoun or a description ("He → Al Kadhimi")."""
    if source is None:
        return "<i>(unnamed)</i>"
    referent = by_id.get(getattr(source, "refers_to", None) or "")
    shown = escape(source.joined_text())
    return f"{shown} → {escape(referent.joined_text())}" if referent is not None else shown


_ADJUDICATION_CSS = """
body { font: 14px/1.5 sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #dee2e6; padding: .3rem .5rem; vertical-align: top; }
th { background: #f1f3f5; text-align: left; } td.missing { background: #fff5f5; color: #adb5bd; }
td.decision { font-weight: bold; } tr.left-out td.decision { color: #c92a2a; } .text { font-family: Georgia, serif; }
"""


def render_adjudication(document: Document, result: Adjudication) -> str:
    """The disagreements of an adjudication, one row each, one column per pass, beside the draft's decision."""
    head = "".join(f"<th>{escape(p)}</th>" for p in result.passes)
    rows = []
    for d in result.disagreements:
        cells = "".join(
            '<td class="missing">—</td>' if not d.variants.get(p) else f"<td>{escape(d.variants[p])}</td>"
            for p in result.passes
        )
        rows.append(
            f'<tr class="{"kept" if d.item else "left-out"}"><td>{escape(d.layer)}</td><td>{escape(d.item or "—")}</td>'
            f'<td>{escape(d.what)}</td><td class="text">{escape(d.text)}</td>{cells}'
            f'<td class="decision">{escape(d.decision)}</td></tr>'
        )
    draft = result.draft
    return f"""<!DOCTYPE html>
<html lang="{escape(document.language)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{escape(document.id)} — adjudication</title><style>{_ADJUDICATION_CSS}</style></head><body>
<h1>{escape(document.id)}: adjudication of {escape(", ".join(result.passes))}</h1>
<p>Draft <b>{escape(draft.id)}</b>: an item is kept when {result.majority} of the {len(result.passes)} passes have it;
{len(draft.spans)} spans, {len(draft.attributions)} attributions, {len(draft.claims)} claims kept;
{len(result.disagreements)} disagreement(s) below, each with what the draft does.</p>
<table id="disagreements"><tr><th>layer</th><th>draft item</th><th>what</th><th>text</th>{head}<th>draft</th></tr>
{"".join(rows)}</table></body></html>
"""
