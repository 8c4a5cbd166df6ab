"""The built dataset as ML engineers and the Hub expect it (issue 18): every declared config loads on any corpus,
a corpus's own split is kept, tokens come from the text alone, a sentence config without silent drops, a complete
and escaped card, and docs whose numbers are the build's."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimbank.cli import main
from claimbank.dataset import features, rows, segment
from claimbank.dataset.build import HASHED, SPLIT_MAP, STORED, build, split_of
from claimbank.dataset.features import CONFIGS, bio_names
from claimbank.format.vocab import SpanLabel, Split
from claimbank.validate.core import load_document, validate_file
from claimbank.validate.fastpath import quick_check
from tests.datasets_only import load_every_config

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases"
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"


def _project(folder: Path, documents: dict[str, dict[str, Any]]) -> Path:
    """A corpus of the given annotation files (each over tests/cases/seeds/mini.txt)."""
    (folder / "annotations").mkdir(parents=True)
    shutil.copytree(CASES / "seeds", folder / "seeds")
    for name, document in documents.items():
        (folder / "annotations" / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    return folder / "annotations"


def _mini(doc_id: str = "mini", **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CASES / "valid" / "mini.json").read_text(encoding="utf-8"))
    return document | {"id": doc_id} | changes


def _header(folder: Path) -> dict[str, Any]:
    header: dict[str, Any] = yaml.safe_load(
        (folder / "README.md").read_text(encoding="utf-8").split("---\n")[1]
    )
    return header


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = build([ROOT / "annotations"], tmp_path_factory.mktemp("seed") / "ds")
    assert result.ok, result.report.format_text()
    return result.out


@pytest.fixture(scope="module")
def seed_loaded(seed_build: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return load_every_config(seed_build, tmp_path_factory.mktemp("cache"))


def _all_rows(loaded: dict[str, Any], config: str) -> list[dict[str, Any]]:
    return [row for part in loaded[config]["rows"].values() for row in part]


# (a) the seed build, (b) corpora without claims, (c) a corpus with a stored split, with datasets alone.


def test_the_seed_build_loads_every_config_with_only_datasets(seed_loaded: dict[str, Any]) -> None:
    assert list(seed_loaded) == list(CONFIGS)
    gold = next(s for s in load_document(SEED).annotation_sets if s.gold)
    assert len(_all_rows(seed_loaded, "claims")) == len(gold.claims)
    assert len(_all_rows(seed_loaded, "attributions")) == len(gold.attributions)
    sentences = _all_rows(seed_loaded, "sentences")
    assert [row["sentence_index"] for row in sentences] == list(range(len(sentences)))
    licence = load_document(SEED).metadata.license
    assert licence
    for config in ("claims", "attributions", "tokens", "sentences"):
        assert {row["license"] for row in _all_rows(seed_loaded, config)} == {licence}


@pytest.mark.parametrize("without", ["claims", "gold"])
def test_a_corpus_without_claims_loads_every_declared_config(without: str, tmp_path: Path) -> None:
    document = _mini()
    gold = document["annotation_sets"][0]
    if without == "claims":
        gold["claims"] = []
    else:
        gold["gold"] = False
    result = build([_project(tmp_path / "p", {"mini": document})], tmp_path / "ds")
    assert result.ok, result.report.format_text()
    loaded = load_every_config(result.out, tmp_path)
    # datasets 5.2 cannot load a config of 0 rows, so such a config is left out, and the card says so.
    empty = ["claims"] if without == "claims" else ["claims", "attributions", "tokens", "sentences"]
    assert list(loaded) == [config for config in CONFIGS if config not in empty]
    split = split_of("mini")
    assert loaded["documents"]["splits"] == {split: 1}
    if without == "claims":
        assert loaded["tokens"]["splits"] == {split: 1}
        assert loaded["tokens"]["streamed"] == {split: 1}
    card = (result.out / "README.md").read_text(encoding="utf-8")
    assert "Not declared in this build, because they have no rows" in card
    note = card[card.index("Not declared in this build") :].split("\n\n")[0]
    assert all(f"`{name}`" in note for name in empty)
    croissant = json.loads((result.out / "croissant.json").read_text(encoding="utf-8"))
    assert [record_set["name"] for record_set in croissant["recordSet"]] == list(loaded)


def test_a_stored_split_is_kept_and_the_card_says_which_rule_gave_it(tmp_path: Path) -> None:
    stored = next(s for s in Split if s.value != split_of("kept"))  # a split the hash rule would not give
    annotations = _project(tmp_path / "p", {"kept": _mini("kept", split=stored.value), "mini": _mini()})
    result = build([annotations], tmp_path / "ds")
    assert result.ok, result.report.format_text()
    loaded = load_every_config(result.out, tmp_path)
    where = {row["id"]: name for name, part in loaded["documents"]["rows"].items() for row in part}
    assert where == {"kept": stored.value, "mini": split_of("mini")}
    names = loaded["documents"]["features"]["split"]["names"]
    stored_column = {row["id"]: row["split"] for part in loaded["documents"]["rows"].values() for row in part}
    assert stored_column == {"kept": names.index(stored.value), "mini": None}
    assert loaded["tokens"]["splits"] == {name: 1 for name in where.values()}
    card = (result.out / "README.md").read_text(encoding="utf-8")
    assert f"{SPLIT_MAP}: 0, {STORED}: 1, {HASHED}: 1" in card


@pytest.mark.parametrize("split", [*(member.value for member in Split), "dev", None])
def test_a_stored_split_is_a_valid_field_on_both_validation_paths(split: str | None, tmp_path: Path) -> None:
    annotations = _project(tmp_path, {"mini": _mini(split=split)})
    data = (annotations / "mini.json").read_bytes()
    accepted = quick_check(data, path=annotations / "mini.json", seeds_dir=tmp_path / "seeds")
    problems = validate_file(annotations / "mini.json").problems
    if split == "dev":
        assert accepted is None  # the fast path leaves it to the full path, which explains it
        assert [(p.code, p.pointer) for p in problems] == [("schema-unknown-value", "/split")]
    else:
        assert accepted is not None
        assert problems == []


def test_a_split_map_overrides_the_stored_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    annotations = _project(tmp_path / "p", {"kept": _mini("kept", split="test"), "mini": _mini()})
    split_map = tmp_path / "splits.json"
    split_map.write_text(
        json.dumps({"kept": "validation", "mini": "test", "gone": "train"}), encoding="utf-8"
    )
    out = tmp_path / "ds"
    assert (
        main(["build", "--no-progress", "--out", str(out), "--split-map", str(split_map), str(annotations)])
        == 0
    )
    err = capsys.readouterr().err
    assert f"splits: {SPLIT_MAP} 2" in err
    assert "1 id(s) name no document, e.g. 'gone'" in err
    parts = {
        p.parent.name + "/" + p.name.split("-")[0] for p in (out / "data" / "documents").glob("*.parquet")
    }
    assert parts == {"documents/validation", "documents/test"}


def test_a_bad_split_map_is_one_line_per_problem_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    annotations = _project(tmp_path / "p", {"mini": _mini()})
    split_map = tmp_path / "splits.json"
    split_map.write_text(json.dumps({"mini": "dev", "a/b": 3}), encoding="utf-8")
    code = main(
        [
            "build",
            "--no-progress",
            "--out",
            str(tmp_path / "ds"),
            "--split-map",
            str(split_map),
            str(annotations),
        ]
    )
    assert code == 2
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith(f"{split_map}:/mini: schema-unknown-value 'dev' is not a split")
    assert lines[1].startswith(f"{split_map}:/a~1b: schema-unknown-value 3 is not a split")
    assert "Traceback" not in captured.err
    assert not (tmp_path / "ds").exists()
    split_map.write_text("[1]", encoding="utf-8")
    assert (
        main(
            [
                "build",
                "--no-progress",
                "--out",
                str(tmp_path / "ds"),
                "--split-map",
                str(split_map),
                str(annotations),
            ]
        )
        == 2
    )
    assert "schema-type" in capsys.readouterr().out


def test_brat_import_stores_the_split_and_build_keeps_it(tmp_path: Path) -> None:
    texts, anns, out = tmp_path / "text", tmp_path / "ann", tmp_path / "annotations"
    texts.mkdir()
    anns.mkdir()
    text = "Officials said the airport will reopen.\n"
    (texts / "a1.txt").write_text(text, encoding="utf-8")
    (anns / "a1.ann").write_text(
        "T1\tSource 0 9\tOfficials\nT2\tCue 10 14\tsaid\nT3\tContent 15 38\tthe airport will reopen\n"
        "T4\tAttribution 10 14\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n",
        encoding="utf-8",
    )
    stored = next(s.value for s in Split if s.value != split_of("a1"))
    args = ["brat", "import", str(texts), str(anns), "--out", str(out), "--seeds", str(tmp_path / "seeds")]
    assert main([*args, "--gold", "--split", stored, "--no-progress"]) == 0
    assert load_document(out / "a1.json").split == Split(stored)
    keys = list(json.loads((out / "a1.json").read_text(encoding="utf-8")))
    assert keys[-2:] == ["split", "annotation_sets"]  # where the canonical form has it
    result = build([out], tmp_path / "ds", seeds_dir=tmp_path / "seeds")
    assert result.ok, result.report.format_text()
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "ds" / "data" / "tokens").iterdir()) == [stored]
    with pytest.raises(SystemExit) as refused:  # argparse: not one of the choices
        main([*args, "--split", "dev"])
    assert refused.value.code == 2


# Tokens from the text alone; spans mapped onto them; nothing dropped silently.


def test_a_span_edge_inside_a_word_does_not_cut_the_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _mini()
    span = next(s for s in document["annotation_sets"][0]["spans"] if s["text"] == "Officials")
    span.update(end=span["end"] - 1, text="Official")
    annotations = _project(tmp_path / "p", {"mini": document})
    assert main(["build", "--no-progress", "--out", str(tmp_path / "ds"), str(annotations)]) == 0
    assert f"tokens: {rows.NOT_ALIGNED} 1," in capsys.readouterr().err
    loaded = load_every_config(tmp_path / "ds", tmp_path)
    (row,) = _all_rows(loaded, "tokens")
    assert "Officials" in row["tokens"]
    assert "Official" not in row["tokens"]
    names = bio_names([SpanLabel.SOURCE, SpanLabel.CUE, SpanLabel.CONTENT])
    assert names[row["attribution_tags"][row["tokens"].index("Officials")]] == "B-SOURCE"
    assert f"{rows.NOT_ALIGNED}: 1" in (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")


def _b_tags(row: dict[str, Any], column: str, names: list[str]) -> list[str]:
    return [
        names[t] for layer in (column, f"nested_{column}") for t in row[layer] if names[t].startswith("B-")
    ]


def test_nested_spans_are_in_the_second_layer_not_dropped(seed_loaded: dict[str, Any]) -> None:
    gold = next(s for s in load_document(SEED).annotation_sets if s.gold)
    (row,) = _all_rows(seed_loaded, "tokens")
    claims = _b_tags(row, "claim_tags", bio_names([SpanLabel.CLAIM]))
    assert len(claims) == sum(s.label == SpanLabel.CLAIM for s in gold.spans)
    assert any(row["nested_claim_tags"])  # the seed's c19 lies inside c18
    roles = [SpanLabel.SOURCE, SpanLabel.CUE, SpanLabel.CONTENT]
    assert sorted(_b_tags(row, "attribution_tags", bio_names(roles))) == sorted(
        f"B-{s.label.value}" for s in gold.spans if s.label in roles
    )


def test_nested_attribution_roles_of_the_mini_document(tmp_path: Path) -> None:
    result = build([_project(tmp_path / "p", {"mini": _mini()})], tmp_path / "ds")
    assert result.ok
    assert result.stats is not None
    assert result.stats.tally[rows.UNTAGGED] == 0
    # "the governor told reporters the attack apparently failed", inside a CONTENT: its SOURCE, CUE and CONTENT
    assert result.stats.tally[rows.NESTED] == 3
    (row,) = _all_rows(load_every_config(result.out, tmp_path), "tokens")
    names = bio_names([SpanLabel.SOURCE, SpanLabel.CUE, SpanLabel.CONTENT])
    nested = {names[t] for t in row["nested_attribution_tags"]}
    assert nested == {"O", "B-SOURCE", "I-SOURCE", "B-CUE", "I-CUE", "B-CONTENT", "I-CONTENT"}


def test_sentence_rows_cover_the_tokens_and_restart_spans_at_sentence_ends(
    seed_loaded: dict[str, Any],
) -> None:
    document = load_document(SEED)
    (whole,) = _all_rows(seed_loaded, "tokens")
    sentences = _all_rows(seed_loaded, "sentences")
    assert [t for row in sentences for t in row["tokens"]] == whole["tokens"]
    assert [(r["start"], r["end"]) for r in sentences] == segment.sentences(document.text)
    position = 0
    for row in sentences:
        assert row["text"] == document.text[row["start"] : row["end"]]
        assert row["document_id"] == document.id
        for column in ("attribution_tags", "claim_tags", "nested_attribution_tags", "nested_claim_tags"):
            names = seed_loaded["tokens"]["features"][column]["feature"]["names"]
            expected = whole[column][position : position + len(row["tokens"])]
            if expected and names[expected[0]].startswith(
                "I-"
            ):  # a span from the sentence before starts with B-
                expected = [names.index("B-" + names[expected[0]][2:]), *expected[1:]]
            assert row[column] == expected
        position += len(row["tokens"])


def test_a_closing_quote_stays_with_its_sentence() -> None:
    text = 'He said "it failed." Then he left.'
    assert [text[a:b] for a, b in segment.sentences(text)] == ['He said "it failed."', "Then he left."]


# The card, complete for the Hub and safe from what a document's metadata holds.

HUB_KEYS = {
    "license": "other",
    "license_name": "claimbank-mixed",
    "license_link": "LICENSE.md",
    "size_categories": ["n<1K"],
    "task_categories": ["token-classification", "text-classification"],
    "task_ids": ["fact-checking", "multi-class-classification"],
    "annotations_creators": ["expert-generated"],
    "language_creators": ["found"],
    "multilinguality": ["monolingual"],
    "source_datasets": ["original"],
}
SECTIONS = [
    "## Dataset Structure",
    "## Dataset Creation",
    "### Annotation process",
    "### Who are the annotators?",
    "## Uses",
    "## Bias, Risks, and Limitations",
    "## Personal and Sensitive Information",
    "## Citation",
]


def test_the_card_has_what_the_hub_asks_for(seed_build: Path) -> None:
    header = _header(seed_build)
    assert {key: header[key] for key in HUB_KEYS} == HUB_KEYS
    assert (seed_build / header["license_link"]).is_file()
    card = (seed_build / "README.md").read_text(encoding="utf-8")
    positions = [card.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    gold = next(s for s in load_document(SEED).annotation_sets if s.gold)
    assert f"| {gold.annotator} | manual | 1 |" in card


def test_metadata_cannot_inject_markdown_or_html_into_the_card(tmp_path: Path) -> None:
    evil = "Evil News\n\n## Injected <script>alert(1)</script> | [x](javascript:alert(1))"
    metadata = {
        "publisher": evil,
        "license": "CC <b>BY</b>\n| extra |",
        "url": "javascript:alert(1)",
        "title": evil,
    }
    result = build([_project(tmp_path / "p", {"mini": _mini(metadata=metadata)})], tmp_path / "ds")
    assert result.ok, result.report.format_text()
    for name in ("README.md", "LICENSE.md"):
        text = (result.out / name).read_text(encoding="utf-8")
        assert "<script>" not in text
        assert "<b>" not in text
        assert "\n## Injected" not in text
        assert not re.search(r"(?<!\\)\]\(javascript:", text)  # no link: its bracket is escaped
        assert "\\](javascript:" in text
        rows_with_it = [line for line in text.splitlines() if "Evil" in line]
        assert rows_with_it
        for line in rows_with_it:  # one table row each, with as many cells as its table has columns
            assert len(re.findall(r"(?<!\\)\|", line)) in {4, 8}
    _header(result.out)  # the YAML still parses


# The docs' numbers are the build's.


def test_the_counts_in_docs_dataset_md_are_the_seed_builds(
    seed_build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = (ROOT / "docs" / "dataset.md").read_text(encoding="utf-8")
    (claimed,) = re.findall(r"^wrote /…/build/dataset \((.*) rows\)$", docs, flags=re.MULTILINE)
    assert (
        main(["build", "--no-progress", "--out", str(seed_build.parent / "again"), str(ROOT / "annotations")])
        == 0
    )
    (printed,) = re.findall(r"^wrote .* \((.*) rows\)$", capsys.readouterr().err, flags=re.MULTILINE)
    assert claimed == printed


def test_a_span_across_a_sentence_end_starts_again_in_the_next_sentence() -> None:
    document = _mini()
    text = document["text"]
    content = next(s for s in document["annotation_sets"][0]["spans"] if s["text"] == "it was planned")
    end = text.index("more attacks") + len("more attacks")
    content.update(end=end, text=text[content["start"] : end])
    tally: Counter[str] = Counter()
    views = {c: rows.as_pylist(r) for c, r in rows.view_rows(document, tally).items()}
    assert tally[rows.ACROSS] == 1
    names = features.tag_names("attribution_tags")
    (second,) = [row for row in views["sentences"] if row["text"] == "They fear more attacks."]
    assert [names[t] for t in second["attribution_tags"]] == ["B-CONTENT"] + ["I-CONTENT"] * 3 + ["O"]
    (whole,) = views["tokens"]
    assert names[whole["attribution_tags"][whole["tokens"].index("They")]] == "I-CONTENT"
    assert [names[t] for t in second["nested_attribution_tags"]] == [
        "B-SOURCE",
        "B-CUE",
        "B-CONTENT",
        "I-CONTENT",
        "O",
    ]


def test_datasets_cannot_load_a_split_of_0_rows(tmp_path: Path) -> None:
    """Why a config without rows is left undeclared: datasets 5.2 refuses a declared split of 0 rows, from an empty
    Parquet file as from none. If this starts to pass, empty configs could be declared instead."""
    import datasets
    import pyarrow.parquet as pq

    (tmp_path / "data").mkdir()
    pq.write_table(
        features.FEATURES["claims"].arrow_schema.empty_table(), tmp_path / "data" / "train-0.parquet"
    )
    front = {
        "configs": [{"config_name": "claims", "data_files": [{"split": "train", "path": "data/train-*"}]}]
    }
    (tmp_path / "README.md").write_text(f"---\n{yaml.safe_dump(front)}---\n", encoding="utf-8")
    with pytest.raises((ValueError, datasets.exceptions.DatasetGenerationError)):
        datasets.load_dataset(str(tmp_path), "claims", cache_dir=str(tmp_path / "cache"))
