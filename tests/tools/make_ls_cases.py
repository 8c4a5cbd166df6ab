"""Regenerate the Label Studio export cases under tests/cases/ls-invalid/ from the valid mini document.

Each case ``tests/cases/ls-invalid/<code>/<name>.json`` is an export (as Label Studio writes it) to be imported
into ``tests/cases/valid/mini.json``; ``<name>.expect`` lists ``CODE POINTER`` for every problem the import must
report (pointers into the export, or into the annotation file for problems of the converted set). Run
``python tests/tools/make_ls_cases.py`` after changing the Label Studio mapping, then read the diff.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claimbank import load_document
from claimbank.format.canonical import canonical
from claimbank.io.labelstudio.convert import to_results
from claimbank.io.labelstudio.imports import plan_import, read_export

CASES = Path(__file__).resolve().parents[1] / "cases"
OUT = CASES / "ls-invalid"


def base_export() -> list[dict[str, Any]]:
    document = canonical(load_document(CASES / "valid" / "mini.json"))
    gold = next(s for s in document["annotation_sets"] if s["id"] == "gold")
    return [
        {
            "id": 7,
            "data": {"text": document["text"], "document_id": "mini", "sha256": document["sha256"]},
            "annotations": [
                {
                    "id": 11,
                    "completed_by": 1,
                    "result": to_results(gold),
                    "was_cancelled": False,
                    "created_at": "2026-11-24T10:00:00Z",
                }
            ],
            "predictions": [],
        }
    ]


def _result(export: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = export[0]["annotations"][0]["result"]
    return result


def _region(export: list[dict[str, Any]], index: int = 0) -> dict[str, Any]:
    return [r for r in _result(export) if r.get("type") == "labels"][index]


def _utf16(export: list[dict[str, Any]]) -> None:
    text = export[0]["data"]["text"]
    for region in _result(export):
        if region["type"] in ("labels", "choices"):
            value = region["value"]
            value["start"] = len(text[: value["start"]].encode("utf-16-le")) // 2
            value["end"] = value["start"] + len(value["text"].encode("utf-16-le")) // 2


def _reverse(export: list[dict[str, Any]]) -> None:
    region = _region(export)
    for item in _result(export):
        if item.get("id") == region["id"] and "start" in item.get("value", {}):
            item["value"]["start"], item["value"]["end"] = item["value"]["end"], item["value"]["start"]


class Replace:
    """What a change returns when it replaces the whole export (any other return value is ignored)."""

    def __init__(self, value: Any) -> None:
        self.value = value


CASES_BY_CODE: dict[str, list[tuple[str, Callable[[list[dict[str, Any]]], Any]]]] = {
    "ls-result-missing": [
        ("not-a-list", lambda e: Replace({"tasks": e})),
        ("annotation-without-result", lambda e: e[0]["annotations"][0].pop("result")),
        ("result-not-a-list", lambda e: e[0]["annotations"][0].update(result="none")),
    ],
    "ls-unknown-document": [("unknown-document", lambda e: e[0]["data"].update(document_id="nope"))],
    "ls-text-mismatch": [
        ("crlf-text", lambda e: e[0]["data"].update(text=e[0]["data"]["text"].replace("\n", "\r\n")))
    ],
    "ls-unknown-from-name": [("unknown-from-name", lambda e: _result(e)[0].update(from_name="sentiment"))],
    "ls-region-without-text": [("region-without-text", lambda e: _region(e)["value"].pop("text"))],
    "ls-relation-missing-region": [
        (
            "dangling-relation",
            lambda e: _result(e).append(
                {
                    "from_id": _region(e)["id"],
                    "to_id": "gone",
                    "type": "relation",
                    "direction": "right",
                    "labels": ["source"],
                }
            ),
        )
    ],
    "span-offsets-utf16": [("utf16-offsets", _utf16)],
    "span-text-mismatch": [("region-text-edited", lambda e: _region(e)["value"].update(text="edited"))],
    "offset-reversed": [("region-reversed", _reverse)],
    "json-syntax": [("truncated-export", lambda e: Replace(json.dumps(e)[:200]))],
}


def main() -> int:
    shutil.rmtree(OUT, ignore_errors=True)
    for code, cases in CASES_BY_CODE.items():
        for name, change in cases:
            export = copy.deepcopy(base_export())
            changed = change(export)
            value = changed.value if isinstance(changed, Replace) else export
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)
            folder = OUT / code
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.json").write_text(text, encoding="utf-8")
            with tempfile.TemporaryDirectory() as tmp:
                project = Path(tmp)
                shutil.copytree(CASES / "seeds", project / "seeds")
                (project / "annotations").mkdir()
                shutil.copy(CASES / "valid" / "mini.json", project / "annotations" / "mini.json")
                tasks, report = read_export(folder / f"{name}.json")
                if tasks is not None:
                    report = plan_import(tasks, "export", project / "annotations").report
            lines = sorted({f"{p.code} {p.pointer}" for p in report.problems})
            if code not in {line.split(" ")[0] for line in lines}:
                print(f"{code}/{name}: does not report {code}: {lines}", file=sys.stderr)
                return 1
            (folder / f"{name}.expect").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
            print(f"{code}/{name}: {lines}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
