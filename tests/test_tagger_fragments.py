"""The tagger predicts spans in fragments: a CONTENT broken by its cue and source ("The plan," he said, "is
dead.") comes out as one span with ``fragments``, as the dataset holds it, and the scorer compares it so."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from claimbank.cli import main
from claimbank.tagger import Model, Settings, fragments, train
from claimbank.tagger.data import Example, Link, Span, load_examples
from claimbank.tagger.link import Proposal
from claimbank.tagger.training import gold_set, score, split_fragments
from tests.strategies import problems_of_predicted_set

STAMP = "2026-12-01T00:00:00Z"
NAMES = ["Ms. Reyes", "the senator", "Mr. Okafor", "a spokeswoman", "the mayor", "Dr. Lindqvist"]
OPENINGS = ["The plan", "This bill", "Our city", "The deal", "That report", "The budget"]
ENDINGS = ["is dead", "will fail", "needs more time", "was never fair", "helps nobody", "must change"]
FILLER = [
    "The council met on Tuesday.",
    "Rain fell across the region.",
    "Prices rose for a third month.",
    "The vote was delayed again.",
]


def _article(rng: random.Random, number: int) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """An article of filler sentences and quotations, every one of them broken by its cue and source."""
    text, spans, links = "", [], []

    def add(piece: str) -> tuple[int, int]:
        nonlocal text
        start = len(text)
        text += piece
        return start, len(text)

    for k in range(6):
        add(rng.choice(FILLER) + " ")
        first = add("“" + rng.choice(OPENINGS) + ",”")
        add(" ")
        source = add(rng.choice(NAMES))
        add(" ")
        cue = add(rng.choice(["said", "added", "argued"]))
        add(", ")
        second = add("“" + rng.choice(ENDINGS) + ".”")
        add(" ")
        base = f"{number}-{k}"
        spans += [
            {
                "id": f"s{base}",
                "label": "SOURCE",
                "start": source[0],
                "end": source[1],
                "source_type": "named_person",
            },
            {"id": f"q{base}", "label": "CUE", "start": cue[0], "end": cue[1], "cue_type": "verb_of_saying"},
            {
                "id": f"c{base}",
                "label": "CONTENT",
                "start": first[0],
                "end": second[1],
                "fragments": [{"start": a, "end": b} for a, b in (first, second)],
            },
        ]
        links.append(
            {
                "id": f"a{base}",
                "kind": "attribution",
                "source": f"s{base}",
                "cue": f"q{base}",
                "content": f"c{base}",
            }
        )
    for span in spans:
        span["text"] = text[span["start"] : span["end"]]
        for part in span.get("fragments", []):
            part["text"] = text[part["start"] : part["end"]]
    return text, spans, links


def _write(folder: Path, count: int, seed: int) -> Path:
    rng = random.Random(seed)
    (folder / "seeds").mkdir(parents=True)
    (folder / "annotations").mkdir()
    for number in range(count):
        text, spans, links = _article(rng, number)
        name = f"frag-{seed}-{number}"
        (folder / "seeds" / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
        document = {
            "schema_version": "2.0",
            "id": name,
            "seed": f"{name}.txt",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "language": "en",
            "text": text,
            "annotation_sets": [
                {
                    "id": "gold",
                    "annotator": "hand",
                    "origin": "manual",
                    "created_at": STAMP,
                    "gold": True,
                    "spans": spans,
                    "attributions": links,
                    "claims": [],
                }
            ],
        }
        (folder / "annotations" / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Example]]:
    """A crfsuite model trained on 20 hand-made articles, and the gold of 4 others."""
    root = tmp_path_factory.mktemp("fragments")
    built = []
    for name, count, seed in (("train", 20, 1), ("unseen", 4, 2)):
        project = _write(root / name, count, seed)
        assert (
            main(["build", str(project / "annotations"), "--out", str(project / "dataset"), "--no-progress"])
            == 0
        )
        built.append(project / "dataset")
    out = root / "model"
    train(built[0], out, settings=Settings(iterations=60, linker_iterations=60), eval_splits=[])
    unseen = [e for examples in load_examples(built[1]).values() for e in examples]
    return out, unseen


def test_a_content_broken_by_its_cue_and_source_is_predicted_as_one_span_in_fragments(
    trained: tuple[Path, list[Example]],
) -> None:
    folder, unseen = trained
    model = Model(folder)
    for example in unseen:
        item = model.annotation_set(example.text, created_at=STAMP)
        assert problems_of_predicted_set(example.text, item) == []
        predicted = {
            tuple((p["start"], p["end"]) for p in s["fragments"]) for s in item["spans"] if s.get("fragments")
        }
        gold = {tuple(p) for p in (s.parts() for s in gold_set(example).spans) if len(p) > 1}
        assert len(predicted & gold) >= len(gold) - 1, example.id
        # Each attribution names the span in fragments, not a piece of it.
        ids = {s["id"] for s in item["spans"] if s.get("fragments")}
        assert sum(a["content"] in ids for a in item["attributions"]) >= len(gold) - 1


def test_joining_the_pieces_is_what_makes_the_contents_match(
    trained: tuple[Path, list[Example]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, unseen = trained
    model = Model(folder)
    joined = score(lambda text: model.annotation_set(text, created_at=STAMP), unseen)
    monkeypatch.setitem(fragments.groups.__kwdefaults__, "threshold", 2.0)  # never join
    apart = score(lambda text: model.annotation_set(text, created_at=STAMP), unseen)
    assert joined["exact"]["CONTENT"]["f1"] > 0.8
    assert apart["exact"]["CONTENT"]["f1"] == 0.0  # every gold content here is in fragments
    # Fragment by fragment the two agree: joining changes what is one span, not where the pieces are.
    assert joined["per_fragment"]["exact"]["CONTENT"] == apart["per_fragment"]["exact"]["CONTENT"]


def test_groups_join_the_pieces_a_cue_links_and_leave_the_rest() -> None:
    # spans: 0 CONTENT [0, 4), 1 SOURCE [5, 6), 2 CUE [6, 7), 3 CONTENT [8, 12), 4 CONTENT [40, 44),
    # 5 CUE [13, 14), 6 CONTENT [15, 18)
    extents = [(0, 4), (5, 6), (6, 7), (8, 12), (40, 44), (13, 14), (15, 18)]
    proposals = [Proposal("attribution", 1, 2, 3, 0.9), Proposal("attribution", None, 5, 6, 0.8)]
    keys = [(2, "C", 0), (2, "C", 3), (2, "C", 4), (2, "C", 6), (5, "C", 6), (5, "C", 0)]
    scores = [0.8, 0.9, 0.9, 0.7, 0.9, 0.6]
    # 0 joins cue 2's content (linked at 0.8, next to it); 4 is too far (28 tokens past the group with
    # max_gap 20); 6 is another proposal's own content; cue 5 may not take 0 once cue 2 has it.
    assert fragments.groups(proposals, keys, scores, extents, max_gap=20) == {3: [0, 3]}
    assert fragments.groups(proposals, keys, scores, extents, threshold=0.85) == {3: [3, 4]}
    assert fragments.groups(proposals, keys, scores, extents, threshold=0.95) == {}


def test_the_scorer_compares_a_span_in_fragments_as_one_span_and_per_fragment() -> None:
    text = "“The plan,” he said, “is dead.”"
    spans = (
        Span("c", "CONTENT", 0, 11, "c", None, None),
        Span("c:2", "CONTENT", 21, 31, "c", None, None),
        Span("s", "SOURCE", 12, 14, "s", "named_person", None),
        Span("q", "CUE", 15, 19, "q", None, "verb_of_saying"),
    )
    example = Example("x", text, spans, (Link("attribution", "s", "q", "c"),))
    whole = gold_set(example)
    assert [s.parts() for s in whole.spans if s.label == "CONTENT"] == [[(0, 11), (21, 31)]]
    assert len(gold_set(example, fragments=False).spans) == 4
    # a prediction of the first piece alone: a match fragment by fragment, none as the dataset holds it
    predicted = {
        "id": "p",
        "annotator": "t",
        "origin": "prediction",
        "created_at": STAMP,
        "spans": [{"id": "p1", "label": "CONTENT", "start": 0, "end": 11, "text": text[0:11]}],
        "attributions": [],
        "claims": [],
    }
    result = score(lambda _: predicted, [example])
    assert result["exact"]["CONTENT"]["matched"] == 0
    assert result["per_fragment"]["exact"]["CONTENT"]["matched"] == 1
    pieces = split_fragments({"spans": [whole.spans[0].model_dump(mode="json", exclude_none=True)]})
    assert [(s["id"], s["start"], s["end"], s["text"]) for s in pieces["spans"]] == [
        ("c", 0, 11, "“The plan,”"),
        ("c:2", 21, 31, "“is dead.”"),
    ]
