"""The tokenizer and sentence splitter, held to their rules written the plain way (one regular expression tried at
every position, every token asked whether it continues the character before it) on random texts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from claimbank.dataset import segment
from claimbank.dataset.rows import Texts
from claimbank.validate.checks import splits_character

_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(\w])|\n\s*\n|\n")


def plain_tokenize(text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for match in re.finditer(r"\w+|\S", text):
        start = match.start()
        if merged and merged[-1][1] == start and text[start] > "\x7f" and splits_character(text, start):
            merged[-1] = (merged[-1][0], match.end())
        else:
            merged.append(match.span())
    return merged


def plain_sentence_ends(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _SENTENCE_END.finditer(text)]


def plain_sentences(text: str) -> list[tuple[int, int]]:
    """The text between sentence ends, each piece without the white space at its edges, empty pieces left out."""
    edges = [0, *(offset for span in plain_sentence_ends(text) for offset in span), len(text)]
    result = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        chunk = text[start:end]
        if chunk.strip():
            offset = start + len(chunk) - len(chunk.lstrip())
            result.append((offset, offset + len(chunk.strip())))
    return result


# What the rules turn on: words, end punctuation, quotes and brackets, every kind of white space, and the
# characters that continue the one before them (combining marks, ZWJ, variation selectors, skin tones, flags).
PIECES = st.sampled_from(
    [
        *'ab1_ .!?"”’)“‘(\n\t\r\u2028\u00a0\u3000xé',
        "\u0301",
        "\u200d",
        "\ufe0f",
        "\U0001f3fd",
        "\U0001f1eb\U0001f1f7",
        "\U0001f469",
        "\u1161",
        "’s",
        "Mr.",
        ". The",
        '." He',
        "\n\n",
    ]
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=3000, deadline=None)
@given(text=TEXTS)
def test_tokens_follow_the_plain_rule(text: str) -> None:
    assert segment.tokenize(text) == plain_tokenize(text)


@settings(max_examples=1000, deadline=None)
@given(text=TEXTS)
def test_token_texts_are_the_tokens_end_to_end_in_utf8(text: str) -> None:
    words = [text[start:end] for start, end in plain_tokenize(text)]
    data, lengths = segment.token_texts(text, *segment.token_offsets(text))
    assert data == "".join(words).encode("utf-8")
    assert list(lengths) == [len(word.encode("utf-8")) for word in words]
    texts = Texts(data, lengths)  # what the token views hold: a list of strings to whoever reads them
    assert list(texts) == texts.arrow().to_pylist() == words
    assert list(texts[1:3]) == words[1:3]
    both = texts[:0]
    both.extend(texts)
    both.extend(texts[1:])
    assert both.arrow().to_pylist() == words + words[1:]


@settings(max_examples=3000, deadline=None)
@given(text=TEXTS)
def test_sentences_follow_the_plain_rule(text: str) -> None:
    assert segment.sentences(text) == plain_sentences(text)


def test_the_rules_can_tell_texts_apart() -> None:
    # A combining mark stays with its letter; a space or a comma after the full stop decides a sentence end.
    assert segment.tokenize("e\u0301t\u00e9") == plain_tokenize("e\u0301t\u00e9") == [(0, 2), (2, 4)]
    assert plain_tokenize("e \u0301") == [(0, 1), (2, 3)]
    assert plain_sentence_ends("a.  b") == [(2, 4)]
    assert plain_sentence_ends("a.  ,b") == []
    assert segment.sentences("a.  b") == plain_sentences("a.  b") == [(0, 2), (4, 5)]
    assert segment.sentences("a.  ,b") == plain_sentences("a.  ,b") == [(0, 6)]
