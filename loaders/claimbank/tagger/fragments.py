"""Spans in fragments: the CONTENT pieces an attribution's cue and source interrupt, joined into one span.

The tagger tags each fragment of a discontinuous span as a span of its own (BIO holds contiguous spans only),
and the linker is trained to link every fragment of a gold CONTENT to its cue. So a cue whose best CONTENT is
one piece and that links another piece about as surely ("The plan," he said, "is dead.") is one CONTENT in
fragments (schema 2.0), as the dataset holds it: the pieces become the fragments of one span.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimbank.tagger.link import Proposal

# A CONTENT piece joins the chosen CONTENT of a cue when the linker links it to that cue at least this surely
# (chosen on PolNeAR train's validation split, docs/tagger.md).
FRAGMENT_THRESHOLD = 0.5
# Pieces further apart than this many tokens stay separate spans (a gold gap is a few words: "he said,").
MAX_GAP = 30


def groups(
    proposals: Sequence[Proposal],
    keys: Sequence[tuple[int, str, int]],
    scores: Sequence[float],
    extents: Sequence[tuple[int, int]],
    *,
    threshold: float = FRAGMENT_THRESHOLD,
    max_gap: int = MAX_GAP,
) -> dict[int, list[int]]:
    """For each proposal's CONTENT that gains pieces: its index → every piece's index (itself included), in text
    order. ``extents`` are the spans' token ranges (first, last), indexed as in ``keys``.

    A piece joins when the linker links it to the proposal's cue with at least ``threshold``, it is no
    proposal's own CONTENT, no other group took it, and it lies within ``max_gap`` tokens of the group (each
    join is checked against the group as it stands, nearest piece first)."""
    chosen = {p.content for p in proposals}
    by_cue: dict[int, list[tuple[float, int]]] = {}
    for (cue, role, i), p in zip(keys, scores, strict=True):
        if role == "C" and p >= threshold and i not in chosen:
            by_cue.setdefault(cue, []).append((p, i))
    taken: set[int] = set()
    found: dict[int, list[int]] = {}
    # The surest proposals choose first: a piece two cues want goes to the one that links it best.
    for proposal in sorted(proposals, key=lambda p: -p.confidence):
        candidates = by_cue.get(proposal.cue)
        if not candidates:
            continue
        members = [proposal.content]
        low, high = extents[proposal.content]
        pool = [i for _, i in sorted(candidates, key=lambda c: -c[0]) if i not in taken]
        while pool:
            near = min(pool, key=lambda i: max(extents[i][0] - high, low - extents[i][1]))
            first, last = extents[near]
            if max(first - high, low - last) > max_gap:
                break
            members.append(near)
            pool.remove(near)
            low, high = min(low, first), max(high, last)
        if len(members) > 1:
            taken.update(members)
            found[proposal.content] = sorted(members, key=lambda i: extents[i][0])
    return found
