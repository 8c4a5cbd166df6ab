"""A rule-based pre-annotator: proposes SOURCE / CUE / CONTENT spans and attributions (explicit non-attributions
included) for raw text, from the lexicon in ``rules/lexicon.json``. No model, no download.

Each sentence is matched against four patterns, in this order, and a stretch of text is used by one proposal
only: credit lines ("Image Credit: REUTERS"), negated claimers ("No group has claimed …"), "according to X",
and a subject followed by a verb of saying or belief ("Al Kadhimi’s sources have recently said that …").
Its output is an annotation set with origin "prediction", valid under the schema.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from claimbank import __version__
from claimbank.dataset import segment

MODEL_VERSION = f"claimbank-rules {__version__}"


@cache
def lexicon() -> dict[str, Any]:
    """The rules' word lists, shipped inside the package."""
    loaded: dict[str, Any] = json.loads(
        resources.files("claimbank.annotate").joinpath("rules/lexicon.json").read_text("utf-8")
    )
    return loaded


def _words(items: list[str]) -> str:
    return "|".join(re.escape(item) for item in sorted(items, key=len, reverse=True))


@dataclass(frozen=True)
class _Proposal:
    kind: str
    source: tuple[int, int]  # every pattern has a source (the "No group" of a non-attribution included)
    cue: tuple[int, int]
    cue_type: str
    content: tuple[int, int]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without surrounding white space and final punctuation."""
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:!?"):
        end -= 1
    return start, end


def source_type(phrase: str) -> str:
    """The source type the lexicon suggests for a source phrase (``anonymous`` when nothing fits)."""
    lowered = phrase.lower()
    words = set(re.findall(r"[\w’']+", lowered))
    for kind in (
        "nobody",
        "anonymous",
        "unnamed_official",
        "government_body",
        "media",
        "collective",
        "named_person",
    ):
        for marker in lexicon()["source_types"][kind]:
            if (" " in marker and marker in lowered) or marker in words:
                return kind
    return "named_person" if phrase[:1].isupper() else "anonymous"


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    lex = lexicon()
    # An auxiliary may carry an adverb ("have recently said"); a bare adverb before the verb is not in the cue.
    aux = rf"(?:(?:{_words(lex['auxiliaries'])})\s+(?:(?:{_words(lex['adverbs_after_auxiliary'])})\s+)?)?"
    np = r"[\w’'-]+(?:\s+[\w’'-]+){0,4}?"
    return [
        ("credit", re.compile(rf"(?P<cue>{_words(lex['credit_lines'])})\s*(?P<source>[^\n]+?)\s*$", re.M)),
        (
            "negated",
            re.compile(
                rf"(?P<source>\b(?:{_words(lex['negated_claimers'])}))\s+(?P<cue>{_words(lex['negated_cues'])})\b"
                r"\s+(?P<content>[^.!?]+)",
                re.I,
            ),
        ),
        (
            "according",
            re.compile(
                rf"(?P<cue>\b(?:{_words(lex['according_to'])}))\s+(?P<source>(?:the\s+)?{np})(?=\s*[,.;]|$)",
                re.I,
            ),
        ),
        (
            "verb",
            re.compile(
                rf"(?P<source>\b{np})\s+(?P<cue>{aux}(?:{_words(lex['saying_verbs'] + lex['belief_verbs'])}))\b"
                r"(?:\s+that\b)?(?P<content>[^.!?]+)",
                re.I,
            ),
        ),
    ]


def _strip_subject(text: str, start: int, end: int) -> tuple[int, int]:
    """A subject without a leading conjunction or adverbial ("But", "Most importantly,") and without a trailing
    adverb ("He also")."""
    stop = re.compile(rf"(?:{_words(lexicon()['subject_stop_words'])})\b[\s,]*", re.I)
    while (match := stop.match(text, start, end)) and match.end() > start:
        start = match.end()
    adverbs = {word.lower() for word in lexicon()["adverbs_after_auxiliary"]}
    words = text[start:end].split()
    while len(words) > 1 and words[-1].lower() in adverbs:
        end = text.rindex(words.pop(), start, end)
        end = start + len(text[start:end].rstrip())
    return start, end


def propose(text: str) -> list[_Proposal]:
    """Attribution proposals for ``text``, in text order."""
    found: list[_Proposal] = []
    taken: list[tuple[int, int]] = []
    belief = {w.lower() for w in lexicon()["belief_verbs"]}

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for s_start, s_end in segment.sentences(text):
        sentence = text[s_start:s_end]
        for name, pattern in _patterns():
            for match in pattern.finditer(sentence):
                cue = (s_start + match.start("cue"), s_start + match.end("cue"))
                if not free(*cue):
                    continue
                source = (s_start + match.start("source"), s_start + match.end("source"))
                if name == "credit":
                    line_start = text.rfind("\n", 0, cue[0]) + 1
                    content = _trim(text, line_start, cue[0])
                    cue_type = "credit_line"
                elif name == "according":
                    before = _trim(text, s_start, cue[0])
                    after = _trim(text, source[1], s_end)
                    content = after if after[1] - after[0] > before[1] - before[0] else before
                    cue_type = "according_to"
                else:
                    content = _trim(text, s_start + match.start("content"), s_start + match.end("content"))
                    last_word = text[cue[0] : cue[1]].split()[-1].lower()
                    cue_type = (
                        "belief_cognition" if last_word in belief or "idea" in last_word else "verb_of_saying"
                    )
                    if name == "verb":
                        source = _strip_subject(text, source[0], source[1])
                if content[0] >= content[1] or source[0] >= source[1]:
                    continue
                kind = "non_attribution" if name == "negated" else "attribution"
                found.append(_Proposal(kind, source, cue, cue_type, content))
                taken += [cue, source]
    return sorted(found, key=lambda p: p.cue)


def annotation_set(text: str, *, set_id: str = "preannotator", created_at: str) -> dict[str, Any]:
    """An annotation set (origin "prediction") holding the proposals for ``text``."""
    spans: list[dict[str, Any]] = []
    index: dict[tuple[str, int, int], str] = {}

    def span(label: str, where: tuple[int, int], **attrs: Any) -> str:
        key = (label, *where)
        if key not in index:
            index[key] = f"s{len(spans) + 1}"
            spans.append(
                {
                    "id": index[key],
                    "label": label,
                    "start": where[0],
                    "end": where[1],
                    "text": text[where[0] : where[1]],
                    **attrs,
                }
            )
        return index[key]

    attributions = []
    for number, proposal in enumerate(propose(text), start=1):
        item: dict[str, Any] = {"id": f"a{number}", "kind": proposal.kind}
        phrase = text[proposal.source[0] : proposal.source[1]]
        kind = "nobody" if proposal.kind == "non_attribution" else source_type(phrase)
        if kind == "nobody" and proposal.kind != "non_attribution":
            kind = "anonymous"  # 'nobody' belongs to non-attributions only (source-type-mismatch otherwise)
        item["source"] = span("SOURCE", proposal.source, source_type=kind)
        item["cue"] = span("CUE", proposal.cue, cue_type=proposal.cue_type)
        item["content"] = span("CONTENT", proposal.content)
        attributions.append(item)
    return {
        "id": set_id,
        "annotator": "claimbank preannotate",
        "origin": "prediction",
        "created_at": created_at,
        "model_version": MODEL_VERSION,
        "spans": spans,
        "attributions": attributions,
        "claims": [],
    }
