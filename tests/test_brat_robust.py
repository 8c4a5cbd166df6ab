"""brat import and export on hostile and careless input (issue 16): nothing lost in silence, nothing forged."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from claimbank.cli import main
from claimbank.io.brat import convert as brat
from claimbank.validate.core import validate_paths
from claimbank.validate.problems import ProblemSink
from tests.confusion import VALUES
from tests.test_brat import ANN_A, ANN_B, TEXT, _at, _corpus, _import, _sets


def test_ann_and_ann_brat_of_one_article_are_two_sets(tmp_path: Path) -> None:
    """Before issue 16 ``drones.ann`` and ``drones_brat.ann`` became one set (the first file's spans were gone);
    then a clash; now ``drones.ann`` is the set ``brat`` and ``drones_brat.ann`` the set ``brat-brat``."""
    _corpus(tmp_path, drones=ANN_A, drones_brat=ANN_B)
    assert _import(tmp_path) == 0
    sets = _sets(tmp_path)
    assert sorted(sets) == ["brat", "brat-brat"]
    assert sets["brat"]["annotator"] == "brat"
    assert [s["text"] for s in sets["brat"]["spans"]] != [s["text"] for s in sets["brat-brat"]["spans"]]
    alone = tmp_path / "alone"
    alone.mkdir()
    _corpus(alone, drones=ANN_A)
    assert _import(alone) == 0
    assert _sets(alone)["brat"]["spans"] == sets["brat"]["spans"]


def test_set_ids_survive_export_and_import_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before the fix ``export --set gold`` wrote ``<doc>.ann`` and importing it made the set ``brat-brat``;
    exporting that again (``<doc>_brat.ann``) made ``brat-brat`` once more, and so on. Now ``<doc>.ann`` is the
    set ``brat``, which exports back to ``<doc>.ann``, and every ``brat-x`` to ``<doc>_x.ann``."""
    _corpus(tmp_path, drones_a=ANN_A)
    assert _import(tmp_path, "--gold") == 0
    current = tmp_path
    for round_trip in range(3):
        out = tmp_path / f"brat{round_trip}"
        flags = ["--set", "gold"] if round_trip == 0 else []
        annotations, seeds = str(current / "annotations"), str(current / "seeds")
        assert main(["brat", "export", annotations, "--out", str(out), "--seeds", seeds, *flags]) == 0
        current = tmp_path / f"again{round_trip}"
        current.mkdir()
        code = main(
            [
                "brat",
                "import",
                str(out),
                str(out),
                "--out",
                str(current / "annotations"),
                "--seeds",
                str(current / "seeds"),
            ]
        )
        assert code == 0
        assert sorted(_sets(current)) == ["brat"], round_trip
    capsys.readouterr()


def test_a_duplicate_t_id_is_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doubled = ANN_A + f"T1\tSource {_at('the governor')}\tthe governor\n"
    _corpus(tmp_path, drones_a=doubled)
    assert _import(tmp_path) == 1
    line = doubled.count("\n")
    assert f"drones_a.ann:/lines/{line}: brat-syntax T1 is also the id of line 1" in capsys.readouterr().out


def test_event_roles_in_another_case_still_make_attributions(tmp_path: Path) -> None:
    """Before the fix ``content:T3`` (not ``Content:T3``) gave no attribution and no notice."""
    lowered = ANN_A.replace("Content:", "content:").replace("Cue:", "cue:").replace("Source:", "source:")
    _corpus(tmp_path, drones_a=lowered)
    assert _import(tmp_path) == 0
    assert len(_sets(tmp_path)["brat-a"]["attributions"]) == 3


def test_a_tab_or_line_break_in_a_span_text_cannot_forge_ann_lines(tmp_path: Path) -> None:
    item = {
        "id": "x",
        "spans": [
            {
                "id": "s1",
                "label": "SOURCE",
                "start": 0,
                "end": 9,
                "text": "a\tb\nT9\tCue 0 1\tc",
                "source_type": "x",
            }
        ],
        "attributions": [],
        "claims": [],
    }
    content, _ = brat.to_ann(item)
    text_bound = [line for line in content.splitlines() if line.startswith("T")]
    assert text_bound == ["T1\tSource 0 9\ta b T9 Cue 0 1 c"], content


def test_an_exported_span_with_a_line_break_comes_back_whole() -> None:
    start = TEXT.index("reported that\nthe")
    span = {
        "id": "s1",
        "label": "CONTENT",
        "start": start,
        "end": start + 17,
        "text": TEXT[start : start + 17],
    }
    content, _ = brat.to_ann({"id": "x", "spans": [span], "attributions": [], "claims": []})
    assert content.count("\n") == 1, content
    parsed = brat.parse_ann(content, TEXT, sink := ProblemSink("x"))
    assert sink.problems == []
    assert [bound.text for bound in parsed.textbounds.values()] == ["reported that\nthe"]


def test_export_names_sets_that_would_share_a_file_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the fix sets ``brat-a`` and ``a`` both wrote ``drones_a.ann`` ("wrote 2 .ann file(s)", one there)."""
    _corpus(tmp_path, drones_a=ANN_A)
    assert _import(tmp_path) == 0
    path = tmp_path / "annotations" / "drones.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    twin = json.loads(json.dumps(document["annotation_sets"][0]))
    twin["id"] = "a"
    document["annotation_sets"].append(twin)
    path.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "brat"
    assert main(["brat", "export", str(path), "--out", str(out), "--seeds", str(tmp_path / "seeds")]) == 0
    assert sorted(p.name for p in out.glob("*.ann")) == ["drones_a.ann", "drones_brat-a.ann"]
    assert "wrote 2 .ann file(s)" in capsys.readouterr().err


def test_export_of_a_set_some_documents_lack_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _corpus(tmp_path, drones_a=ANN_A)
    assert _import(tmp_path) == 0
    out = tmp_path / "brat"
    status = main(
        [
            "brat",
            "export",
            str(tmp_path / "annotations"),
            "--out",
            str(out),
            "--set",
            "gold",
            "--seeds",
            str(tmp_path / "seeds"),
        ]
    )
    assert status == 0
    err = capsys.readouterr().err
    assert "notice: 1 document(s) have no set 'gold', not exported: drones" in err
    assert list(out.glob("*.txt")) == []


def test_import_into_a_folder_apart_from_its_seeds_says_where_they_are_and_export_takes_seeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The --help example (``--out imported/ --seeds imported-seeds/``) made files nothing could use."""
    texts, ann_dir = _corpus(tmp_path, drones_a=ANN_A)
    imported, seeds = tmp_path / "imported", tmp_path / "imported-seeds"
    status = main(["brat", "import", str(texts), str(ann_dir), "--out", str(imported), "--seeds", str(seeds)])
    assert status == 0
    err = capsys.readouterr().err
    assert f"pass --seeds {seeds} to validate" in err
    assert not validate_paths([imported]).ok  # without it: seed-missing
    assert validate_paths([imported], seeds_dir=seeds).ok
    out = tmp_path / "brat"
    assert main(["brat", "export", str(imported), "--out", str(out), "--seeds", str(seeds)]) == 0
    assert (out / "drones_a.ann").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_an_ann_file_is_refused_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _texts, ann_dir = _corpus(tmp_path, drones_a=ANN_A)
    os.mkfifo(ann_dir / "drones_b.ann")
    assert _import(tmp_path) == 2
    assert "drones_b.ann:: file-not-regular" in capsys.readouterr().out


def test_import_takes_the_lock_before_it_reads_the_annotation_file(tmp_path: Path) -> None:
    """Before the fix the existing file was read first and the lock taken only to write: an ``ls import`` in
    between lost its sets. Here the lock is held by this process while a second import runs: it must wait."""
    import subprocess
    import sys
    import time

    from claimbank.util.jsonio import folder_lock

    _corpus(tmp_path, drones_a=ANN_A)
    assert _import(tmp_path) == 0
    _corpus(tmp_path, drones_b=ANN_B)
    texts, ann_dir = tmp_path / "text", tmp_path / "ann"
    command = [
        sys.executable,
        "-m",
        "claimbank",
        "brat",
        "import",
        str(texts),
        str(ann_dir),
        "--out",
        str(tmp_path / "annotations"),
        "--seeds",
        str(tmp_path / "seeds"),
        "--no-progress",
    ]
    package = str(Path(brat.__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": package}
    with folder_lock(tmp_path / "annotations"):
        started = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(3)
        assert started.poll() is None, started.communicate()
        path = tmp_path / "annotations" / "drones.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        planted = json.loads(json.dumps(document["annotation_sets"][0]))
        planted["id"] = "written-meanwhile"
        document["annotation_sets"].append(planted)
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert started.wait(timeout=120) == 0, started.communicate()
    assert {"brat-a", "brat-b", "written-meanwhile"} <= set(_sets(tmp_path))


def test_brat_lines_of_every_type_confusion_are_problems_not_crashes(tmp_path: Path) -> None:
    """Each field of each kind of line replaced by each JSON value's text (and by nothing)."""
    lines = ANN_A.splitlines()
    failures: list[str] = []
    for number, line in enumerate(lines):
        fields = line.split("\t")
        for position in range(len(fields)):
            words = fields[position].split(" ")
            for word in range(len(words)):
                for value in [*map(json.dumps, VALUES), "", "9" * 5000, "\0", "-1"]:
                    mutated = list(words)
                    mutated[word] = value
                    changed = [*fields[:position], " ".join(mutated), *fields[position + 1 :]]
                    content = "\n".join([*lines[:number], "\t".join(changed), *lines[number + 1 :]]) + "\n"
                    sink = ProblemSink("x.ann")
                    try:
                        parsed = brat.parse_ann(content, TEXT, sink)
                        brat.to_annotation_set(parsed, _header(), brat.POLNEAR, sink)
                    except Exception as error:
                        failures.append(
                            f"line {number + 1} field {position} word {word} = {value[:10]!r}: {error!r}"
                        )
    assert failures == []


def _header() -> dict[str, Any]:
    return {
        "id": "brat-x",
        "annotator": "x",
        "origin": "imported",
        "created_at": "2026-01-01T00:00:00Z",
        "gold": False,
        "adjudicated_from": [],
        "model_version": None,
        "imported_from": "brat:x.ann",
        "note": None,
    }


def test_offsets_of_thousands_of_digits_in_a_ann_file_are_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _corpus(tmp_path, drones_a=f"T1\tSource 0 {'9' * 5000}\tOfficials\n")
    assert _import(tmp_path) == 1
    out = capsys.readouterr().out
    assert "brat-" in out
    assert all(len(line) < 500 for line in out.splitlines())


def test_a_refusal_points_at_the_ann_line_not_at_a_file_never_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An event whose roles name spans of the wrong labels passes the parser and fails validation; before the fix
    the problem named ``annotations/drones.json:/annotation_sets/0/attributions/…``, a file that was never
    written. Now it names the ``.ann`` file and the event's line, and keeps the document pointer in the message.
    The summary counts documents and ``.ann`` files apart (it said "2 file(s) checked" for one article)."""
    swapped = ANN_A.replace(
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1", "E1\tAttribution:T4 Content:T1 Cue:T2 Source:T3"
    )
    _corpus(tmp_path, drones_a=swapped)
    assert _import(tmp_path) == 1
    captured = capsys.readouterr()
    line = swapped.split("\n").index("E1\tAttribution:T4 Content:T1 Cue:T2 Source:T3") + 1
    lines = captured.out.splitlines()
    assert len(lines) == 2
    assert all(f"drones_a.ann:/lines/{line}: reference-wrong-label " in x for x in lines), lines
    assert "(in document drones at /annotation_sets/0/attributions/0/content)" in captured.out
    assert "drones.json" not in captured.out
    assert not (tmp_path / "annotations").exists()
    assert "1 document(s) from 1 .ann file(s) checked, 1 file(s) with problems, 2 problem(s)" in captured.err


def test_spans_attributions_and_claims_are_found_by_their_line() -> None:
    """Spans and claims by their T line (a fragment by the T id before its ``:``), attributions by their E line."""
    from claimbank.io.brat.command import _line_of

    parsed = brat.parse_ann(ANN_A, TEXT, ProblemSink("x"))
    numbers = {line.split("\t")[0]: n for n, line in enumerate(ANN_A.split("\n"), start=1)}
    item = {"spans": [{"id": "T3:2"}], "attributions": [{"id": "E2"}], "claims": [{"id": "c1", "span": "T7"}]}
    assert _line_of(item, ["spans", "0"], parsed) == numbers["T3"] == 3
    assert _line_of(item, ["attributions", "0"], parsed) == numbers["E2"]
    assert _line_of(item, ["claims", "0"], parsed) == numbers["T7"]
    assert _line_of(item, ["claims", "5"], parsed) is None
    assert _line_of(item, ["spans"], parsed) is None


def test_a_report_counts_each_file_once() -> None:
    """A file reported in two steps (an import adds a seed problem after the checks) is one file checked."""
    from claimbank.validate.problems import Report

    report = Report()
    first, second = ProblemSink("a.json"), ProblemSink("a.json")
    first.add("seed-text-mismatch", "/text", "x")
    second.add("seed-text-mismatch", "/text", "y")
    report.extend("a.json", first.problems)
    report.extend("a.json", second.problems)
    report.extend("b.json", [])
    assert report.summary() == "2 file(s) checked, 1 invalid, 2 problem(s)"


def test_a_folder_without_ann_files_is_an_error_not_an_empty_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A careless user naming the wrong folder got exit 0 and "imported 0 document(s)"."""
    _corpus(tmp_path)
    assert _import(tmp_path) == 2
    assert "no .ann files in " in capsys.readouterr().err
    assert not (tmp_path / "annotations").exists()
