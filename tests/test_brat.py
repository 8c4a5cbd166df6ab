"""brat standoff import and export, on brat files written here (PolNeAR's own articles are not ours to vendor)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from claimbank import load_document
from claimbank.cli import main
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet, Document
from claimbank.io.brat import convert as brat
from claimbank.validate.problems import ProblemSink
from tests.strategies import documents

TEXT = (
    "Officials said three drones hit the airport, the ministry added.\n"
    "According to the governor, the attack failed.\n"
    "It was reported that\nthe airport will reopen. No group has claimed responsibility.\n"
)


def _at(quote: str, after: int = 0) -> str:
    start = TEXT.index(quote, after)
    return f"{start} {start + len(quote)}"


# Two annotators of one article, in PolNeAR's naming (<article>_<annotator>.ann).
ANN_A = f"""T1\tSource {_at("Officials")}\tOfficials
T2\tCue {_at("said")}\tsaid
T3\tContent {_at("three drones hit the airport")};{_at("the ministry added")}\tthree drones hit the airport the ministry added
T4\tAttribution {_at("said")}\tsaid
E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1
T5\tCue {_at("According to")}\tAccording to
T6\tSource {_at("the governor")}\tthe governor
T7\tContent {_at("the attack failed")}\tthe attack failed
T8\tAttribution {_at("According to")}\tAccording to
E2\tAttribution:T8 Source:T6 Cue:T5 Content:T7
T9\tCue {_at("It was reported that")}\tIt was reported that
T10\tContent {_at("the airport will reopen")}\tthe airport will reopen
T11\tAttribution-no-source {_at("It was reported that")}\tIt was reported that
E3\tAttribution-no-source:T11 Cue:T9 Content:T10
A1\tsource_type T1 unnamed_official
A2\tcue_type T5 according_to
T12\tDiscuss {_at("No group has claimed")}\tNo group has claimed
#1\tAnnotatorNotes T1\tunnamed, but officials
"""
ANN_B = f"""T1\tSource {_at("Officials")}\tOfficials
T2\tCue {_at("said")}\tsaid
T3\tContent {_at("three drones hit the airport")}\tthree drones hit the airport
T4\tAttribution {_at("said")}\tsaid
E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1
T5\tSource {_at("No group")}\tNo group
T6\tCue {_at("has claimed")}\thas claimed
T7\tContent {_at("responsibility")}\tresponsibility
T8\tNon-attribution {_at("has claimed")}\thas claimed
E2\tNon-attribution:T8 Source:T5 Cue:T6 Content:T7
A1\tsource_type T5 nobody
T9\tEntity {_at("the ministry")}\tthe ministry
R1\trefers_to Arg1:T1 Arg2:T9
T10\tDiscard {_at("airport")}\tairport
"""


def _corpus(tmp_path: Path, **anns: str) -> tuple[Path, Path]:
    texts, ann_dir = tmp_path / "text", tmp_path / "ann"
    texts.mkdir(exist_ok=True)
    ann_dir.mkdir(exist_ok=True)
    (texts / "drones.txt").write_text(TEXT, encoding="utf-8", newline="")
    for name, content in anns.items():
        (ann_dir / f"{name}.ann").write_text(content, encoding="utf-8", newline="")
    return texts, ann_dir


def _import(tmp_path: Path, *extra: str) -> int:
    texts, ann_dir = tmp_path / "text", tmp_path / "ann"
    out, seeds = tmp_path / "annotations", tmp_path / "seeds"
    return main(
        ["brat", "import", str(texts), str(ann_dir), "--out", str(out), "--seeds", str(seeds), *extra]
    )


def _sets(tmp_path: Path) -> dict[str, dict[str, Any]]:
    document = canonical(load_document(tmp_path / "annotations" / "drones.json"))
    return {s["id"]: s for s in document["annotation_sets"]}


def test_two_annotators_become_two_sets_on_one_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _corpus(tmp_path, drones_a1=ANN_A, drones_b2=ANN_B)
    assert _import(tmp_path) == 0
    summary = capsys.readouterr().err
    assert "1 document(s); 2 annotation set(s)" in summary
    assert "dropped Discard 1, Discuss 1" in summary
    assert (tmp_path / "seeds" / "drones.txt").read_bytes() == TEXT.encode()
    sets = _sets(tmp_path)
    assert sorted(sets) == ["brat-a1", "brat-b2"]
    a, b = sets["brat-a1"], sets["brat-b2"]
    assert (a["annotator"], a["origin"], a["imported_from"]) == ("a1", "imported", "brat:drones_a1.ann")
    spans = {s["id"]: s for s in a["spans"]}
    # the discontinuous content: one span in two fragments, its own offsets and text the stretch they cover
    first, second = TEXT.index("three drones"), TEXT.index("the ministry added")
    assert spans["T3"]["fragments"] == [
        {"start": first, "end": first + 28, "text": "three drones hit the airport"},
        {"start": second, "end": second + 18, "text": "the ministry added"},
    ]
    assert (spans["T3"]["start"], spans["T3"]["end"]) == (first, second + 18)
    assert spans["T3"]["text"] == "three drones hit the airport, the ministry added"
    assert not any(":" in span_id for span_id in spans)
    assert spans["T1"]["source_type"] == "unnamed_official"
    assert spans["T6"]["source_type"] == "unspecified"
    assert spans["T5"]["cue_type"] == "according_to"
    attributions = {x["id"]: x for x in a["attributions"]}
    assert attributions["E1"] == {
        "id": "E1",
        "kind": "attribution",
        "source": "T1",
        "cue": "T2",
        "content": "T3",
    }
    assert attributions["E3"].get("source") is None  # no source named: not an explicit non-attribution
    assert attributions["E3"]["kind"] == "attribution"
    assert a["note"] == "AnnotatorNotes T1: unnamed, but officials"
    assert {x["kind"] for x in b["attributions"]} == {"attribution", "non_attribution"}
    assert {s["id"]: s for s in b["spans"]}["T1"]["refers_to"] == "T9"


def test_export_gives_back_every_line(tmp_path: Path) -> None:
    _, ann_dir = _corpus(tmp_path, drones_a1=ANN_A, drones_b2=ANN_B)
    assert _import(tmp_path) == 0
    out = tmp_path / "brat"
    assert main(["brat", "export", str(tmp_path / "annotations"), "--out", str(out)]) == 0
    assert (out / "drones.txt").read_text(encoding="utf-8") == TEXT
    for name in ("drones_a1", "drones_b2"):
        original = _lines(ann_dir / f"{name}.ann")
        exported = _lines(out / f"{name}.ann")
        dropped = {line for line in original if line[0] == "T" and line[1] in ("Discard", "Discuss")}
        assert exported == original - dropped, name
    _declared_in_conf(out)


def _lines(path: Path) -> set[tuple[Any, ...]]:
    """An .ann file's annotations, with ids replaced by what they point at (ids may be renumbered)."""
    parsed = brat.parse_ann(path.read_text(encoding="utf-8"), TEXT, ProblemSink(str(path)))
    bounds = {b.id: ("T", b.label, tuple(b.fragments), b.text) for b in parsed.textbounds.values()}
    lines: set[tuple[Any, ...]] = set(bounds.values())
    for other in parsed.others:
        if other.kind == "E":
            args = tuple(sorted((a.split(":")[0], bounds[a.split(":")[1]]) for a in other.fields))
            lines.add(("E", args))
        elif other.kind == "A":
            lines.add(("A", other.fields[0], bounds[other.fields[1]], other.fields[2]))
        elif other.kind == "R":
            lines.add(("R", other.fields[0], *(bounds[a.split(":")[1]] for a in other.fields[1:])))
        else:
            lines.add(("#", other.fields[0], bounds[other.fields[1]], other.text))
    return lines


