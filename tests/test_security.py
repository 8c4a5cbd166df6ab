"""Security: nothing executes input, generated XML escapes what it quotes, and paths from input stay in their folder.

(Also tested elsewhere: remote ``$ref``s are never fetched, counted by a local HTTP server, in ``test_schema.py``;
the Label Studio token never appears in any output, in ``test_labelstudio_live.py``.)
"""

from __future__ import annotations

import ast
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from claimbank.cli import main
from claimbank.format.vocab import SpanLabel
from claimbank.io.labelstudio.convert import labeling_config

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).parent / "cases"
SOURCES = sorted(
    [
        *(ROOT / "loaders").rglob("*.py"),
        *(ROOT / "benchmarks").rglob("*.py"),
        *(ROOT / "scripts").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
    ]
)
FORBIDDEN_CALLS = {"eval", "exec", "__import__"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib"}


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in FORBIDDEN_CALLS:
                found.append(f"{path}:{node.lineno}: calls {name}")
            if name == "load" and ast.unparse(node.func).startswith("yaml."):
                found.append(f"{path}:{node.lineno}: yaml.load (use yaml.safe_load)")
            for keyword in node.keywords:
                if keyword.arg == "trust_remote_code":
                    found.append(f"{path}:{node.lineno}: trust_remote_code")
                if keyword.arg == "shell" and ast.unparse(keyword.value) != "False":
                    found.append(f"{path}:{node.lineno}: a shell command")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{path}:{node.lineno}: imports {name}")
    return found


def test_no_code_executes_or_unpickles_input() -> None:
    assert len(SOURCES) > 40
    assert [problem for path in SOURCES for problem in _problems(path)] == []


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nimport yaml\neval('1')\nyaml.load('a')\n"
        "load_dataset('x', trust_remote_code=True)\nrun('ls', shell=True)\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in _problems(bad)] == [
        "imports pickle",
        "calls eval",
        "yaml.load (use yaml.safe_load)",
        "trust_remote_code",
        "a shell command",
    ]


def test_label_text_with_markup_characters_is_escaped_in_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = 'a <Label value="x"/> & "quoted" \'too\' </View>'
    monkeypatch.setattr(SpanLabel.SOURCE, "description", hostile)
    config = labeling_config()
    assert '<Label value="x"/>' not in config
    root = ET.fromstring(config)
    hints = {label.get("value"): label.get("hint") for label in root.iter("Label")}
    assert hints["SOURCE"] == hostile
    assert [label.get("value") for label in root.iter("Label")] == [label.value for label in SpanLabel]


@pytest.mark.parametrize("bad_id", ["../escape", "..", "a/../../escape", "/tmp/escape", "sub\\escape"])
def test_ids_from_input_never_become_paths_outside_the_output(tmp_path: Path, bad_id: str) -> None:
    """preannotate names its output after the document id it reads: a hostile id is refused, nothing written."""
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    data = json.loads((CASES / "valid" / "mini.json").read_text(encoding="utf-8"))
    data["id"] = bad_id
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "doc.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "deep" / "out"
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert main(["preannotate", str(source), "--out", str(out)]) == 1
    after = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.name != ".claimbank.lock")
    assert after == before
    assert not Path("/tmp/escape").exists()
    assert not Path("/tmp/escape.json").exists()


def test_an_export_naming_a_path_as_its_document_writes_nothing(tmp_path: Path) -> None:
    shutil.copytree(CASES / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    shutil.copy(CASES / "valid" / "mini.json", tmp_path / "annotations" / "mini.json")
    text = json.loads((CASES / "valid" / "mini.json").read_text(encoding="utf-8"))["text"]
    export = [{"id": 1, "data": {"text": text, "document_id": "../../escape"}, "annotations": []}]
    (tmp_path / "export.json").write_text(json.dumps(export), encoding="utf-8")
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    status = main(
        ["ls", "import", str(tmp_path / "export.json"), "--annotations", str(tmp_path / "annotations")]
    )
    assert status == 1
    after = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.name != ".claimbank.lock")
    assert after == before
