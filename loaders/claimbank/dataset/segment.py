"""Sentences and tokens of a document text, with code point offsets: the tokenizer the ``tokens`` config documents.

Tokens are runs of word characters (``\\w+``) or single other non-space characters, never splitting a
user-perceived character (an accent written as a combining mark stays with its letter, an emoji ZWJ sequence is
one token). They come from the text alone: no annotation moves a token edge (spans are mapped onto tokens
afterwards by ``claimbank.dataset.rows``, which counts the spans whose edges fall inside a token). Sentences end
after ``.``, ``!`` or ``?`` followed by white space and a word character or opening quote, and at line breaks. Both are deliberately simple and dependency-free; they are the same for every build.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right

import numpy as np

from claimbank.validate.checks import splits_character

_TOKEN_SPLIT = re.compile(r"(\w+|\S)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A sentence ends at a run of white space after ., ! or ? (a closing quote or bracket after it stays with its
# sentence) and before a word or an opening quote, and at a run of white space that holds a line break. Both
# patterns start with a character class or a character, so the regular expression engine skips to the next
# candidate (a full stop, a line break) instead of trying every position.
_AFTER_END = re.compile(r"[.!?][\"”’)]?(\s+)(?=[\"“‘(\w])")
_LINE_BREAK = re.compile(r"\n\s*")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token ``(start, end)`` offsets in ``text``."""
    _, starts, ends = token_columns(text)
    return list(zip(starts, ends, strict=True))


def token_columns(text: str) -> tuple[list[str], array[int], array[int]]:
    """The tokens of ``text`` column by column: their texts, starts and ends (:func:`tokenize`'s offsets).

    One ``re.split`` cuts the text into white space and tokens in turn, and the offsets are the running sum of
    the pieces' lengths: no Python step per token (a match object and its ``span()`` per token cost 4× as much),
    and the offsets are 64-bit integers end to end, as Arrow stores them."""
    pieces = _TOKEN_SPLIT.split(text)  # [space, token, space, token, ..., space]
    # numpy's running sum, in the array's memory: half the time of itertools.accumulate into the array
    edges = array("q", np.fromiter(map(len, pieces), np.int64, len(pieces)).cumsum().tobytes())
    words, starts, ends = pieces[1::2], edges[0:-1:2], edges[1::2]
    if text.isascii():
        return words, starts, ends
    # Only a non-ASCII character can continue the character before it (a combining mark, a ZWJ, ...), and only
    # one right after a token: those few places are asked, and the tokens that start there found by bisection.
    joins = []
    for match in _NON_ASCII.finditer(text):
        at = match.start()
        if at and not text[at - 1].isspace() and splits_character(text, at):
            k = bisect_left(starts, at)
            if k < len(starts) and starts[k] == at and ends[k - 1] == at:
                joins.append(k)  # token k goes on from token k - 1
    if not joins:
        return words, starts, ends
    # Each run of joined tokens becomes its first token, longer: the columns are copied once, in stretches.
    kept_words: list[str] = []
    kept_starts, kept_ends = array("q"), array("q")
    copied = 0  # tokens[:copied] are kept
    for k in joins:
        kept_words.extend(words[copied:k])
        kept_starts.extend(starts[copied:k])
        kept_ends.extend(ends[copied:k])
        kept_words[-1] += words[k]
        kept_ends[-1] = ends[k]
        copied = k + 1
    kept_words.extend(words[copied:])
    kept_starts.extend(starts[copied:])
    kept_ends.extend(ends[copied:])
    return kept_words, kept_starts, kept_ends


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets, without surrounding white space."""
    breaks = {match.span(1) for match in _AFTER_END.finditer(text)}  # whole runs: \s+ is greedy
    for match in _LINE_BREAK.finditer(text):  # from a run's first line break to its end
        start = match.start()
        while start and text[start - 1].isspace():
            start -= 1
        breaks.add((start, match.end()))
    result = []
    position = 0
    for start, end in [*sorted(breaks), (len(text), len(text))]:
        # Only the text's first and last pieces can have white space at their edges: the others lie between
        # two whole runs of it.
        first, last = position, start
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        if first < last:
            result.append((first, last))
        position = end
    return result


class Sentences:
    """A text's sentences (:func:`sentences`), split once, and the stretch of them a span covers (a bisection: the
    sentence starts are kept, so each lookup costs log of the sentence count)."""

    def __init__(self, text: str) -> None:
        self.bounds = sentences(text)
        self.starts = [start for start, _ in self.bounds]

    def covering(self, start: int, end: int) -> tuple[int, int]:
        """The stretch from the sentence holding ``start`` to the sentence holding ``end - 1`` (the span itself
        when the text has no sentence, being white space only)."""
        if not self.bounds:
            return start, end
        first = max(bisect_right(self.starts, start) - 1, 0)
        last = max(bisect_right(self.starts, max(end - 1, start)) - 1, first)
        return self.bounds[first][0], max(self.bounds[last][1], end)
