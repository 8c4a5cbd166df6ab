"""Attribution assembly: which SOURCE and CONTENT go with each CUE, the kind, and the span types.

Every (cue, candidate) pair within ``MAX_SENTENCES`` sentences is scored by a maximum-entropy classifier (a
crfsuite model trained on one-item sequences, so each item is classified on its own) from where the candidate
stands: side, distance, sentences apart, cues and candidates in between, punctuation and 'that' in the gap,
the words at the edges (alone and with the side and role), the words just outside the candidate, and whether
another cue is nearer to the candidate. Each cue takes its best CONTENT, and its best SOURCE when that scores at least
``SOURCE_THRESHOLD`` (an attribution may have no source). Kind (attribution / explicit non-attribution), source
type and cue type are one-item classifiers too, trained only when the training data has more than one value.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from claimbank.tagger.features import Tokens

MAX_SENTENCES = 2
# A cue takes its best SOURCE when it scores at least this (chosen on PolNeAR validation articles: 0.35 gave
# attribution overlap F1 0.535 against 0.532 at 0.5 and 0.529 at 0.65; re-swept with the linker's edge-word
# features: 0.25 / 0.35 / 0.5 within 0.002); otherwise the attribution has no source.
SOURCE_THRESHOLD = 0.35
# An attribution less likely than this is not proposed (its spans still are): on PolNeAR validation articles
# 0.15 lifted attribution overlap F1 from 0.535 to 0.544 (precision 0.60 -> 0.63, recall 0.482 -> 0.479); with the
# edge-word features 0.1 / 0.15 / 0.2 / 0.25 are within 0.002.
MIN_CONFIDENCE = 0.15
TokenSpan = tuple[int, int]
_GAP_WORDS = frozenset(
    [",", "“", "”", '"', "that", ".", ":", "(", "—", "and", "but", "who", "which", "said", "says"]
)
_NEGATIONS = frozenset(["no", "not", "nobody", "none", "neither", "n’t", "n't", "never", "nor", "without"])


def _bucket(n: int) -> str:
    n = abs(n)
    if n < 4:
        return str(n)
    return "4-6" if n < 7 else ("7-12" if n < 13 else ("13-25" if n < 26 else "26+"))


def within_reach(tokens: Tokens, cue: TokenSpan, candidate: TokenSpan) -> bool:
    """Whether ``candidate`` is close enough to ``cue`` to be scored at all."""
    sentence = tokens.sentence
    s = sentence[cue[0]]
    return (
        abs(sentence[candidate[0]] - s) <= MAX_SENTENCES
        or abs(sentence[candidate[1] - 1] - s) <= MAX_SENTENCES
    )


def pair_features(
    tokens: Tokens,
    cue: TokenSpan,
    candidate: TokenSpan,
    role: str,
    cue_starts: Sequence[int],
    candidate_starts: Sequence[int],
) -> list[str]:
    """Features of linking ``candidate`` (a SOURCE or CONTENT, ``role`` 'S' or 'C') to ``cue``.

    ``cue_starts`` and ``candidate_starts`` are the sorted first tokens of every cue and of every span of the
    candidate's label: what lies between the two is counted from them (neither span's own start is ever in the
    gap, so neither counts itself)."""
    lower, sentence = tokens.lower, tokens.sentence
    cf, cl = cue
    f, last = candidate
    side = "R" if f >= cl else ("L" if last <= cf else "X")
    gap = f - cl if side == "R" else (cf - last if side == "L" else 0)
    apart = sentence[f] - sentence[cf] if side == "R" else sentence[last - 1] - sentence[cf]
    apart = max(-3, min(3, apart))
    lo, hi = (cl, f) if side == "R" else (last, cf)
    cues_between = min(max(bisect_left(cue_starts, hi) - bisect_left(cue_starts, lo), 0), 3)
    others_between = min(max(bisect_left(candidate_starts, hi) - bisect_left(candidate_starts, lo), 0), 3)
    found = [
        f"role={role}",
        f"side={side}",
        f"gap={side}{_bucket(gap)}",
        f"sd={apart}",
        f"ncue={cues_between}",
        f"ncand={side}{others_between}",
        f"len={_bucket(last - f)}",
        f"cw={lower[cl - 1]}",
        f"cf={lower[cf]}",
        f"kw={lower[f]}",
        f"kl={lower[last - 1]}",
        f"sd_side={side}{apart}|ncue={min(cues_between, 2)}",
    ]
    # The cue's and the candidate's edge words by side and role: "according to" takes what follows it, "said"
    # a source on either side (on PolNeAR validation these lifted attribution overlap F1 from 0.544 to 0.560).
    cue_words = " ".join(lower[cf:cl])[:40]
    found += [
        f"cue_side={role}{side}|{cue_words}",
        f"cf_side={role}{side}|{lower[cf]}",
        f"cl_side={role}{side}|{lower[cl - 1]}",
        f"kw_side={role}{side}|{lower[f]}",
        f"sd_cf={role}{side}{apart}|{lower[cf]}",
    ]
    if f > 0:
        found.append(f"before_cand={role}{side}|{lower[f - 1]}")
    if last < len(lower):
        found.append(f"after_cand={role}{side}|{lower[last]}")
    # Competition: another cue nearer to the candidate than this one is (by the other cue's first token; the
    # nearest other cue on either side of the candidate's start is among the two before it and the two after).
    at = bisect_left(cue_starts, f)
    others = [s for s in cue_starts[max(at - 2, 0) : at + 2] if s != cf]
    if others:
        nearest = min(abs(s - (f if s < f else last)) for s in others)
        found.append(f"closer_cue={role}{'Y' if nearest < gap else 'N'}")
    if hi > lo:
        found.extend(f"btw={side}{w}" for w in _GAP_WORDS.intersection(tokens.lower[lo:hi]))
    if gap == 0:
        found.append(f"adj={side}")
    if others_between == 0:
        found.append(f"nearest={side}")
        if cues_between == 0:
            found.append(f"nearest_nocue={side}")
    return found


def kind_features(tokens: Tokens, cue: TokenSpan, source: TokenSpan | None) -> list[str]:
    """Features for the attribution's kind: the cue's words, the source's words, negation near them."""
    words = tokens.lower
    found = [f"c={w}" for w in words[cue[0] : cue[1]]]
    if source is not None:
        found += [f"s={w}" for w in words[source[0] : source[1]]]
        found += [f"neg_s={w}" for w in words[source[0] : source[1]] if w in _NEGATIONS]
    else:
        found.append("nosource")
    found += [f"neg_c={w}" for w in words[max(cue[0] - 3, 0) : cue[1]] if w in _NEGATIONS]
    return found


