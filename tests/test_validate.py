"""The Python API and the checks that need more than one case file."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from claimbank import Document, ValidationFailed, load_document, validate_paths
from claimbank.validate.core import iter_sources, validate_file
from claimbank.validate.problems import codes_at

CASES = Path(__file__).parent / "cases"
MINI = CASES / "valid" / "mini.json"


def test_load_document_returns_the_typed_model() -> None:
    document = load_document(MINI)
    assert isinstance(document, Document)
    gold = next(s for s in document.annotation_sets if s.gold)
    assert {a.kind.value for a in gold.attributions} == {"attribution", "non_attribution"}
    span = gold.spans[0]
    assert document.text[span.start : span.end] == span.text


def test_load_document_raises_with_every_problem() -> None:
    with pytest.raises(ValidationFailed) as failure:
        load_document(CASES / "invalid" / "reference-cycle" / "nested-cycle.json")
    assert codes_at(failure.value.problems) == {
        ("reference-cycle", "/annotation_sets/0/attributions/2/nested_in")
    }


def test_file_name_must_match_the_document_id(project: Path) -> None:
    renamed = project / "annotations" / "other.json"
    (project / "annotations" / "mini.json").rename(renamed)
    assert codes_at(validate_file(renamed).problems) == {("file-name-mismatch", "/id")}


def test_duplicate_documents_across_files(project: Path) -> None:
    nested = project / "annotations" / "more"
    nested.mkdir()
    shutil.copy(MINI, nested / "mini.json")
    report = validate_paths([project / "annotations"])
    assert [(p.code, p.file) for p in report.problems] == [("duplicate-document", str(nested / "mini.json"))]
    assert report.exit_code == 1


def test_size_limit(project: Path) -> None:
    result = validate_file(project / "annotations" / "mini.json", max_bytes=100)
    assert codes_at(result.problems) == {("file-too-large", "")}


def test_unreadable_file_exits_2(project: Path) -> None:
    report = validate_paths([project / "annotations" / "missing.json"])
    assert [p.code for p in report.problems] == ["file-unreadable"]
    assert report.exit_code == 2


def test_seeds_dir_is_found_above_the_file_or_given(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("loose") / "mini.json"
    shutil.copy(MINI, elsewhere)
    assert codes_at(validate_file(elsewhere).problems) == {("seed-missing", "/seed")}
    assert validate_file(elsewhere, seeds_dir=project / "seeds").ok


def test_every_problem_of_every_file_is_collected(project: Path) -> None:
    data = json.loads(MINI.read_text(encoding="utf-8"))
    data["annotation_sets"][0]["spans"][0]["text"] = "XXX"
    data["annotation_sets"][0]["claims"][0]["factuality"] = "maybe"
    data["sha256"] = "0" * 64
    (project / "annotations" / "mini.json").write_text(json.dumps(data), encoding="utf-8")
    (project / "annotations" / "broken.json").write_text("{", encoding="utf-8")
    report = validate_paths([project / "annotations"])
    assert {(p.code, os.path.basename(p.file)) for p in report.problems} == {
        ("json-syntax", "broken.json"),
        ("span-text-mismatch", "mini.json"),
        ("schema-unknown-value", "mini.json"),
        ("sha256-mismatch", "mini.json"),
    }
    assert list(report.by_file()) == [str(project / "annotations" / n) for n in ("broken.json", "mini.json")]


def test_worker_processes_give_the_same_report(project: Path) -> None:
    for name in ("a", "b", "c"):
        data = json.loads(MINI.read_text(encoding="utf-8"))
        data["id"] = name
        if name == "b":
            data["annotation_sets"][0]["spans"][0]["end"] = 10_000
        (project / "annotations" / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    (project / "annotations" / "broken.json").write_text("[", encoding="utf-8")
    serial = validate_paths([project / "annotations"])
    parallel = validate_paths([project / "annotations"], jobs=2)
    assert parallel.problems == serial.problems
    assert parallel.files == serial.files
    assert {p.code for p in serial.problems} == {"offset-out-of-range", "json-syntax"}


def test_worker_processes_give_the_same_report_over_many_chunks(tmp_path: Path) -> None:
    from claimbank.testing.synth import write_project
    from claimbank.util.parallel import chunk_size

    project = write_project(tmp_path / "p", 1200)
    files = sorted((project / "annotations").glob("*.json"))
    assert len(files) // chunk_size(len(files), 2) >= 8  # several tasks per worker, so order can go wrong
    files[100].write_text("{", encoding="utf-8")
    shutil.copy(files[3], files[-1])  # the same document twice, far apart: found across tasks
    serial = validate_paths([project / "annotations"])
    parallel = validate_paths([project / "annotations"], jobs=2)
    assert parallel.problems == serial.problems
    assert parallel.files == serial.files
    assert len(serial.files) == 1200
    assert {p.code for p in serial.problems} >= {"json-syntax", "duplicate-document"}


@pytest.mark.parametrize(
    ("count", "jobs", "expected"),
    [(0, 2, 64), (1_000, 2, 64), (20_000, 2, 512), (8_000, 4, 250), (10, 0, 64)],
)
def test_chunk_size_gives_each_worker_several_tasks_within_bounds(
    count: int, jobs: int, expected: int
) -> None:
    from claimbank.util.parallel import chunk_size

    assert chunk_size(count, jobs) == expected


def test_a_link_out_of_the_folder_is_reported_not_read(project: Path, tmp_path: Path) -> None:
    from claimbank.dataset.build import build

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(project / "annotations" / "mini.json", elsewhere / "mini.json")
    link = project / "annotations" / "mini.json"
    link.symlink_to(elsewhere / "mini.json")
    report = validate_paths([project / "annotations"])
    assert [(p.code, p.file, p.pointer) for p in report.problems] == [("path-outside-tree", str(link), "")]
    result = build([project / "annotations"], tmp_path / "out", seeds_dir=project / "seeds")
    assert [p.code for p in result.report.problems] == ["path-outside-tree"]
    assert not (tmp_path / "out").exists()
    # Named directly, the file is the user's choice; a link that stays inside the folder is fine too.
    assert validate_paths([link], seeds_dir=project / "seeds").ok
    link.unlink()
    shutil.move(elsewhere / "mini.json", project / "annotations" / "real.json")
    link.symlink_to(project / "annotations" / "real.json")
    report = validate_paths([project / "annotations"])
    assert {p.code for p in report.problems} == {"duplicate-document", "file-name-mismatch"}


def test_the_folder_walk_finds_what_rglob_finds(tmp_path: Path) -> None:
    """The scandir walk lists the files Path.rglob("*.json") lists: links to files yes, into linked folders no."""
    root, outside = tmp_path / "annotations", tmp_path / "outside"
    (root / "sub" / "deeper").mkdir(parents=True)
    outside.mkdir()
    for name in ("a.json", "sub/b.json", "sub/deeper/c.json", ".hidden.json", "notes.txt", "sub/d.JSON"):
        (root / name).write_text("{}", encoding="utf-8")
    (root / "dir.json").mkdir()  # a folder with a matching name is not a file
    (outside / "e.json").write_text("{}", encoding="utf-8")
    (root / "linked-folder").symlink_to(outside)  # not followed
    (root / "link.json").symlink_to(outside / "e.json")  # listed, with the folder to check it against
    (root / "broken.json").symlink_to(tmp_path / "missing.json")  # not a file
    found = list(iter_sources([root]))
    expected = sorted(str(p) for p in root.rglob("*.json") if p.is_file())
    assert [name for _, name in found] == expected
    assert {name: folder for folder, name in found}[str(root / "link.json")] == str(root)
    assert {folder for folder, name in found if not name.endswith("link.json")} == {""}
    report = validate_paths([root])
    assert "path-outside-tree" in {p.code for p in report.problems if p.file.endswith("link.json")}


def test_the_seeds_folder_is_looked_up_once_per_folder_and_a_later_one_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimbank.format import paths

    project = tmp_path / "project"
    (project / "annotations").mkdir(parents=True)
    assert paths.find_seeds_dir(project / "annotations") is None  # a miss is not remembered ...
    (project / "seeds").mkdir()
    found = paths.find_seeds_dir(project / "annotations")  # ... so the folder made afterwards is found
    assert found == (project / "seeds").resolve()
    calls = []
    real = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        calls.append(self)
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    for _ in range(100):
        assert paths.find_seeds_dir(project / "annotations") == found
    monkeypatch.undo()
    assert calls == []  # remembered: no walk for the next 100 files of the folder


def test_a_folder_walk_reports_each_file_as_validate_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The walk reads each file by its name as a string and tries the fast path on it; whatever it is not
    # certain of must get exactly validate_file's problems, under the same file name (a walk of "." names
    # "x.json", not "./x.json"), valid, invalid and unreadable files alike.
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    cases = [*sorted((CASES / "invalid").glob("*/*.json")), *sorted((CASES / "valid").glob("*.json"))]
    for case in cases:  # a valid case keeps its name (its id); an invalid one is named for its folder too
        valid = case.parent.name == "valid"
        shutil.copy(case, annotations / (case.name if valid else f"{case.parent.name}--{case.name}"))
    (annotations / "empty.json").write_bytes(b"")
    os.mkfifo(annotations / "fifo.json")
    monkeypatch.chdir(tmp_path)
    walk = [Path("."), Path("annotations/fifo.json")]  # a walk lists no FIFO; named, it is read
    report = validate_paths(walk)
    names = [name for _, name in iter_sources(walk)]
    assert len(names) == len(cases) + 2
    expected = [problem for name in names for problem in validate_file(Path(name)).problems]
    walked = [problem for problem in report.problems if problem.code != "duplicate-document"]  # across files
    assert {p.file for p in walked} < set(names)  # some files are valid
    assert [p.format() for p in walked] == [p.format() for p in expected]


def test_a_relative_folder_finds_the_seeds_of_the_working_folder_it_is_asked_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claimbank.format import paths

    # Remembered folders are keyed by the absolute path: the same relative "annotations" in two projects (a
    # library user, or a test run, changing folder in one process) is two folders with two seeds/.
    for name in ("one", "two"):
        (tmp_path / name / "annotations").mkdir(parents=True)
        (tmp_path / name / "seeds").mkdir()
    for name in ("one", "two", "one"):
        monkeypatch.chdir(tmp_path / name)
        assert paths.find_seeds_dir("annotations") == (tmp_path / name / "seeds").resolve()


def test_a_walk_of_the_working_folder_names_each_file_once_as_typed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.scandir(".") spells its entries "./x.json", while a problem names its file as Path does ("x.json"):
    # by_file() listed an invalid file under both spellings, and the summary counted it twice.
    shutil.copy(MINI, project / "annotations" / "again.json")  # a second "mini", under another name
    monkeypatch.chdir(project)
    walk = [Path(".")]
    report = validate_paths(walk)
    again, mini = (os.path.join("annotations", name) for name in ("again.json", "mini.json"))
    assert [name for _, name in iter_sources(walk)] == [again, mini]
    assert list(report.by_file()) == [again, mini]
    assert [(p.code, p.file) for p in report.problems] == [
        ("file-name-mismatch", again),
        ("duplicate-document", mini),
    ]
    assert report.summary() == "2 file(s) checked, 2 invalid, 2 problem(s)"
