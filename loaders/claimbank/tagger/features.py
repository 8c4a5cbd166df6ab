"""Token features of the attribution tagger, computed from the article text alone.

Tokens are ``claimbank.dataset.segment.tokenize(text)``, from the text alone (never cut at a gold span edge,
which a model cannot see when it predicts), sentences are ``segment.sentences``. Each token gets
binary features: its word, shape, affixes, a crude stem and lexicon flags; the same for its neighbours up to
``WINDOW`` tokens away; bigrams; where it stands in its sentence; whether it is inside a quotation; and how far the
nearest cue-like word is on either side in the sentence. Features are binary (present or not), written as UTF-8
byte strings, and the per-word part is cached, since a document repeats its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from claimbank.annotate.preannotate import lexicon
from claimbank.dataset import segment

# Changing a feature changes what a saved model means: bump this, and models record it.
FEATURE_VERSION = 1
WINDOW = 3

# Verbs and phrases of attribution beyond the rules' lexicon (PolNeAR's cues are broad: belief, support,
# criticism, promises); a word here only becomes a feature, the CRF learns its weight.
_MORE_CUES = """according told tell telling saying asked asks ask wrote writes write suggested suggests suggest
acknowledged acknowledges admitted admits argues argue insists insist notes explains reports report called calls
promised promises vowed vows predicted predicts accused accuses criticized criticizes praised praises pointed
describes described declared estimated estimates showed shows show found finds want wants wanted hope hopes hoped
agreed agree tweeted replied responded recalled stressed urged urges feel feels felt claim deny questioned
contended maintained concluded indicated revealed mentioned announce acknowledge admit suggesting arguing claiming
warning noting adding calling asking explaining"""
_AUXILIARIES = [
    "has",
    "have",
    "had",
    "is",
    "was",
    "were",
    "are",
    "be",
    "been",
    "will",
    "would",
    "could",
    "can",
    "did",
    "does",
    "do",
    "not",
    "n’t",
    "n't",
    "also",
    "may",
    "might",
    "should",
]
_PRONOUNS = ("he", "she", "they", "we", "i", "it", "you", "who")
_STEM_SUFFIXES = ("ing", "ed", "es", "s", "e")
_OPENING_QUOTES = frozenset("“‘«")
_CLOSING_QUOTES = frozenset("”’»")
# What opens and closes a quotation: not ‘ and ’ (an apostrophe is one too).
_QUOTE_OPENS = _OPENING_QUOTES - {"‘"}
_QUOTE_CLOSES = _CLOSING_QUOTES - {"’"}


@cache
def _lexicon_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(verbs of saying, verbs of belief, every cue-like word), lower case, single words only."""
    lex = lexicon()
    saying = frozenset(w.lower() for w in lex["saying_verbs"] if " " not in w)
    belief = frozenset(w.lower() for w in lex["belief_verbs"] if " " not in w)
    return saying, belief, saying | belief | frozenset(_MORE_CUES.split())


def stem(word: str) -> str:
    """A crude suffix-stripping stem ('criticized' -> 'criticiz'), so that inflections share a feature."""
    for suffix in _STEM_SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def shape(word: str) -> str:
    """'McCain' -> 'XxXx', '2016' -> 'd', cut at 6 characters."""
    s = re.sub(r"[A-Z]+", "X", word)
    s = re.sub(r"[a-z]+", "x", s)
    return re.sub(r"[0-9]+", "d", s)[:6]


@lru_cache(maxsize=200_000)
def _word(word: str) -> tuple[bytes, ...]:
    saying, belief, cues = _lexicon_sets()
    lw = word.lower()
    found = [
        "w=" + lw,
        "sh=" + shape(word),
        "p3=" + lw[:3],
        "s3=" + lw[-3:],
        "s2=" + lw[-2:],
        "st=" + stem(lw),
    ]
    if word[:1].isupper():
        found.append("T")
    if word.isupper() and len(word) > 1:
        found.append("U")
    if lw in saying:
        found.append("say")
    if lw in belief:
        found.append("bel")
    if lw in cues:
        found.append("cue")
    if lw in _AUXILIARIES:
        found.append("aux")
    if lw in _PRONOUNS:
        found.append("prn")
    return tuple(f.encode() for f in found)


@lru_cache(maxsize=400_000)
def _neighbour(word: str, offset: int) -> tuple[bytes, ...]:
    lw = word.lower()
    found = [f"{offset}w={lw}", f"{offset}sh={shape(word)}"]
    if lw in _lexicon_sets()[2]:
        found.append(f"{offset}cue")
    if abs(offset) == 1:
        found.append(f"{offset}st={stem(lw)}")
    if lw in _AUXILIARIES:
        found.append(f"{offset}aux")
    if lw in _PRONOUNS:
        found.append(f"{offset}prn")
    if word[:1].isupper():
        found.append(f"{offset}T")
    return tuple(f.encode() for f in found)


def bucket(distance: int) -> str:
    """A distance in tokens, coarser as it grows."""
    if distance < 4:
        return str(distance)
    return "4-6" if distance < 7 else ("7-12" if distance < 13 else "13+")