def _declared_in_conf(folder: Path) -> None:
    """Every label, event type, role, attribute and relation used is declared in annotation.conf, as brat needs."""
    section, declared = "", {}
    for line in (folder / "annotation.conf").read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif line.strip():
            declared.setdefault(section, set()).add(line.split("\t")[0])
    for ann in folder.glob("*.ann"):
        for line in ann.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) < 2 or not re.match(r"^[TEAR#]\d+$", fields[0]):
                continue  # the rest of a text with a line break
            kind, first = fields[0][0], fields[1].split()[0]
            name = first.split(":")[0]
            if kind == "T":
                assert name in declared["entities"] | declared["events"], line
            elif kind == "E":
                assert name in declared["events"], line
            elif kind == "A":
                assert name in declared["attributes"], line
            elif kind == "R":
                assert name in declared["relations"], line


def test_a_text_with_a_line_break_is_repaired_when_the_offsets_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quote = "It was reported that\nthe airport will reopen"
    ann = f"T1\tContent {_at(quote)}\t{quote}\nT2\tCue {_at('It was')}\tIt was\n"
    _corpus(tmp_path, drones=ann)
    assert _import(tmp_path) == 0
    assert "brat-broken-line repaired 1" in capsys.readouterr().err
    (item,) = _sets(tmp_path).values()
    assert [s["text"] for s in item["spans"]] == ["It was", quote]


