"""`claimbank validate --format github`: workflow commands at the line each problem's pointer names."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from claimbank.validate.github import command, line_of
from claimbank.validate.problems import Problem

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases" / "invalid"

TEXT = """{
  "a": {"x": 1,
        "we\\"ird/key~": [10,
                          "s\\"tr]ing}",
                          {"deep": null}]},
  "b": []
}
"""


def test_a_pointer_leads_to_the_line_of_its_value() -> None:
    assert line_of(TEXT, "") == 1
    assert line_of(TEXT, "/a") == 2
    assert line_of(TEXT, "/a/x") == 2
    assert line_of(TEXT, '/a/we"ird~1key~0') == 3  # ~1 is "/", ~0 is "~"; the key has an escaped quote
    assert line_of(TEXT, '/a/we"ird~1key~0/1') == 4
    assert line_of(TEXT, '/a/we"ird~1key~0/2/deep') == 5  # after a string holding ] and }
    assert line_of(TEXT, "/b") == 6


def test_a_pointer_to_something_missing_leads_to_its_deepest_ancestor() -> None:
    assert line_of(TEXT, "/a/nope") == 2
    assert line_of(TEXT, '/a/we"ird~1key~0/7') == 3
    assert line_of(TEXT, '/a/we"ird~1key~0/01') == 3  # not an array index
    assert line_of(TEXT, "/b/0") == 6
    assert line_of(TEXT, "/a/x/y") == 2


def test_a_deeply_nested_sibling_is_skipped_without_recursion() -> None:
    deep = "[" * 100_000 + '"]}"' + "]" * 100_000
    assert line_of('{"a": ' + deep + ',\n "b": 1}', "/b") == 2


def test_text_that_is_not_json_gives_no_line() -> None:
    assert line_of('{"a": {"b": "unterminated', "/a/c") is None
    assert line_of("", "/a") is None
    assert line_of('{"a" 1}', "/b") is None


def _leaves(draw: Any) -> Any:
    counter = iter(range(10**6))
    leaf = st.builds(lambda: f"m{next(counter)}")
    return draw(
        st.recursive(
            leaf,
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(st.text(alphabet='ab"\\/~ é', max_size=5), children, max_size=4)
            ),
            max_leaves=25,
        )
    )


def _pointers(value: Any, pointer: str = "") -> Any:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pointers(item, f"{pointer}/{index}")
    else:
        for key, item in value.items():
            token = key.replace("~", "~0").replace("/", "~1")
            yield from _pointers(item, f"{pointer}/{token}")


@settings(max_examples=300, deadline=None)
@given(data=st.data(), indent=st.sampled_from([1, 2, None]))
def test_every_leaf_is_found_on_its_own_line(data: st.DataObject, indent: int | None) -> None:
    document = data.draw(st.composite(_leaves)())
    text = json.dumps(document, indent=indent, ensure_ascii=data.draw(st.booleans()))
    lines = text.split("\n")
    for pointer, marker in _pointers(document):
        expected = next(number for number, line in enumerate(lines, 1) if f'"{marker}"' in line)
        assert line_of(text, pointer) == expected, (pointer, text)


def test_commands_escape_what_github_reads_as_syntax() -> None:
    problem = Problem("schema-type", "a:b,c.json", "/x", "50% off\nnext line", hint="a hint")
    assert command(problem, 3) == (
        "::error file=a%3Ab%2Cc.json,line=3,title=schema-type::/x: 50%25 off%0Anext line (hint: a hint)"
    )
    syntax = Problem("json-syntax", "f.json", "", "Expecting value", line=2, column=5)
    assert command(syntax, None).startswith("::error file=f.json,line=2,col=5,title=json-syntax::")


def test_validate_prints_annotations_at_the_problems_lines() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "claimbank",
            "validate",
            "--format",
            "github",
            str(CASES / "span-text-mismatch"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    commands = result.stdout.splitlines()
    cases = sorted((CASES / "span-text-mismatch").glob("*.json"))
    assert len(cases) >= 2
    assert len(commands) == len(cases)  # one problem each
    for line in commands:
        found = re.match(r"::error file=([^,]+),line=(\d+),title=span-text-mismatch::(/\S+): ", line)
        assert found, line
        file, number, pointer = found.groups()
        text_line = Path(file).read_text(encoding="utf-8").splitlines()[int(number) - 1]
        assert f'"{pointer.rsplit("/", 1)[1]}"' in text_line  # the line of the span's "text"
    assert f"{len(cases)} file(s) checked, {len(cases)} invalid" in result.stderr