@dataclass(frozen=True)
class Tokens:
    """A text's tokens, their words and the sentence each belongs to."""

    text: str
    offsets: list[tuple[int, int]]
    words: list[str]
    lower: list[str]
    sentence: list[int]

    @classmethod
    def of(cls, text: str) -> Tokens:
        """Tokenize ``text`` from the text alone (no span boundaries)."""
        import numpy as np

        offsets = segment.tokenize(text)
        starts = np.array([start for start, _ in segment.sentences(text)], dtype=np.int64)
        # Each token's sentence: the last that starts at or before it (bisect_right, for all tokens at once).
        token_starts = np.fromiter((start for start, _ in offsets), np.int64, len(offsets))
        sentence = np.maximum(np.searchsorted(starts, token_starts, side="right") - 1, 0).tolist()
        words = [text[s:e] for s, e in offsets]
        return cls(text, offsets, words, [w.lower() for w in words], sentence)


def _inside_quotes(words: list[str]) -> list[bool]:
    """Whether each token is inside a quotation (curly quotes open and close; a straight '"' toggles)."""
    inside, state = [], False
    for word in words:
        if word in _QUOTE_OPENS or (word == '"' and not state):
            state = True
            inside.append(True)
        elif word in _QUOTE_CLOSES or (word == '"' and state):
            inside.append(True)
            state = False
        else:
            inside.append(state)
    return inside


def _nearest_cues(lower: list[str], sentence: list[int]) -> tuple[list[int], list[int]]:
    """For each token, the distance to the nearest cue-like word before and after it in its sentence (0: none)."""
    cues = _lexicon_sets()[2]
    is_cue = [w in cues for w in lower]
    n = len(lower)
    return _distances(range(n), is_cue, sentence), _distances(range(n - 1, -1, -1), is_cue, sentence)


def _distances(order: range, is_cue: list[bool], sentence: list[int]) -> list[int]:
    """For each token, visited in ``order``, the distance to the last cue-like word visited in its sentence."""
    found = [0] * len(is_cue)
    last, current = -1, -1
    for i in order:
        if sentence[i] != current:
            last, current = -1, sentence[i]
        if last >= 0:
            found[i] = abs(i - last)
        if is_cue[i]:
            last = i
    return found


_LIMIT = 64  # distances from here on share the last bucket
# Features are UTF-8 bytes, not str: crfsuite takes either, and bytes spare it an encoding of every feature of
# every token (a fifth of its reading time). The model file holds the same UTF-8 strings either way.
_SPOS = tuple(("spos=" + bucket(i)).encode() for i in range(_LIMIT))
_SREM = tuple(("srem=" + bucket(i)).encode() for i in range(_LIMIT))
_CUE_LEFT = tuple(("cueL=" + bucket(i)).encode() for i in range(_LIMIT))
_CUE_RIGHT = tuple(("cueR=" + bucket(i)).encode() for i in range(_LIMIT))
_OFFSETS = tuple(k for d in range(1, WINDOW + 1) for k in (-d, d))
_PADDING = {k: (f"{k}w=<s>".encode(),) if k < 0 else (f"{k}w=</s>".encode(),) for k in _OFFSETS}


@lru_cache(maxsize=200_000)
def _context(word: str) -> dict[int, tuple[bytes, ...]]:
    """The word's features as a neighbour, for every offset: one cache look-up per token instead of one per
    offset (prediction speed is mostly this loop)."""
    return {k: _neighbour(word, k) for k in _OFFSETS}


def token_features(tokens: Tokens) -> list[tuple[bytes, ...]]:
    """The features of every token, as UTF-8 strings.

    Built column by column (each a list over the tokens) and joined by tuple concatenation: prediction speed is
    mostly this function and crfsuite reading its output, and this is about twice as fast as a loop per token.
    """
    words, sentence, text, offsets = tokens.words, tokens.sentence, tokens.text, tokens.offsets
    n = len(words)
    if n == 0:
        return []
    lower = tokens.lower
    context = [_context(w) for w in words]
    columns: list[list[tuple[bytes, ...]]] = [[_word(w) for w in words]]
    for k in _OFFSETS:
        pad = _PADDING[k]
        if k < 0:
            columns.append([pad] * min(-k, n) + [context[j][k] for j in range(n + k)])
        else:
            columns.append([context[j][k] for j in range(k, n)] + [pad] * min(k, n))
    before = ["<s>", *lower[:-1]]
    after = [*lower[1:], "</s>"]
    quoted = _inside_quotes(words)
    left, right = _nearest_cues(lower, sentence)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for i, s in enumerate(sentence):
        first.setdefault(s, i)
        last[s] = i
    top = _LIMIT - 1
    rest = []
    for i in range(n):
        s = sentence[i]
        found = [
            ("bg-=" + before[i] + "|" + lower[i]).encode(),
            ("bg+=" + lower[i] + "|" + after[i]).encode(),
            _SPOS[min(i - first[s], top)],
            _SREM[min(last[s] - i, top)],
        ]
        if quoted[i]:
            found.append(b"inq")
        if left[i]:
            found.append(_CUE_LEFT[min(left[i], top)])
        if right[i]:
            found.append(_CUE_RIGHT[min(right[i], top)])
        if not left[i] and not right[i]:
            found.append(b"nocue")
        if i and "\n" in text[offsets[i - 1][1] : offsets[i][0]]:
            found.append(b"para")
        rest.append(tuple(found))
    if (
        len(columns) == 7
    ):  # WINDOW 3, the shipped one: written out, as sum(parts, ()) costs a tenth of predicting
        w, a, b, c, d, e, f = columns
        return [
            t + u + v + x + y + z + q + r
            for t, u, v, x, y, z, q, r in zip(w, a, b, c, d, e, f, rest, strict=True)
        ]
    columns.append(rest)
    return [sum(parts, ()) for parts in zip(*columns, strict=True)]