def test_white_space_at_span_edges_is_trimmed_with_the_offsets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    start = TEXT.index("Officials")
    space = TEXT.index("said") + len("said")  # the " " after "said"
    content = TEXT.index("the ministry added")
    joined = " " + " " + TEXT[content - 1 : content + len("the ministry added")]  # brat joins with a space
    ann = (
        f"T1\tSource {start} {start + len('Officials ')}\tOfficials \n"
        f"T2\tCue {_at('said')}\tsaid\n"
        # brat joins fragments with a space: the first fragment is only white space
        f"T3\tContent {space} {space + 1};{content - 1} {content + len('the ministry added')}\t{joined}\n"
        f"T4\tAttribution {_at('said')}\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    )
    _corpus(tmp_path, drones=ann)
    assert _import(tmp_path) == 0
    assert "brat-trimmed 3" in capsys.readouterr().err
    (item,) = _sets(tmp_path).values()
    spans = {span["id"]: span for span in item["spans"]}
    assert (spans["T1"]["start"], spans["T1"]["end"], spans["T1"]["text"]) == (start, start + 9, "Officials")
    # The white-space fragment is left out, so the content's first kept fragment carries the event's T3.
    assert spans["T3"]["text"] == "the ministry added"
    assert spans["T3"]["start"] == content
    assert "fragments" not in spans["T3"]  # one fragment left: a contiguous span
    assert item["attributions"][0]["content"] == "T3"


@pytest.mark.parametrize(
    ("ann", "code", "line"),
    [
        (
            f"T1\tSource {_at('Officials')}\tOfficials\nT2\tContent 0 10\tline one\nnot the rest\n",
            "brat-broken-line",
            2,
        ),
        (f"T1\tSource {_at('Officials')}\tOfficers\n", "brat-text-mismatch", 1),
        ("T1\tSource 5 9000\tx\n", "brat-offsets", 1),
        ("T1\tSource 9 5\tx\n", "brat-offsets", 1),
        (f"T1\tSpeaker {_at('Officials')}\tOfficials\n", "brat-unknown-label", 1),
        ("T1\tSource nine\tx\n", "brat-syntax", 1),
        ("Officials said\n", "brat-syntax", 1),
        (f"T1\tSource {_at('Officials')}\tOfficials\nE1\tQuote:T1 Source:T1\n", "brat-unknown-label", 2),
    ],
    ids=[
        "broken-line",
        "text-mismatch",
        "past-the-end",
        "reversed",
        "unknown-label",
        "bad-offsets",
        "not-a-line",
        "unknown-event",
    ],
)
def test_bad_lines_get_their_code_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ann: str, code: str, line: int
) -> None:
    _corpus(tmp_path, drones=ann, other=ANN_A)
    (tmp_path / "text" / "other.txt").write_text(TEXT, encoding="utf-8")
    assert _import(tmp_path) == 1
    captured = capsys.readouterr()
    assert f"drones.ann:/lines/{line}: {code} " in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert "nothing written" in captured.err
    assert not (tmp_path / "annotations").exists()
    assert not (tmp_path / "seeds").exists()
    # --skip-invalid writes the documents without problems
    assert _import(tmp_path, "--skip-invalid") == 1
    assert [p.name for p in (tmp_path / "annotations").glob("*.json")] == ["other.json"]


