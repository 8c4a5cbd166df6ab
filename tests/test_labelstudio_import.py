"""`claimbank ls import`: Label Studio exports back into annotation files, nothing lost, nothing shifted."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from claimbank import load_document
from claimbank.cli import main
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet
from claimbank.io.labelstudio.convert import to_results

CASES = Path(__file__).parent / "cases"


def _sets(project: Path) -> dict[str, Any]:
    return {
        s["id"]: s for s in canonical(load_document(project / "annotations" / "mini.json"))["annotation_sets"]
    }


def _export(project: Path, **changes: Any) -> list[dict[str, Any]]:
    document = canonical(load_document(project / "annotations" / "mini.json"))
    sets = {s["id"]: s for s in document["annotation_sets"]}
    task: dict[str, Any] = {
        "id": 7,
        "data": {"text": document["text"], "document_id": "mini", "sha256": document["sha256"]},
        "annotations": [
            {
                "id": 11,
                "completed_by": 1,
                "result": to_results(sets["gold"]),
                "was_cancelled": False,
                "created_at": "2026-11-24T10:00:00.123456Z",
            },
            {
                "id": 12,
                "completed_by": {"id": 2, "email": "b@example.org"},
                "result": to_results(sets["pass-a"]),
                "was_cancelled": False,
                "created_at": "2026-11-24T11:00:00Z",
            },
            {
                "id": 13,
                "completed_by": 3,
                "result": [],
                "was_cancelled": True,
                "created_at": "2026-11-24T12:00:00Z",
            },
        ],
        "drafts": [{"id": 21, "result": to_results(sets["pass-a"]), "created_at": "2026-11-24T13:00:00Z"}],
        "predictions": [
            {
                "id": 31,
                "model_version": "rules-1",
                "result": to_results(sets["pass-a"]),
                "created_at": "2026-11-24T09:00:00Z",
            }
        ],
    }
    task |= changes
    return [task]


def _write(project: Path, export: list[dict[str, Any]]) -> Path:
    path = project / "export.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    return path


def _layers(item: dict[str, Any]) -> AnnotationSet:
    return AnnotationSet.model_validate(
        {
            **item,
            "id": "x",
            "annotator": "x",
            "origin": "manual",
            "created_at": "2026-01-01T00:00:00Z",
            "gold": False,
            "adjudicated_from": [],
            "model_version": None,
            "imported_from": None,
            "note": None,
        }
    )


def test_every_annotator_becomes_a_set_and_nothing_is_lost(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _sets(project)
    export = _write(project, _export(project))
    assert main(["ls", "import", str(export), "--annotations", str(project / "annotations")]) == 0
    assert "annotation 13 was cancelled" in capsys.readouterr().err
    after = _sets(project)
    first, second, predicted = after["ls-annotation-11"], after["ls-annotation-12"], after["ls-prediction-31"]
    assert _layers(first) == _layers(before["gold"])
    assert _layers(second) == _layers(before["pass-a"])
    assert (first["annotator"], first["created_at"]) == ("label-studio-user-1", "2026-11-24T10:00:00.123456Z")
    assert second["annotator"] == "b@example.org"
    assert first["imported_from"] == "label-studio:task/7/annotation/11"
    assert (predicted["origin"], predicted["model_version"]) == ("prediction", "rules-1")
    assert "ls-annotation-13" not in after
    assert "ls-draft-21" not in after
    assert before["gold"] == after["gold"]


def test_drafts_only_when_asked(project: Path) -> None:
    export = _write(project, _export(project))
    assert main(["ls", "import", str(export), "--annotations", str(project / "annotations"), "--drafts"]) == 0
    assert "ls-draft-21" in _sets(project)


def test_importing_twice_replaces_rather_than_duplicates(project: Path) -> None:
    export = _write(project, _export(project))
    for _ in range(2):
        assert main(["ls", "import", str(export), "--annotations", str(project / "annotations")]) == 0
    assert sorted(_sets(project)) == [
        "gold",
        "ls-annotation-11",
        "ls-annotation-12",
        "ls-prediction-31",
        "pass-a",
    ]


def test_utf16_offsets_are_diagnosed_not_shifted(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task = _export(project)[0]
    text = task["data"]["text"]
    for region in task["annotations"][0]["result"]:
        if region["type"] in ("labels", "choices"):
            value = region["value"]
            value["start"] = len(text[: value["start"]].encode("utf-16-le")) // 2
            value["end"] = value["start"] + len(value["text"].encode("utf-16-le")) // 2
    before = (project / "annotations" / "mini.json").read_bytes()
    assert (
        main(["ls", "import", str(_write(project, [task])), "--annotations", str(project / "annotations")])
        == 1
    )
    out = capsys.readouterr().out
    assert "span-offsets-utf16" in out
    # That set index is not in the file on disk: each problem points at its region in the export, and names
    # the set and its place in the file that would be written.
    lines = out.splitlines()
    assert all(line.startswith(f"{project / 'export.json'}:/0/annotations/0/result/") for line in lines), (
        lines
    )
    assert all("/value/text: span-offsets-utf16 " in line for line in lines)
    assert all(
        " (set ls-annotation-11 of " in line and " at /annotation_sets/2/spans/" in line for line in lines
    )
    results = task["annotations"][0]["result"]
    for line in lines:
        index = int(line.split("/result/")[1].split("/")[0])
        assert results[index]["type"] == "labels"  # the span's region, not its choices
    assert (project / "annotations" / "mini.json").read_bytes() == before


def test_selections_with_white_space_at_an_edge_are_trimmed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _sets(project)
    task = _export(project)[0]
    text = task["data"]["text"]
    widened = 0
    for region in task["annotations"][0]["result"]:
        value = region.get("value", {})
        if region["type"] == "labels" and value["text"] in ("said", "Officials"):
            # what a drag one character too far gives: the space after "said", the line break before "Officials"
            if value["text"] == "said":
                value["end"] += 1
            else:
                value["start"] -= 1
            value["text"] = text[value["start"] : value["end"]]
            assert value["text"] != value["text"].strip()
            widened += 1
    assert widened == 2
    export = _write(project, [task])
    assert main(["ls", "import", str(export), "--annotations", str(project / "annotations")]) == 0
    assert capsys.readouterr().err.count("trimmed of white space") == 2
    assert _layers(_sets(project)["ls-annotation-11"]) == _layers(before["gold"])


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda t: t["data"].update(document_id="nope"), "ls-unknown-document"),
        (lambda t: t["data"].update(text=t["data"]["text"].replace("\n", "\r\n")), "ls-text-mismatch"),
        (lambda t: t["annotations"][0].pop("result"), "ls-result-missing"),
        (lambda t: t["annotations"][0]["result"][0].update(from_name="sentiment"), "ls-unknown-from-name"),
        (lambda t: t["annotations"][0]["result"][0]["value"].pop("text"), "ls-region-without-text"),
        (
            lambda t: t["annotations"][0]["result"].append(
                {
                    "from_id": "s1",
                    "to_id": "gone",
                    "type": "relation",
                    "direction": "right",
                    "labels": ["source"],
                }
            ),
            "ls-relation-missing-region",
        ),
    ],
    ids=[
        "unknown-document",
        "crlf-text",
        "missing-result",
        "unknown-from-name",
        "region-without-text",
        "dangling-relation",
    ],
)
def test_bad_exports_get_a_code_and_change_nothing(
    project: Path, change: Any, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    task = copy.deepcopy(_export(project)[0])
    change(task)
    before = (project / "annotations" / "mini.json").read_bytes()
    assert (
        main(["ls", "import", str(_write(project, [task])), "--annotations", str(project / "annotations")])
        == 1
    )
    out = capsys.readouterr().out
    assert f": {code} " in out
    assert "Traceback" not in out
    assert (project / "annotations" / "mini.json").read_bytes() == before


def _drop(task: dict[str, Any], annotation: int, region: str, *names: str) -> None:
    """Unpick choices ``names`` of ``region`` in the ``annotation``-th annotation, as an annotator who skipped them."""
    result = task["annotations"][annotation]["result"]
    result[:] = [r for r in result if not (r.get("id") == region and r.get("from_name") in names)]


@pytest.mark.parametrize(
    ("region", "names", "words"),
    [
        ("s5", ("cue_type",), "region s5 (CUE 'said') has no cue_type"),
        ("s26", ("factuality",), "region s26 (CLAIM 'The airport will surely reopen') has no factuality"),
        (
            "s26",
            ("claimer", "factuality"),
            "region s26 (CLAIM 'The airport will surely reopen') has no claimer and no factuality",
        ),
        ("s4", ("source_type",), "region s4 (SOURCE 'Officials') has no source_type"),
    ],
    ids=["cue-without-cue-type", "claim-without-factuality", "claim-without-choices", "source-without-type"],
)
def test_an_incomplete_annotation_is_skipped_by_name_and_the_others_come_in(
    project: Path, region: str, names: tuple[str, ...], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    task = _export(project)[0]
    task["annotations"][0]["completed_by"] = {"id": 1, "email": "a@example.org"}
    _drop(task, 0, region, *names)
    assert (
        main(["ls", "import", str(_write(project, [task])), "--annotations", str(project / "annotations")])
        == 0
    )
    err = capsys.readouterr().err
    assert f"notice: task 7: annotation 11 by a@example.org: incomplete, skipped: {words}\n" in err
    after = _sets(project)
    assert "ls-annotation-11" not in after  # not imported with a guess (factuality "Uu", kind "attribution")
    assert "ls-annotation-12" in after  # the other annotator's work still comes in


def test_a_source_claim_without_its_link_is_incomplete(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task = _export(project)[0]
    result = task["annotations"][0]["result"]
    result[:] = [
        r
        for r in result
        if not (r.get("type") == "relation" and r["labels"] == ["claimed_in"] and r["from_id"] == "s22")
    ]
    assert (
        main(["ls", "import", str(_write(project, [task])), "--annotations", str(project / "annotations")])
        == 0
    )
    assert "region s22 (CLAIM" in capsys.readouterr().err
    assert "ls-annotation-11" not in _sets(project)


def test_an_annotation_deleted_in_label_studio_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "ls",
                "import",
                str(_write(project, _export(project))),
                "--annotations",
                str(project / "annotations"),
            ]
        )
        == 0
    )
    task = _export(project)[0]
    del task["annotations"][1]  # annotation 12 deleted in Label Studio
    capsys.readouterr()
    assert (
        main(["ls", "import", str(_write(project, [task])), "--annotations", str(project / "annotations")])
        == 0
    )
    err = capsys.readouterr().err
    assert "task 7: annotation 12 was deleted in Label Studio; set ls-annotation-12 kept" in err
    assert "annotation 11 was deleted" not in err
    assert "ls-annotation-12" in _sets(project)


def test_a_json_min_export_is_named_as_such(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    task = _export(project)[0]
    flat = {"id": 7, **task["data"], "annotator": 1, "label": [{"start": 0, "end": 3, "labels": ["SOURCE"]}]}
    assert (
        main(["ls", "import", str(_write(project, [flat])), "--annotations", str(project / "annotations")])
        == 1
    )
    out = capsys.readouterr().out
    assert "JSON_MIN" in out
    assert "None" not in out


def test_drafts_exported_as_bare_ids_are_skipped_not_refused(project: Path) -> None:
    # Label Studio 1.23 exports a task's drafts as ids unless asked for them in full (found live, session 6).
    task = _export(project)[0]
    task["drafts"] = [41, 42]
    path = _write(project, [task])
    assert main(["ls", "import", str(path), "--annotations", str(project / "annotations")]) == 0
    assert main(["ls", "import", str(path), "--annotations", str(project / "annotations"), "--drafts"]) == 0


def test_a_prediction_is_pointed_at_in_its_own_list(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before the fix a prediction's pointer counted the task's annotations too: the first prediction of a task
    with three annotations was ``/0/predictions/3``."""
    task = _export(project)[0]
    assert len(task["annotations"]) == 3
    task["predictions"] = [{"id": 5, "model_version": "m", "result": "not a list"}]
    status = main(
        ["ls", "import", str(_write(project, [task])), "--annotations", str(project / "annotations")]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert ":/0/predictions/0/result: " in out, out
