"""No input crashes any command: the type-confusion family through every entry point, files that are not files,
huge numbers, outputs that are not the command's to replace (issue 16).

Each test here failed before the fix it names: a TypeError inside the validator, a hang on a FIFO, an output
replaced whatever it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import claimbank
from claimbank.cli import main
from claimbank.format.canonical import canonical
from claimbank.io.labelstudio.convert import import_export
from claimbank.io.labelstudio.imports import plan_import
from claimbank.util.jsonio import RefusedOutput, write_atomic
from claimbank.validate import checks, fastpath
from claimbank.validate.core import load_document, validate_bytes, validate_file, validate_paths
from claimbank.validate.problems import ProblemSink
from tests.confusion import VALUES, family, places, sample
from tests.tools.make_ls_cases import base_export

CASES = Path(__file__).parent / "cases"
MINI = CASES / "valid" / "mini.json"
ROOT = Path(__file__).resolve().parents[1]
# One problem line: FILE:POINTER: CODE message (hint: …), where the file and the pointer hold no ": " of their own
# here, so that the code can be picked out.
LINE = re.compile(r"^(?P<file>[^\n]*?):(?P<pointer>(/[^\s]*)?): (?P<code>[a-z0-9-]+) .*\(hint: [^\n]*\)$")


def run(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # The package under test, whatever the working folder of the command.
    package = str(Path(claimbank.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([package, os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "claimbank", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _mini() -> Any:
    return json.loads(MINI.read_text(encoding="utf-8"))


def test_the_family_covers_every_field_with_every_json_type() -> None:
    document = _mini()
    mutants = list(family(document))
    assert len(list(places(document))) > 300
    # Every place gets every value but the one it already holds.
    assert len(mutants) >= len(list(places(document))) * (len(VALUES) - 1)
    assert any(name == "/annotation_sets/0/spans/0/label = ['x']" for name, _ in mutants)


def test_no_type_confusion_makes_the_checks_or_the_fast_path_fail() -> None:
    """The whole family through the checks beyond the schema and the fast path, where the crashes were: before the
    fix 331 of these raised TypeError (a span label that is a list, a claimer that is an object …)."""
    failures: list[str] = []
    for name, mutant in family(_mini()):
        sink = ProblemSink("mutant")
        data = json.dumps(mutant, ensure_ascii=False).encode("utf-8")
        try:
            checks.check_document(mutant, sink, path=None, seeds_dir=CASES / "seeds")
            fastpath.quick_check(data, path=None, seeds_dir=CASES / "seeds")
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {error}")
    assert failures == []


def test_every_place_and_type_through_the_whole_validator() -> None:
    """A ninth of the family (every place, every type) through the full path, schema explanation included;
    ``tests/tools/confusion_run.py`` runs the whole family (docs/robustness.md has its counts)."""
    failures: list[str] = []
    for name, mutant in sample(_mini()):
        data = json.dumps(mutant, ensure_ascii=False).encode("utf-8")
        result = validate_bytes(data, name="mutant", seeds_dir=CASES / "seeds")
        if any(p.code == "internal-error" for p in result.problems):
            failures.append(f"{name}: {result.problems[0].message}")
    assert failures == []


@pytest.mark.slow
def test_the_family_through_the_cli_and_the_build_exits_1_with_every_file_reported(
    project: Path,
) -> None:
    folder = project / "annotations"
    mutants = list(sample(_mini()))
    for number, (_, mutant) in enumerate(mutants):
        (folder / f"m{number:05d}.json").write_text(json.dumps(mutant), encoding="utf-8")
    (folder / "truncated.json").write_text(MINI.read_text(encoding="utf-8")[:200], encoding="utf-8")
    result = run("validate", "--format", "json", "--jobs", "2", str(folder), timeout=300)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    codes = {p["code"] for f in report["files"] for p in f["problems"]}
    assert "internal-error" not in codes
    assert len(report["files"]) == len(mutants) + 2
    truncated = next(f for f in report["files"] if f["file"].endswith("truncated.json"))
    assert [p["code"] for p in truncated["problems"]] == ["json-syntax"]

    built = run("build", "--no-progress", "--out", str(project / "dataset"), str(folder), timeout=300)
    assert built.returncode == 1, built.stderr[-2000:]
    assert "internal error" not in built.stderr
    assert "Traceback" not in built.stderr
    assert not (project / "dataset").exists()


def test_a_failure_inside_one_file_is_its_problem_and_hides_no_other_report(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug (here: a check made to raise on one document) costs that file its check, not the run its report."""
    folder = project / "annotations"
    broken = _mini()
    broken["id"] = "boom"
    (folder / "boom.json").write_text(json.dumps(broken), encoding="utf-8")
    (folder / "truncated.json").write_text("{", encoding="utf-8")
    original = fastpath.quick_check

    def explode(data: bytes, **kwargs: Any) -> Any:
        if b'"boom"' in data:
            raise RuntimeError("planted")
        return original(data, **kwargs)

    monkeypatch.setattr(fastpath, "quick_check", explode)
    report = validate_paths([folder])
    by_file = {Path(name).name: [p.code for p in problems] for name, problems in report.by_file().items()}
    assert by_file["boom.json"] == ["internal-error"]
    assert by_file["truncated.json"] == ["json-syntax"]
    assert by_file["mini.json"] == []
    assert report.exit_code == 2

    status = main(["validate", str(folder)])
    out = capsys.readouterr().out
    assert status == 2
    assert re.search(r"boom\.json:: internal-error RuntimeError: planted", out)
    assert "truncated.json:: json-syntax" in out