def test_a_label_map_file_maps_other_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _corpus(tmp_path, drones=f"T1\tSpeaker {_at('Officials')}\tOfficials\nT2\tNoise {_at('said')}\tsaid\n")
    label_map = tmp_path / "labels.json"
    label_map.write_text(json.dumps({"spans": {"Speaker": "SOURCE", "Noise": "drop"}}), encoding="utf-8")
    assert _import(tmp_path, "--label-map", str(label_map)) == 0
    (item,) = _sets(tmp_path).values()
    assert [(s["label"], s["text"]) for s in item["spans"]] == [("SOURCE", "Officials")]
    label_map.write_text(json.dumps({"spans": {"Speaker": "SPEAKER"}}), encoding="utf-8")
    assert _import(tmp_path, "--label-map", str(label_map)) == 1
    assert "labels.json:/spans/Speaker: brat-label-map " in capsys.readouterr().out


def test_article_names_that_become_one_id_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _corpus(tmp_path, **{"a.b": "", "a-b": ""})
    for name in ("a.b", "a-b"):
        (tmp_path / "text" / f"{name}.txt").write_text(TEXT, encoding="utf-8")
    assert _import(tmp_path) == 1
    assert ": brat-name-clash " in capsys.readouterr().out
    assert not (tmp_path / "annotations").exists()


def test_missing_text_and_unreadable_files_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _corpus(tmp_path, drones=ANN_A, lonely_a1="T1\tSource 0 1\tO\n")
    (tmp_path / "ann" / "drones_x9.ann").write_bytes("T1\tSource 0 9\tOfficials caf\xe9\n".encode("latin-1"))
    assert _import(tmp_path) == 2  # as for `claimbank validate`: an unreadable input is exit status 2
    out = capsys.readouterr().out
    assert "lonely_a1.ann:: brat-missing-text" in out
    assert "drones_x9.ann:: file-unreadable" in out


def test_importing_again_replaces_the_sets_and_keeps_the_others(tmp_path: Path) -> None:
    _corpus(tmp_path, drones_a1=ANN_A)
    assert _import(tmp_path) == 0
    path = tmp_path / "annotations" / "drones.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    manual = {**data["annotation_sets"][0], "id": "mine", "origin": "manual", "imported_from": None}
    data["annotation_sets"].append(manual)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _import(tmp_path) == 0
    assert sorted(_sets(tmp_path)) == ["brat-a1", "mine"]


def test_a_different_seed_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _corpus(tmp_path, drones_a1=ANN_A)
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "drones.txt").write_text("another text", encoding="utf-8")
    assert _import(tmp_path) == 1
    assert "seed-text-mismatch" in capsys.readouterr().out
    assert (tmp_path / "seeds" / "drones.txt").read_text(encoding="utf-8") == "another text"


def _shape(item: dict[str, Any]) -> tuple[Any, ...]:
    """An annotation set's spans, attributions and claims by what they cover (the export renumbers ids)."""
    spans = {s["id"]: s for s in item["spans"]}

    def where(span_id: str | None) -> Any:
        span = spans.get(span_id or "")
        return (span["label"], span["start"], span["end"]) if span else None

    shaped = sorted(
        (where(s["id"]), s["text"], *(s.get(f) for f in brat.SPAN_FIELDS), where(s.get("refers_to")))
        for s in item["spans"]
    )
    by_id = {a["id"]: a for a in item["attributions"]}

    def attribution(attribution_id: str | None) -> Any:
        found = by_id.get(attribution_id or "")
        return (found["kind"], where(found["cue"]), where(found["content"])) if found else None

    links = sorted(
        (
            a["kind"],
            where(a.get("source")),
            where(a["cue"]),
            where(a["content"]),
            attribution(a.get("nested_in")),
        )
        for a in item["attributions"]
    )
    claims = sorted(
        (
            where(c["span"]),
            c["claimer"],
            c["factuality"],
            attribution(c.get("attribution")),
            tuple(sorted(where(m) for m in c.get("modality", []))),
        )
        for c in item["claims"]
    )
    return tuple(shaped), tuple(links), tuple(claims)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_annotation_sets_round_trip_through_brat(data: dict[str, Any]) -> None:
    document = canonical(Document.model_validate(data))
    for item in document["annotation_sets"]:
        content, _ = brat.to_ann(item)
        sink = ProblemSink("x")
        parsed = brat.parse_ann(content, document["text"], sink)
        header = {k: v for k, v in item.items() if k not in ("spans", "attributions", "claims")}
        back = brat.to_annotation_set(parsed, header, brat.POLNEAR, sink).item
        assert sink.problems == []
        assert _shape(back) == _shape(item)


