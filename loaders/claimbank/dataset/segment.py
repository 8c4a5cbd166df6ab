"""Sentences and tokens of a document text, with code point offsets: the tokenizer the ``tokens`` config documents.

Tokens are runs of word characters (``\\w+``) or single other non-space characters, never splitting a
user-perceived character (an accent written as a combining mark stays with its letter, an emoji ZWJ sequence is
one token). They come from the text alone: no annotation moves a token edge (spans are mapped onto tokens
afterwards by ``claimbank.dataset.rows``, which counts the spans whose edges fall inside a token). Sentences end
after ``.``, ``!`` or ``?`` followed by white space and a word character or opening quote, and at line breaks. Both are deliberately simple and dependency-free; they are the same for every build.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from claimbank.validate.checks import splits_character

_TOKEN = re.compile(r"\w+|\S")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# A sentence ends after ., ! or ? (a closing quote or bracket after it stays with its sentence) and white space
# before a word or an opening quote, and at a line break. Each branch starts by matching one white space character
# (the look-behinds then look at the character before it): a pattern that starts with a character class lets the
# regular expression engine skip to the next white space, 4 times quicker than trying every position.
_SENTENCE_END = re.compile(
    r"\s(?:(?<=[.!?]\s)\s*(?=[\"“‘(\w])|(?<=[.!?][\"”’)]\s)\s*(?=[\"“‘(\w])|(?<=\n)\s*\n|(?<=\n))"
)


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token ``(start, end)`` offsets in ``text``."""
    tokens = [match.span() for match in _TOKEN.finditer(text)]
    if text.isascii():
        return tokens
    # Only a non-ASCII character can continue the character before it (a combining mark, a ZWJ, ...), and only
    # one right after a token: those few places are asked, and the tokens that start there found by bisection.
    joins = []
    for match in _NON_ASCII.finditer(text):
        at = match.start()
        if at and not text[at - 1].isspace() and splits_character(text, at):
            k = bisect_left(tokens, (at,))
            if k < len(tokens) and tokens[k][0] == at and tokens[k - 1][1] == at:
                joins.append(k)  # token k goes on from token k - 1
    if not joins:
        return tokens
    merged: list[tuple[int, int]] = []
    copied = 0  # tokens[:copied] are in merged
    for k in joins:
        merged.extend(tokens[copied:k])
        merged[-1] = (merged[-1][0], tokens[k][1])
        copied = k + 1
    merged.extend(tokens[copied:])
    return merged


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets, without surrounding white space."""
    spans = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    result = []
    for start, end in spans:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            offset = start + len(chunk) - len(chunk.lstrip())
            result.append((offset, offset + len(stripped)))
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
