"""The integer each label value is stored as in the dataset: published orders never change, new values append.

A ``ClassLabel`` column stores a label as the index of its name. Those indices are what a trained model's output
layer means, so once a build has published them they must not move: ``released_labels.json`` holds every name
order ClaimBank has published, per vocabulary (and per tag sequence). The names of a column are that order, then
any value of the vocabulary not yet in it, in the vocabulary's order; inserting a value into ``vocab.py`` before
an existing one therefore renumbers nothing. ``claimbank docs --write`` records new values in the file (appending
only), and ``tests/test_labels.py`` fails while a value is unrecorded or a recorded order has changed.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from claimbank.format.vocab import Vocabulary

RELEASED_FILE = "released_labels.json"


@cache
def released() -> dict[str, list[str]]:
    """Every published name order, by vocabulary (or tag sequence) name."""
    data = json.loads(resources.files("claimbank.dataset").joinpath(RELEASED_FILE).read_text("utf-8"))
    return {name: list(order) for name, order in data.items() if not name.startswith("_")}


def ordered(name: str, values: list[str]) -> list[str]:
    """``values`` in their stored order: the published names first (removed ones keep their place), then the new."""
    published = released().get(name, [])
    return published + [value for value in values if value not in published]


def names(enum: type[Vocabulary]) -> list[str]:
    """The ``ClassLabel`` names of a vocabulary's column."""
    return ordered(enum.__name__, [member.value for member in enum])


def index(enum: type[Vocabulary]) -> dict[str, int]:
    """Value -> the integer its ``ClassLabel`` stores."""
    return {value: position for position, value in enumerate(names(enum))}


def unreleased(current: dict[str, list[str]]) -> dict[str, list[str]]:
    """What ``current`` (name -> values) holds that the released file does not: the file's next appendix."""
    return {
        name: [value for value in values if value not in released().get(name, [])]
        for name, values in current.items()
        if any(value not in released().get(name, []) for value in values)
    }


def current() -> dict[str, list[str]]:
    """Every label column's values as the code defines them now: each vocabulary, and each BIO tag sequence."""
    from claimbank.dataset.features import TAG_SEQUENCES, bio_names
    from claimbank.format.vocab import VOCABULARIES

    out = {enum.__name__: [member.value for member in enum] for enum in VOCABULARIES}
    out |= {name: bio_names(sequence) for name, sequence in TAG_SEQUENCES.items()}
    return out


def released_text() -> str:
    """The released file's text with every unreleased value appended (what ``claimbank docs --write`` writes)."""
    data = json.loads(resources.files("claimbank.dataset").joinpath(RELEASED_FILE).read_text("utf-8"))
    for name, values in unreleased(current()).items():
        data.setdefault(name, []).extend(values)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