def test_a_second_content_is_a_second_attribution_and_exports_as_content2() -> None:
    ann = (
        f"T1\tSource {_at('Officials')}\tOfficials\nT2\tCue {_at('said')}\tsaid\n"
        f"T3\tContent {_at('three drones hit the airport')}\tthree drones hit the airport\n"
        f"T4\tContent {_at('the ministry added')}\tthe ministry added\n"
        f"T5\tAttribution {_at('said')}\tsaid\nE1\tAttribution:T5 Content:T3 Cue:T2 Source:T1 Content2:T4\n"
    )
    sink = ProblemSink("x.ann")
    header = {"id": "brat-x", "annotator": "x", "origin": "imported", "created_at": "2026-11-24T00:00:00Z"}
    item = brat.to_annotation_set(brat.parse_ann(ann, TEXT, sink), header, brat.POLNEAR, sink).item
    assert sink.problems == []
    assert [(a["id"], a["content"], a["source"]) for a in item["attributions"]] == [
        ("E1", "T3", "T1"),
        ("E1:Content2", "T4", "T1"),
    ]
    content, _ = brat.to_ann(item)
    (event,) = [line for line in content.splitlines() if line.startswith("E")]
    assert event.split("\t")[1].split()[1:] == ["Content:T3", "Content2:T4", "Cue:T2", "Source:T1"]


def test_an_id_that_only_looks_like_a_second_content_is_an_event_of_its_own() -> None:
    # "E1:Content2" with no attribution E1 (or one with another cue), and an id with a colon that names no role.
    spans = [
        {"id": "s0", "label": "CUE", "start": 10, "end": 14, "text": "said", "cue_type": "verb_of_saying"},
        {"id": "s1", "label": "CONTENT", "start": 15, "end": 43, "text": "three drones hit the airport"},
        {"id": "s2", "label": "CONTENT", "start": 45, "end": 63, "text": "the ministry added"},
    ]
    assert all(TEXT[s["start"] : s["end"]] == s["text"] for s in spans)
    item = {
        "id": "set0",
        "annotator": "x",
        "origin": "manual",
        "created_at": "2026-11-24T00:00:00Z",
        "spans": spans,
        "attributions": [
            {"id": "E1:Content2", "kind": "attribution", "cue": "s0", "content": "s1"},
            {"id": "a:b", "kind": "attribution", "cue": "s0", "content": "s2"},
        ],
        "claims": [],
    }
    content, _ = brat.to_ann(item)
    events = [line.split("\t")[1].split()[1:] for line in content.splitlines() if line.startswith("E")]
    assert [args[0].partition(":")[0] for args in events] == ["Content", "Content"]
    sink = ProblemSink("x.ann")
    back = brat.to_annotation_set(brat.parse_ann(content, TEXT, sink), item, brat.POLNEAR, sink).item
    assert sink.problems == []
    assert _shape(back) == _shape(item)


