"""The linker's pair features: what they say about a (cue, candidate) pair, on hand-made sentences."""

from __future__ import annotations

from claimbank.tagger import link
from claimbank.tagger.features import Tokens


def _span(tokens: Tokens, words: str) -> tuple[int, int]:
    """The token span of the first occurrence of ``words`` (space-separated tokens)."""
    wanted = words.split()
    for i in range(len(tokens.words)):
        if tokens.words[i : i + len(wanted)] == wanted:
            return i, i + len(wanted)
    raise AssertionError(words)


def test_cue_words_are_joined_with_the_side_and_role() -> None:
    tokens = Tokens.of("According to the poll, voters are angry.")
    cue, content = _span(tokens, "According to"), _span(tokens, "voters are angry")
    found = link.pair_features(tokens, cue, content, "C", [cue[0]], [content[0]])
    assert "cue_side=CR|according to" in found
    assert "cf_side=CR|according" in found
    assert "kw_side=CR|voters" in found
    assert "before_cand=CR|," in found
    assert "after_cand=CR|." in found


def test_a_nearer_cue_is_seen_as_competition() -> None:
    tokens = Tokens.of("Smith said the plan works, and Jones argued it fails.")
    said, argued = _span(tokens, "said"), _span(tokens, "argued")
    content = _span(tokens, "it fails")
    cues = sorted([said[0], argued[0]])
    far = link.pair_features(tokens, said, content, "C", cues, [content[0]])
    near = link.pair_features(tokens, argued, content, "C", cues, [content[0]])
    assert "closer_cue=CY" in far
    assert "closer_cue=CN" in near
