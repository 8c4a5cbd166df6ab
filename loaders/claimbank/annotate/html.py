"""A self-contained HTML view of an annotated article: spans highlighted by label, attributions listed as
source → cue → content with their spans linked, attributes in tooltips, explicit non-attributions marked.

The page loads nothing from the network (inline CSS and a few lines of inline JavaScript) and escapes every piece
of text it shows.
"""

from __future__ import annotations

from html import escape
from itertools import pairwise
from typing import Any

from claimbank.format import fields
from claimbank.format.model import AnnotationSet, Document
from claimbank.format.vocab import SpanLabel

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
.text { white-space: pre-wrap; border: 1px solid #ddd; padding: 1rem; }
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
  const mark = on => ids.forEach(id =>
    document.querySelectorAll('[data-ids~="' + id + '"]').forEach(el => el.classList.toggle('hl', on)));
  row.addEventListener('mouseenter', () => mark(true));
  row.addEventListener('mouseleave', () => mark(false));
}
"""


def _describe(span: Any) -> str:
    parts = [f"{span.label.value} {span.id}"]
    for name in (*fields.span_attributes(), *(spec.name for spec in fields.references("span"))):
        value = getattr(span, name, None)
        if value is not None:
            parts.append(f"{name}: {getattr(value, 'value', value)}")
    return ", ".join(parts)


def render(document: Document, annotation_set: AnnotationSet) -> str:
    """The HTML page for one annotation set of ``document``."""
    text = document.text
    spans = annotation_set.spans
    nobody = {
        a.source
        for a in annotation_set.attributions
        if a.kind.value == "non_attribution" and a.source is not None
    }
    edges = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    pieces = []
    for start, end in pairwise(edges):
        covering = [s for s in spans if s.start <= start and end <= s.end]
        chunk = escape(text[start:end])
        if not covering:
            pieces.append(chunk)
            continue
        classes = {"s", *(s.label.value for s in covering)} | (
            {"nobody"} if any(s.id in nobody for s in covering) else set()
        )
        ids = " ".join(s.id for s in covering)
        title = "\n".join(_describe(s) for s in covering)
        pieces.append(
            f'<span class="{" ".join(sorted(classes))}" data-ids="{escape(ids)}" title="{escape(title)}">{chunk}</span>'
        )
    by_id = {s.id: s for s in spans}
    rows = []
    for attribution in annotation_set.attributions:
        source = by_id.get(attribution.source) if attribution.source else None
        cue, content = by_id[attribution.cue], by_id[attribution.content]
        ids = " ".join(s.id for s in (source, cue, content) if s is not None)
        rows.append(
            f'<tr class="{attribution.kind.value}" data-spans="{escape(ids)}"><td>{escape(attribution.id)}</td>'
            f"<td>{escape(attribution.kind.value)}</td>"
            f"<td>{escape(source.text) if source else '<i>(unnamed)</i>'}</td>"
            f"<td>{escape(cue.text)}</td><td>→ {escape(content.text)}</td>"
            f"<td>{escape(attribution.nested_in or '')}</td></tr>"
        )
    claim_rows = []
    for claim in annotation_set.claims:
        span = by_id[claim.span]
        via = getattr(claim, "attribution", None) or ""
        claim_rows.append(
            f'<tr data-spans="{escape(claim.span)}"><td>{escape(claim.id)}</td><td>{escape(claim.claimer.value)}</td>'
            f"<td>{escape(via)}</td><td>{escape(claim.factuality.value)}</td><td>{escape(span.text)}</td></tr>"
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
<div class="text" id="text">{"".join(pieces)}</div>
<h1>Attributions</h1>
<table id="attributions"><tr><th>id</th><th>kind</th><th>source</th><th>cue</th><th>content</th><th>nested in</th></tr>
{"".join(rows)}</table>
<h1>Claims</h1>
<table id="claims"><tr><th>id</th><th>claimer</th><th>attribution</th><th>factuality</th><th>claim</th></tr>
{"".join(claim_rows)}</table>
<script>{_JS}</script></body></html>
"""