@pytest.mark.parametrize(
    "path", [Path("annotations/000_fb2fb690b74273a6.json"), Path("tests/cases/valid/mini.json")], ids=str
)
def test_claims_and_nesting_round_trip_through_brat(path: Path) -> None:
    # The gold's claims (source and author claimers, modality) and mini.json's nested attribution.
    document = canonical(load_document(path))
    for item in document["annotation_sets"]:
        content, notices = brat.to_ann(item)
        assert [n for n in notices if "note" not in n] == []  # a set's prose note names no annotation
        sink = ProblemSink(str(path))
        parsed = brat.parse_ann(content, document["text"], sink)
        header = {k: v for k, v in item.items() if k not in ("spans", "attributions", "claims")}
        converted = brat.to_annotation_set(parsed, header, brat.POLNEAR, sink)
        assert sink.problems == []
        assert converted.notices == []
        assert _shape(converted.item) == _shape(item)
    assert any(a.get("nested_in") for s in document["annotation_sets"] for a in s["attributions"]) == (
        path.name == "mini.json"
    )


def test_a_claim_brat_cannot_place_is_left_out_with_a_notice() -> None:
    ann = (
        f"T1\tClaim {_at('three drones hit the airport')}\tthree drones hit the airport\n"
        "A1\tclaimer T1 source\nA2\tfactuality T1 CT+\n"  # a source claim, but no claimed_in relation
        f"T2\tClaim {_at('the attack failed')}\tthe attack failed\nA3\tfactuality T2 PR+\n"  # no claimer
        f"T3\tClaim {_at('the airport will reopen')}\tthe airport will reopen\nA4\tclaimer T3 author\n"
    )
    sink = ProblemSink("x.ann")
    header = {"id": "brat-x", "annotator": "x", "origin": "imported", "created_at": "2026-11-24T00:00:00Z"}
    converted = brat.to_annotation_set(brat.parse_ann(ann, TEXT, sink), header, brat.POLNEAR, sink)
    assert sink.problems == []
    assert converted.item["claims"] == [
        {"id": "c1", "span": "T3", "factuality": "Uu", "modality": [], "claimer": "author"}
    ]
    assert sorted(n.split(":")[0] for n in converted.notices) == ["brat-incomplete-claim"] * 2
    AnnotationSet.model_validate(converted.item)


def test_the_gold_exports_with_every_claim_declared_in_annotation_conf(tmp_path: Path) -> None:
    out = tmp_path / "brat"
    assert (
        main(["brat", "export", "annotations/000_fb2fb690b74273a6.json", "--out", str(out), "--set", "gold"])
        == 0
    )
    written = (out / "000_fb2fb690b74273a6.ann").read_text(encoding="utf-8")
    gold = next(
        s
        for s in canonical(load_document(Path("annotations/000_fb2fb690b74273a6.json")))["annotation_sets"]
        if s.get("gold")
    )
    assert written.count("\tclaimer ") == len(gold["claims"])
    _declared_in_conf(out)


def test_fragments_in_another_order_are_sorted_and_overlapping_ones_joined() -> None:
    """brat keeps fragments in the order they were marked (PolNeAR: 101 train lines); ClaimBank in text order."""
    late, early = _at("the ministry added"), _at("three drones hit the airport")
    overlap = f"{TEXT.index('drones')} {TEXT.index('drones') + 6}"
    ann = (
        f"T1\tContent {late};{early}\tthe ministry added three drones hit the airport\n"
        f"T2\tContent {early};{overlap};{late}\tthree drones hit the airport drones the ministry added\n"
    )
    sink = ProblemSink("x.ann")
    converted = brat.to_annotation_set(brat.parse_ann(ann, TEXT, sink), {"id": "b"}, brat.POLNEAR, sink)
    assert list(sink.problems) == []
    spans = {span["id"]: span for span in converted.item["spans"]}
    assert [f["text"] for f in spans["T1"]["fragments"]] == [
        "three drones hit the airport",
        "the ministry added",
    ]
    assert spans["T2"]["fragments"] == spans["T1"]["fragments"]
    assert any(n.startswith("brat-fragments-sorted: T1") for n in converted.notices)
    assert any(n.startswith("brat-fragments-joined: T2") for n in converted.notices)
    content, _ = brat.to_ann(converted.item)
    assert f"T1\tContent {early};{late}\tthree drones hit the airport the ministry added\n" in content
