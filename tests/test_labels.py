"""Published ClassLabel indices are append-only: released_labels.json holds every published order."""

from __future__ import annotations

import json
from enum import EnumType
from pathlib import Path

import pytest

from claimbank.dataset import features, labels
from claimbank.format import vocab
from claimbank.format.vocab import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
RELEASED = ROOT / "loaders" / "claimbank" / "dataset" / labels.RELEASED_FILE


def test_every_label_value_is_released() -> None:
    """A new vocabulary value must be recorded (``claimbank docs --write`` appends it) before it ships."""
    assert labels.unreleased(labels.current()) == {}


def test_every_class_label_starts_with_its_released_order() -> None:
    released = labels.released()
    for enum in vocab.VOCABULARIES:
        names = features.class_label(enum).names
        assert names[: len(released[enum.__name__])] == released[enum.__name__], enum.__name__
    for sequence in features.TAG_SEQUENCES:
        names = features.TOKENS[sequence].feature.names
        assert names[: len(released[sequence])] == released[sequence]


def test_inserting_a_value_before_others_renumbers_nothing() -> None:
    # The same vocabulary with a value inserted first, as a careless edit of vocab.py would do.
    namespace = EnumType.__prepare__("SourceType", (Vocabulary,))
    namespace["NEW_FIRST"] = ("new_first", "inserted before the others")
    for member in vocab.SourceType:
        namespace[member.name] = (member.value, member.description)
    edited = EnumType("SourceType", (Vocabulary,), namespace)
    assert next(iter(edited)).value == "new_first"
    before, after = labels.index(vocab.SourceType), labels.index(edited)
    assert all(after[value] == index for value, index in before.items())
    assert after["new_first"] == len(before)  # appended, not inserted


def test_a_reordered_release_file_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.loads(RELEASED.read_text(encoding="utf-8"))
    data["Factuality"] = list(reversed(data["Factuality"]))
    monkeypatch.setattr(labels, "released", lambda: {k: v for k, v in data.items() if not k.startswith("_")})
    names = features.class_label(vocab.Factuality).names
    assert names == data["Factuality"]  # the file decides the order, so a change to it is a change of indices
    assert names != [m.value for m in vocab.Factuality]


def test_docs_write_appends_unreleased_values_only(monkeypatch: pytest.MonkeyPatch) -> None:
    current = labels.current()
    current["Factuality"] = [*current["Factuality"], "XX"]
    monkeypatch.setattr(labels, "current", lambda: current)
    written = json.loads(labels.released_text())
    assert written["Factuality"] == [*labels.released()["Factuality"], "XX"]
    stored = json.loads(RELEASED.read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k != "Factuality"} == {
        k: v for k, v in stored.items() if k != "Factuality"
    }