def span_type_features(tokens: Tokens, span: TokenSpan) -> list[str]:
    """Features for a span's source type or cue type: its words, first and last word, capitalization."""
    words = tokens.words[span[0] : span[1]]
    found = [f"w={w.lower()}" for w in words]
    found += [f"first={words[0].lower()}", f"last={words[-1].lower()}", f"len={_bucket(len(words))}"]
    if words[0][:1].isupper():
        found.append("T")
    return found


@dataclass(frozen=True)
class Proposal:
    """An assembled attribution over indices into the predicted spans, with its confidence."""

    kind: str
    source: int | None
    cue: int
    content: int
    confidence: float


def pairs(
    tokens: Tokens, spans: Sequence[tuple[str, int, int]]
) -> tuple[list[list[str]], list[tuple[int, str, int]]]:
    """Every scored pair's features and its key ``(cue index, 'S' or 'C', candidate index)``."""
    by_label: dict[str, list[tuple[int, TokenSpan]]] = {"SOURCE": [], "CUE": [], "CONTENT": []}
    for i, (label, f, last) in enumerate(spans):
        by_label[label].append((i, (f, last)))
    starts = {label: sorted(span[0] for _, span in pool) for label, pool in by_label.items()}
    sentence = tokens.sentence
    # Each span's first and last sentence, once (the reach test below is within_reach, inlined: it runs for
    # every cue and candidate).
    reach = {
        label: [(i, span, sentence[span[0]], sentence[span[1] - 1]) for i, span in pool]
        for label, pool in by_label.items()
    }
    items, keys = [], []
    for ci, cue in by_label["CUE"]:
        s = sentence[cue[0]]
        low, high = s - MAX_SENTENCES, s + MAX_SENTENCES
        for role, label in (("S", "SOURCE"), ("C", "CONTENT")):
            for i, span, first, last in reach[label]:
                if low <= first <= high or low <= last <= high:
                    items.append(pair_features(tokens, cue, span, role, starts["CUE"], starts[label]))
                    keys.append((ci, role, i))
    return items, keys


def choose(
    cues: Iterable[int],
    keys: Sequence[tuple[int, str, int]],
    scores: Sequence[float],
    threshold: float = SOURCE_THRESHOLD,
) -> list[Proposal]:
    """Each cue's best CONTENT, and best SOURCE when it scores at least ``threshold``; cues with no content
    candidate make no attribution, nor do those below ``MIN_CONFIDENCE``. The confidence is P(content) ×
    P(source) (or × P(no source))."""
    best: dict[tuple[int, str], tuple[float, int]] = {}
    for (ci, role, i), p in zip(keys, scores, strict=True):
        if (ci, role) not in best or p > best[ci, role][0]:
            best[ci, role] = (p, i)
    found = []
    for ci in cues:
        content = best.get((ci, "C"))
        if content is None:
            continue
        source = best.get((ci, "S"))
        if source is not None and source[0] >= threshold:
            proposal = Proposal("attribution", source[1], ci, content[1], content[0] * source[0])
        else:
            no_source = 1.0 - (source[0] if source is not None else 0.0)
            proposal = Proposal("attribution", None, ci, content[1], content[0] * no_source)
        if proposal.confidence >= MIN_CONFIDENCE:
            found.append(proposal)
    return found
