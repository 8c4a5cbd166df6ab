"""The command line, run as users run it: exit codes, output formats, and no traceback for any input."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from claimbank.cli import main
from claimbank.cli.main import _COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).parent / "cases"
INVALID = sorted((CASES / "invalid").glob("*/*.json"))


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimbank", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_valid_files_exit_0_with_a_summary() -> None:
    result = run("validate", str(CASES / "valid"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    count = len(list((CASES / "valid").glob("*.json")))
    assert count >= 2
    assert f"{count} file(s) checked, 0 invalid, 0 problem(s)" in result.stderr


# Modules a one-process run on valid files never needs: the full validator's (pydantic, the schema validators),
# the worker pool's (only --jobs N > 1), and the other commands' modules (only their own runs and --help).
_HEAVY = ("pydantic", "jsonschema", "jsonschema_rs", "multiprocessing", "concurrent.futures")
_HEAVY += ("claimbank.io.labelstudio.command", "claimbank.spark.command", "claimbank.cli.train")
# ... nor the checks beyond the schema (the fast path asks its own yes/no questions; the checks explain problems),
# the format registry and the vocabulary's enums (only --help and other commands).
_HEAVY += ("claimbank.validate.checks", "claimbank.io.registry", "claimbank.format.vocab", "unicodedata")
_LOADED = (
    "import sys; from claimbank.cli.main import main; code = main(['validate', *sys.argv[1:]]); "
    f"print('LOADED', code, *sorted(m for m in {_HEAVY!r} if m in sys.modules))"
)


def test_valid_files_are_validated_without_loading_pydantic_or_jsonschema() -> None:
    """What a pre-commit run on valid files loads: the fast path only (0.16 s for the gold here; 0.28 s when
    importing claimbank loaded the models and the schema validators up front; the worker pool and the other
    commands' parsers were a fifth of the rest)."""

    def loaded(*paths: Path) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", _LOADED, *map(str, paths)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return next(line.split()[1:] for line in result.stdout.splitlines() if line.startswith("LOADED "))

    assert loaded(ROOT / "annotations") == ["0"]
    assert loaded(sorted((ROOT / "annotations").glob("*.json"))[0]) == ["0"]  # one file: a pre-commit run
    # An invalid file goes through the full validator, which needs them: the check above can see them.
    needed = {
        "jsonschema",
        "jsonschema_rs",
        "pydantic",
        "claimbank.validate.checks",
        "claimbank.format.vocab",
    }
    assert set(loaded(INVALID[0])) == {"1", "unicodedata", *needed}


def test_the_command_exits_with_mains_status_after_freezing_the_collector() -> None:
    """``claimbank`` and ``python -m claimbank`` run ``entry``: main's status, exit handlers run, and the objects
    made so far frozen (``gc.freeze``), which spares the interpreter's teardown collecting them again."""
    code = (
        "import atexit, gc, sys; from claimbank.cli import entry; "
        "atexit.register(lambda: print('AT EXIT', gc.get_freeze_count() > 0)); sys.argv[0] = 'claimbank'; entry()"
    )
    for path, status in ((CASES / "valid" / "mini.json", 0), (INVALID[0], 1)):
        result = subprocess.run(
            [sys.executable, "-c", code, "validate", str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == status, result.stderr
        assert result.stdout.splitlines()[-1] == "AT EXIT True"
    assert (
        run("validate", str(CASES / "valid" / "mini.json")).returncode == 0
    )  # python -m claimbank: the same


def _help(parser: Any, *args: str) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), pytest.raises(SystemExit):
        parser.parse_args([*args, "--help"])
    return buffer.getvalue()


def test_a_command_built_alone_parses_and_helps_as_in_the_whole_parser() -> None:
    """main() builds only the parser of the command it runs (when it is one of cli.main's own): that parser must
    read the command line exactly as the whole one does."""
    whole = build_parser()
    assert "spark" in _help(whole)
    own = [name for name, _ in _COMMANDS if name is not None]
    assert own[:2] == ["validate", "schema"]
    for name in own:
        alone = build_parser(name)
        assert _help(alone, name) == _help(whole, name), name
        assert "spark" not in _help(alone)  # it really was built alone
    line = ["validate", "--jobs", "2", "--format", "json", "-q", "a.json"]
    assert vars(build_parser("validate").parse_args(line)) == vars(whole.parse_args(line))
    assert _help(build_parser("spark")) == _help(whole)  # not one of its own: the whole parser


def test_default_path_is_annotations(tmp_path: Path) -> None:
    (tmp_path / "annotations").mkdir()
    (tmp_path / "seeds").mkdir()
    shutil.copy(CASES / "valid" / "mini.json", tmp_path / "annotations" / "mini.json")
    shutil.copy(CASES / "seeds" / "mini.txt", tmp_path / "seeds" / "mini.txt")
    result = run("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_problems_are_one_line_each_grouped_by_file_and_exit_1() -> None:
    files = [CASES / "invalid" / "offset-reversed" / "start-after-end.json", CASES / "valid" / "mini.json"]
    files.append(CASES / "invalid" / "reference-missing" / "dangling-cue.json")
    result = run("validate", *map(str, files))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{files[0]}:/annotation_sets/0/spans/0/start: offset-reversed ")
    assert lines[1].startswith(f"{files[2]}:/annotation_sets/0/attributions/0/cue: reference-missing ")
    assert all("(hint: " in line for line in lines)
    assert "3 file(s) checked, 2 invalid, 2 problem(s)" in result.stderr


def test_json_format_is_data() -> None:
    case = CASES / "invalid" / "span-offsets-utf16" / "utf16-offsets.json"
    result = run("validate", "--format", "json", str(case), str(CASES / "valid" / "mini.json"))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    first, second = report["files"]
    assert first["valid"] is False
    assert second["valid"] is True
    (problem,) = first["problems"]
    assert problem["code"] == "span-offsets-utf16"
    assert problem["pointer"] == "/annotation_sets/0/spans/5/text"
    assert problem["file"] == str(case)
    assert problem["hint"]


def test_json_syntax_reports_line_and_column() -> None:
    result = run("validate", str(CASES / "invalid" / "json-syntax" / "trailing-comma.json"))
    assert result.returncode == 1
    assert "json-syntax" in result.stdout
    assert "at line 2, column 1" in result.stdout


def test_jobs_0_means_one_worker_per_cpu() -> None:
    from claimbank.cli.main import _jobs

    assert _jobs("0") == len(os.sched_getaffinity(0))
    assert _jobs("3") == 3
    result = run("validate", "--jobs", "0", "annotations")
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_path_exits_2() -> None:
    result = run("validate", "no/such/file.json")
    assert result.returncode == 2
    assert "no/such/file.json:: file-unreadable" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "--format", "yaml"),
        ("validate", "--max-bytes", "0"),
        ("validate", "--jobs", "-1"),
        ("validate", "--jobs", "two"),
        ("frobnicate",),
        (),
    ],
    ids=["bad-format", "bad-max-bytes", "negative-jobs", "word-jobs", "unknown-command", "no-command"],
)
def test_usage_errors_exit_2_without_traceback(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_help_explains_codes_and_exit_status() -> None:
    result = run("validate", "--help")
    assert result.returncode == 0
    assert "exit status" in result.stdout
    assert "JSON-POINTER" in result.stdout


def test_console_script_is_installed() -> None:
    exe = shutil.which("claimbank")
    assert exe is not None, "pip install -e . installs the claimbank command"
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("claimbank ")
    # --version names what validation runs on, from the installed distributions.
    assert "pure Python" in result.stdout
    assert "fast path msgspec " in result.stdout
    assert "missing" not in result.stdout


def test_no_input_produces_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    # In-process over every invalid case (fast), plus a directory of all of them at once.
    for case in INVALID:
        code = main(["validate", str(case)])
        captured = capsys.readouterr()
        assert code == 1, case
        assert "Traceback" not in captured.out + captured.err
        assert "internal error" not in captured.err
    assert main(["validate", str(CASES / "invalid")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_schema_check_passes_on_the_checkout() -> None:
    assert run("schema", "--check").returncode == 0


def test_docs_are_generated_from_the_vocabulary_and_codes() -> None:
    result = run("docs", "--check")
    assert result.returncode == 0, result.stderr