def test_an_integer_of_thousands_of_digits_is_a_problem_not_a_crash(project: Path) -> None:
    text = MINI.read_text(encoding="utf-8")
    huge = re.sub(r'"start": \d+', '"start": ' + "9" * 5000, text, count=1)
    path = project / "annotations" / "mini.json"
    path.write_text(huge, encoding="utf-8")
    result = validate_file(path)
    assert [p.code for p in result.problems] == ["json-number-too-large"]
    assert "5000 digits" in result.problems[0].message
    assert len(result.problems[0].format()) < 300
    cli = run("validate", str(path))
    assert cli.returncode == 1, cli.stderr
    assert "json-number-too-large" in cli.stdout


def test_a_file_over_max_bytes_exits_2(project: Path) -> None:
    result = run("validate", "--max-bytes", "100", str(project / "annotations"))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "file-too-large" in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_input_or_seed_is_refused_without_blocking(project: Path) -> None:
    fifo = project / "annotations" / "pipe.json"
    os.mkfifo(fifo)
    result = run("validate", str(project / "annotations"), str(fifo), timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(r"pipe\.json:: file-not-regular it is a FIFO", result.stdout), result.stdout
    fifo.unlink()

    seed = project / "seeds" / _mini()["seed"]
    seed.unlink()
    os.mkfifo(seed)
    result = run("validate", str(project / "annotations"), timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "seed-missing" in result.stdout
    assert "FIFO" in result.stdout


def test_a_label_studio_export_of_any_shape_is_reported_not_a_crash(project: Path) -> None:
    """Before the fix 1,546 of these 7,595 exports raised inside the importer (``data`` a string, a region's
    value a list, labels a number, a choice naming no region …). The whole family through the converter, a ninth
    (every place, every type) through the whole import with its validation."""
    failures: list[str] = []
    documents = {"mini": canonical(load_document(MINI))}
    for name, mutant in family(base_export()):
        tasks = mutant if isinstance(mutant, list) else [mutant]
        try:
            import_export(tasks, documents, ProblemSink("export.json"))
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {error}")
    codes: set[str] = set()
    for name, mutant in sample(base_export()):
        tasks = mutant if isinstance(mutant, list) else [mutant]
        plan = plan_import(tasks, "export.json", project / "annotations")
        codes |= {p.code for p in plan.report.problems}
        if any(p.code == "internal-error" for p in plan.report.problems):
            failures.append(f"{name}: {plan.report.problems[-1].message}")
    assert failures == []
    assert {"ls-malformed", "ls-result-missing", "schema-type"} <= codes


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("data",), "a string"),
        (("annotations",), None),
        (("annotations", 0), "not an object"),
        (("annotations", 0, "result", 0, "value"), "a string"),
        (("annotations", 0, "result", 0, "value", "labels"), []),
        (("annotations", 0, "result", 0, "id"), ["r"]),
        (("annotations", 0, "result", 0, "meta"), {"text": 5}),
    ],
)
def test_ls_import_of_a_malformed_export_exits_with_a_problem(
    project: Path, where: tuple[str | int, ...], value: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    export = base_export()
    node: Any = export[0]
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    path = project / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    before = (project / "annotations" / "mini.json").read_bytes()
    status = main(["ls", "import", str(path), "--annotations", str(project / "annotations")])
    captured = capsys.readouterr()
    assert status in (0, 1, 2)
    assert "internal error" not in captured.err
    if value is None:  # no annotations: nothing to import, nothing wrong
        assert status == 0
    else:
        assert status == 1
        assert all(LINE.match(line) for line in captured.out.splitlines()), captured.out
        assert "ls-malformed" in captured.out
        assert (project / "annotations" / "mini.json").read_bytes() == before


def test_label_studio_regions_sharing_an_id_are_refused(project: Path) -> None:
    export = base_export()
    result = export[0]["annotations"][0]["result"]
    regions = [r for r in result if r.get("type") == "labels"]
    regions[1]["id"] = regions[0]["id"]
    plan = plan_import(export, "export.json", project / "annotations")
    assert "ls-duplicate-region" in {p.code for p in plan.report.problems}


def test_a_negative_utc_offset_in_label_studio_is_kept(project: Path) -> None:
    export = base_export()
    export[0]["annotations"][0]["created_at"] = "2026-11-24T10:00:00-05:00"
    plan = plan_import(export, "export.json", project / "annotations")
    assert plan.report.ok, plan.report.format_text()
    (made,) = [
        s for data in plan.updated.values() for s in data["annotation_sets"] if s["id"].startswith("ls-")
    ]
    assert made["created_at"] == "2026-11-24T10:00:00-05:00"


def test_label_studio_annotations_without_ids_stay_apart(project: Path) -> None:
    export = base_export()
    second = json.loads(json.dumps(export[0]["annotations"][0]))
    export[0]["annotations"].append(second)
    for annotation in export[0]["annotations"]:
        annotation["id"] = None
    plan = plan_import(export, "export.json", project / "annotations")
    assert plan.report.ok, plan.report.format_text()
    made = [
        s["id"]
        for data in plan.updated.values()
        for s in data["annotation_sets"]
        if s["id"].startswith("ls-")
    ]
    assert len(made) == 2
    assert len(set(made)) == 2


# Outputs ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder"])
def test_a_writer_replaces_only_a_regular_file(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out.json"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    if kind == "symlink":
        target.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    with pytest.raises(RefusedOutput):
        write_atomic(target, "new")
    assert victim.read_text(encoding="utf-8") == "keep me"
    still = {"symlink": target.is_symlink, "fifo": target.is_fifo, "folder": target.is_dir}[kind]
    assert still()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_show_refuses_to_write_over_its_input(project: Path) -> None:
    path = project / "annotations" / "mini.json"
    before = path.read_bytes()
    result = run("show", str(path), "--html", str(path))
    assert result.returncode == 2, result.stderr
    assert path.read_bytes() == before
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_show_refuses_a_link_as_output(project: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    link = project / "view.html"
    link.symlink_to(victim)
    result = run("show", str(project / "annotations" / "mini.json"), "--html", str(link))
    assert result.returncode == 2, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep"
    assert link.is_symlink()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("out", ["annotations", ".", "seeds/mini.txt", "link"])
def test_build_replaces_only_a_folder_it_built(project: Path, out: str) -> None:
    """Before the fix ``build --out annotations`` (or ``.``, or a seed) replaced whatever was there, exit 0."""
    (project / "elsewhere").mkdir()
    (project / "elsewhere" / "keep.txt").write_text("keep", encoding="utf-8")
    (project / "link").symlink_to(project / "elsewhere")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and not p.is_symlink()}
    result = run("build", "--no-progress", "--out", out, "annotations", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "refusing to write over" in result.stderr
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and not p.is_symlink()}
    assert after == before


def test_build_replaces_its_own_output_and_an_empty_folder(project: Path) -> None:
    (project / "dataset").mkdir()
    first = run("build", "--no-progress", "--out", "dataset", "annotations", cwd=project)
    assert first.returncode == 0, first.stderr
    second = run("build", "--no-progress", "--out", "dataset", "annotations", cwd=project)
    assert second.returncode == 0, second.stderr
    assert (project / "dataset" / "README.md").is_file()


def test_validate_and_build_agree_on_a_duplicate_id_across_an_invalid_and_a_valid_file(project: Path) -> None:
    invalid = _mini()
    invalid["text"] = 5
    (project / "annotations" / "a.json").write_text(json.dumps(invalid), encoding="utf-8")
    validated = run("validate", "--format", "json", "annotations", cwd=project)
    built = run("build", "--no-progress", "--out", "dataset", "annotations", cwd=project)
    listed = {
        (Path(f["file"]).name, p["code"])
        for f in json.loads(validated.stdout)["files"]
        for p in f["problems"]
    }
    assert ("mini.json", "duplicate-document") in listed
    found = {(Path(m["file"]).name, m["code"]) for m in map(LINE.match, built.stdout.splitlines()) if m}
    assert found == listed


# One problem, one line ----------------------------------------------------------------------------------------


def test_a_line_break_in_a_key_a_path_or_a_seed_name_stays_on_one_line(project: Path) -> None:
    """Before the fix a newline in an unknown key split the problem, and the middle line could be a live
    ``::error`` workflow command."""
    document = _mini()
    document["x\n::error file=forged::owned"] = 1
    document["seed"] = "mini\n::warning::seed.txt"
    name = project / "annotations" / "::error file=a::b\nc.json"
    name.write_text(json.dumps(document), encoding="utf-8")
    result = run("validate", "annotations", cwd=project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert all(not line.startswith("::") for line in lines), result.stdout
    assert all(line.endswith(")") and "(hint: " in line for line in lines), result.stdout
    assert any(": schema-unknown-field unknown field 'x\\n::error" in line for line in lines), result.stdout
    assert len(lines) == len(validate_paths([project / "annotations"]).problems)


def test_github_format_finds_lines_for_many_problems_in_one_pass() -> None:
    from claimbank.validate.github import Locator, line_of

    text = json.dumps({"spans": [{"id": f"s{i}", "text": "x"} for i in range(50)]}, indent=1)
    locator = Locator(text)
    assert [locator.line(f"/spans/{i}/text") for i in range(50)] == [
        line_of(text, f"/spans/{i}/text") for i in range(50)
    ]
    assert locator.line("/spans/49/text") == text[: text.index('"s49"')].count("\n") + 2
    assert len(locator.walker.members) == 52  # each container (the root, the list, 50 spans) walked once


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--jobs", "99999999999999999999", "annotations"],
        ["validate", ""],
        ["build", "--out", "", "annotations"],
        ["validate", "a\0b.json"],
    ],
)
def test_odd_command_lines_are_usage_errors(project: Path, args: list[str]) -> None:
    try:
        result = run(*args, cwd=project)
    except ValueError:  # the operating system itself refuses a NUL in an argument
        return
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


def test_a_file_named_twice_is_checked_once(project: Path) -> None:
    path = project / "annotations" / "mini.json"
    report = validate_paths([path, path, project / "annotations"])
    assert report.files == [str(path)]
    assert report.ok


def test_a_symlink_loop_costs_only_its_own_files(project: Path) -> None:
    folder = project / "annotations"
    (folder / "a.json").symlink_to(folder / "b.json")
    (folder / "b.json").symlink_to(folder / "a.json")
    report = validate_paths([folder])
    by_file = {Path(name).name: [p.code for p in problems] for name, problems in report.by_file().items()}
    assert by_file == {"a.json": ["file-unreadable"], "b.json": ["file-unreadable"], "mini.json": []}


# The fuzzer ---------------------------------------------------------------------------------------------------


def test_the_fuzzer_sends_every_mutant_through_the_full_path_and_fails_on_an_exception(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.tools import fuzz_fastpath

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["fuzz_fastpath.py", "--count", "200", "--docs", "5", "--seconds", "300"])
    assert fuzz_fastpath.main() == 0
    counts = capsys.readouterr().out
    assert re.search(r"200 mutated files, all through the full path \(\d+ invalid, 0 crashes\)", counts), (
        counts
    )
    original = checks.check_document

    def crash_on_a_list(document: Any, sink: Any, **kwargs: Any) -> None:
        if '["x"]' in json.dumps(document):  # a check that breaks on a list where a string belongs
            raise TypeError("planted")
        original(document, sink, **kwargs)

    monkeypatch.setattr(checks, "check_document", crash_on_a_list)
    monkeypatch.setattr("sys.argv", ["fuzz_fastpath.py", "--count", "400", "--docs", "5", "--seconds", "300"])
    assert fuzz_fastpath.main() == 1
    assert list(tmp_path.glob("fuzz-crash-*.json"))


# Smaller items ------------------------------------------------------------------------------------------------


def test_a_span_ending_inside_a_decomposed_hangul_syllable_splits_a_character() -> None:
    text = "\u1100\u1161\u11a8 x"  # 각 as three jamo: L V T
    assert checks.splits_character(text, 1)
    assert checks.splits_character(text, 2)
    assert not checks.splits_character(text, 3)


def test_a_utf16_file_is_diagnosed_as_utf16(project: Path) -> None:
    path = project / "annotations" / "mini.json"
    path.write_bytes(MINI.read_text(encoding="utf-8").encode("utf-16"))
    (problem,) = validate_file(path).problems
    assert problem.code == "not-utf8"
    assert "UTF-16" in problem.message
    assert "Latin-1" not in problem.message


def test_the_card_escapes_metadata(project: Path) -> None:
    document = _mini()
    document["metadata"]["publisher"] = "Evil\n# Owned\n<script>alert(1)</script>|x"
    (project / "annotations" / "mini.json").write_text(json.dumps(document), encoding="utf-8")
    result = run("build", "--no-progress", "--out", "dataset", "annotations", cwd=project)
    assert result.returncode == 0, result.stderr
    card = (project / "dataset" / "README.md").read_text(encoding="utf-8")
    assert "<script>" not in card
    assert "\n# Owned" not in card
    assert "&lt;script&gt;" in card


def test_preannotate_on_a_json_without_an_id_is_refused(tmp_path: Path) -> None:
    document = _mini()
    del document["id"]
    path = tmp_path / "no-id.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = run("preannotate", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert "not an annotation file with an id" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    "label_map", [{"spans": {}, "events": 5}, {"spans": {}, "relations": None}, {"spans": {"Source": ["x"]}}]
)
def test_a_malformed_label_map_is_a_problem(tmp_path: Path, label_map: dict[str, Any]) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "map.json").write_text(json.dumps(label_map), encoding="utf-8")
    result = run("brat", "import", "t", "a", "--label-map", "map.json", "--out", "o", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "brat-label-map" in result.stdout
    assert "internal error" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_fmt_with_nothing_to_change_works_in_a_read_only_folder(project: Path) -> None:
    folder = project / "annotations"
    shutil.copy(CASES / "valid" / "mini.json", folder / "mini.json")
    assert run("fmt", str(folder)).returncode == 0
    folder.chmod(0o555)
    try:
        result = run("fmt", str(folder))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr


def test_fmt_takes_no_lock_when_nothing_changes(project: Path) -> None:
    """Root can write anywhere, so this is how the read-only case is checked as root: no lock file is made."""
    folder = project / "annotations"
    assert run("fmt", str(folder)).returncode == 0
    (folder / ".claimbank.lock").unlink(missing_ok=True)
    assert run("fmt", str(folder)).returncode == 0
    assert not (folder / ".claimbank.lock").exists()


@pytest.mark.parametrize(
    "url",
    ["http://user:s3cr3t-pw@127.0.0.1:9", "http://[::1", "http://127.0.0.1:9/\r\nX-Injected: 1", "ftp://x"],
)
def test_a_bad_server_url_is_a_usage_error_that_never_prints_a_password(project: Path, url: str) -> None:
    env = {**os.environ, "LABEL_STUDIO_API_KEY": "token-never-shown"}
    package = str(Path(claimbank.__file__).resolve().parents[1])
    env["PYTHONPATH"] = package
    result = subprocess.run(
        [sys.executable, "-m", "claimbank", "ls", "push", "annotations", "--url", url],
        cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "s3cr3t" not in result.stdout + result.stderr
    assert "token-never-shown" not in result.stdout + result.stderr
    assert "--url" in result.stderr


def test_show_and_agree_take_seeds(tmp_path: Path) -> None:
    path = tmp_path / "mini.json"
    shutil.copy(MINI, path)
    assert run("agree", str(path)).returncode == 1  # no seeds/ above it: seed-missing
    agreed = run("agree", str(path), "--sets", "gold", "pass-a", "--seeds", str(CASES / "seeds"))
    assert agreed.returncode == 0, agreed.stderr
    shown = run("show", str(path), "--html", str(tmp_path / "v.html"), "--seeds", str(CASES / "seeds"))
    assert shown.returncode == 0, shown.stderr


def test_an_empty_object_reports_each_missing_field_once(tmp_path: Path) -> None:
    """Before the fix ``{}`` printed 36 lines for its 6 problems."""
    path = tmp_path / "empty.json"
    path.write_text("{}", encoding="utf-8")
    problems = validate_file(path, seeds_dir=CASES / "seeds").problems
    assert len(problems) == len(set(problems)) == 6
    assert {p.code for p in problems} == {"schema-required"}


def test_a_link_out_of_the_folder_is_refused_by_brat_export_and_ls_import(
    project: Path, tmp_path: Path
) -> None:
    """``validate`` refused such a link (path-outside-tree) while ``brat export`` and ``ls import`` read it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    document = _mini()
    document["id"] = "other"
    (outside / "other.json").write_text(json.dumps(document), encoding="utf-8")
    (project / "annotations" / "other.json").symlink_to(outside / "other.json")
    exported = run("brat", "export", "annotations", "--out", "brat", cwd=project)
    assert exported.returncode == 1, exported.stderr
    assert "other.json:: path-outside-tree" in exported.stdout
    plan = plan_import(base_export(), "export.json", project / "annotations")
    assert "path-outside-tree" in {p.code for p in plan.report.problems}


def test_ls_import_keeps_a_linked_annotation_file_and_writes_nothing(project: Path) -> None:
    """Before the fix ``ls import`` replaced a link (inside the folder) with a regular file."""
    folder = project / "annotations"
    (folder / "a").mkdir()
    (folder / "mini.json").rename(folder / "a" / "mini.json")
    (folder / "mini.json").symlink_to(folder / "a" / "mini.json")
    export = project / "export.json"
    export.write_text(json.dumps(base_export()), encoding="utf-8")
    before = (folder / "a" / "mini.json").read_bytes()
    result = run("ls", "import", str(export), "--annotations", "annotations", cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "refusing to write over a symbolic link" in result.stderr
    assert (folder / "mini.json").is_symlink()
    assert (folder / "a" / "mini.json").read_bytes() == before


def test_a_nul_in_a_seed_name_or_an_id_is_a_problem(project: Path) -> None:
    document = _mini()
    document["seed"] = "mini\u0000.txt"
    path = project / "annotations" / "mini.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    codes = {p.code for p in validate_file(path).problems}
    assert "schema-pattern" in codes
    assert "internal-error" not in codes
    built = run("build", "--no-progress", "--out", "dataset", "annotations", cwd=project)
    assert built.returncode == 1, built.stderr


def _cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def test_ten_thousand_broken_spans_are_explained_in_linear_time(project: Path) -> None:
    """Each ``{}`` span cost ~2 ms to explain (python-jsonschema built the errors of all six span branches of the
    union, to throw five away): 10,000 took ~12 CPU seconds. Now a span's union checks only the branch its label
    selects, or none when it has no label; the problems are the same (one missing ``label`` each)."""
    data = json.loads((project / "annotations" / "mini.json").read_text(encoding="utf-8"))
    data["annotation_sets"][0]["spans"] = [{} for _ in range(10_000)]
    raw = json.dumps(data).encode()
    validate_bytes(raw[:0] + json.dumps({}).encode(), name="warm.json")  # the schema loaded before the clock
    started = _cpu()
    result = validate_bytes(raw, name="mini.json")
    took = _cpu() - started
    missing = [p for p in result.problems if p.code == "schema-required" and p.pointer.endswith("/label")]
    assert len(missing) == 10_000
    assert missing[0].message == (
        "the required field 'label' is missing ('CLAIM', 'CONTENT', 'CUE', 'ENTITY', 'MODALITY', 'SOURCE')"
    )
    assert took < 4.0, f"{took:.2f} CPU s for 10,000 broken spans"


def test_a_span_with_a_known_label_is_explained_from_its_own_branch() -> None:
    """The faster union reports what the standard one did: a SOURCE span lacking source_type, a CUE with an
    unknown field, a span of an unknown label, a label that is not a string, a span that is not an object."""
    from jsonschema import Draft202012Validator, validators

    from claimbank.format.schema import StrictValidator, load, registry
    from claimbank.validate.schema_check import _relevant

    # The standard oneOf, everything else (patterns, the strict integer) as ClaimBank's.
    standard = validators.extend(StrictValidator, {"oneOf": Draft202012Validator.VALIDATORS["oneOf"]})(  # type: ignore[no-untyped-call]
        load(), registry=registry()
    )
    fast = StrictValidator(load(), registry=registry())

    def seen(validator: Any, document: Any) -> list[tuple[str, str]]:
        return sorted(
            (str(leaf.validator), "/".join(map(str, leaf.absolute_path)))
            for error in validator.iter_errors(document)
            for leaf in _relevant(error)
        )

    spans: list[Any] = [
        {"id": "s", "label": "SOURCE", "start": 0, "end": 1, "text": "x"},
        {"id": "c", "label": "CUE", "start": 0, "end": 1, "text": "x", "cue_type": "verb", "extra": 1},
        {"id": "u", "label": "SPEAKER", "start": 0, "end": 1, "text": "x"},
        {"label": 5},
        [],
    ]
    mini = Path(__file__).parent / "cases" / "valid" / "mini.json"
    for span in spans:
        document = json.loads(mini.read_text(encoding="utf-8"))
        document["annotation_sets"][0]["spans"] = [span]
        found = seen(fast, document)
        assert found, span
        assert found == seen(standard, document), span


def test_show_html_of_ten_thousand_spans_is_linear(project: Path) -> None:
    """Each piece of text looked at every span: 10,000 spans took 33 CPU seconds (52 s wall in the issue). Now a
    sweep; the page is the same as the one-by-one rule gives (checked here on overlapping spans)."""
    import itertools
    import random

    from claimbank.annotate.html import render
    from claimbank.format.model import Document

    data = json.loads((project / "annotations" / "mini.json").read_text(encoding="utf-8"))
    text = " ".join(f"w{i}" for i in range(10_000))
    words, at = [], 0
    for i in range(10_000):
        words.append(
            {"id": f"e{i}", "label": "ENTITY", "start": at, "end": at + len(f"w{i}"), "text": f"w{i}"}
        )
        at += len(f"w{i}") + 1
    first = data["annotation_sets"][0]
    first.update(spans=words, attributions=[], claims=[], adjudicated_from=[])
    data.update(text=text, annotation_sets=[first])
    document = Document.model_validate(data)
    started = _cpu()
    page = render(document, document.annotation_sets[0])
    assert _cpu() - started < 3.0
    assert page.count('<sup class="id">') == 10_000

    # Overlapping and nested spans: every piece's data-ids are the spans that cover it, in the set's order.
    rng = random.Random(7)
    spans = []
    for i in range(300):
        start = rng.randrange(0, 2_000)
        end = min(len(text), start + rng.randrange(1, 200))
        while text[start] == " ":
            start += 1
        while text[end - 1] == " ":
            end -= 1
        if start < end:
            spans.append(
                {"id": f"o{i}", "label": "ENTITY", "start": start, "end": end, "text": text[start:end]}
            )
    first["spans"] = spans
    document = Document.model_validate(data)
    page = render(document, document.annotation_sets[0])
    edges = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    expected = [
        " ".join(s["id"] for s in spans if s["start"] <= a and b <= s["end"])
        for a, b in itertools.pairwise(edges)
    ]
    assert re.findall(r'data-ids="([^"]*)"', page) == [ids for ids in expected if ids]
