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
from bisect import bisect_right

import numpy as np
import numpy.typing as npt

from claimbank.validate.checks import splits_character

Offsets = npt.NDArray[np.int64]
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
    starts, ends = token_offsets(text)
    return list(zip(starts, ends, strict=True))


def token_offsets(text: str) -> tuple[array[int], array[int]]:
    """The starts and the ends of the tokens of ``text`` (:func:`tokenize`'s offsets), as two columns.

    One ``re.split`` cuts the text into white space and tokens in turn, and the offsets are the running sum of
    the pieces' lengths (numpy's): no Python step per token (a match object and its ``span()`` per token cost
    4× as much), and the offsets are 64-bit integers end to end, as Arrow stores them."""
    pieces = _TOKEN_SPLIT.split(text)  # [space, token, space, token, ..., space]
    edges = np.fromiter(map(len, pieces), np.int64, len(pieces)).cumsum()
    starts, ends = edges[0:-1:2], edges[1::2]
    if not text.isascii():
        starts, ends = _joined(text, starts, ends)
    return array("q", starts.tobytes()), array("q", ends.tobytes())


def _joined(text: str, starts: Offsets, ends: Offsets) -> tuple[Offsets, Offsets]:
    """The offsets with each token that continues the character before it (a combining mark, a ZWJ, ...) joined
    to the token before. Only a non-ASCII character right after a token can: those few places are asked, and the
    tokens that start there found by bisection."""
    places = np.array(
        [
            match.start()
            for match in _NON_ASCII.finditer(text)
            if match.start()
            and not text[match.start() - 1].isspace()
            and splits_character(text, match.start())
        ],
        np.int64,
    )
    found = np.searchsorted(starts, places)
    inside = found < len(starts)  # places past the last token's start come last
    found, places = found[inside], places[inside]
    joins = found[(starts[found] == places) & (ends[found - 1] == places)]
    # Token k joined to k - 1: the start of k and the end of k - 1 go (in a run of joins, the run's first start
    # and its last end stay).
    return np.delete(starts, joins), np.delete(ends, joins - 1)


def token_texts(text: str, starts: array[int], ends: array[int]) -> tuple[bytes, array[int]]:
    """The texts of the tokens (``starts``, ``ends``: :func:`token_offsets`) end to end in UTF-8, and each one's
    length in bytes: the buffers of an Arrow string array, with no Python string per token. Tokens cover every
    character but white space, so their texts end to end are the text without its white space."""
    data = "".join(text.split()).encode("utf-8")
    first, last = np.frombuffer(starts, np.int64), np.frombuffer(ends, np.int64)
    if text.isascii():
        return data, array("q", (last - first).tobytes())
    codes = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    widths = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
    byte_at = np.concatenate(([0], widths.cumsum()))  # the UTF-8 offset of every code point offset
    return data, array("q", (byte_at[last] - byte_at[first]).tobytes())


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
