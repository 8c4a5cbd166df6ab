"""The whole type-confusion family through every entry point, with counts (the CI tests run a ninth of it).

    python tests/tools/confusion_run.py

Every value of tests/cases/valid/mini.json, and of a Label Studio export of it, replaced in turn by each of
[], {}, 5, ["x"], {"a": 1}, null, true, "s", 1.5; every field of every line of a brat .ann file by each of those
written as text, by nothing, a 5,000-digit number, a NUL and -1. Each mutant goes through the validator (fast
path, then the full path), the typed model for those it passes, the Label Studio import (converter and
validation), and the brat parser and converter. Prints how many mutants each saw, how many were refused with
problems, and how many raised (the exit status is 1 if any did).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from tests.confusion import VALUES, family
from tests.test_brat import ANN_A, TEXT
from tests.test_brat_robust import _header
from tests.tools.make_ls_cases import base_export

from claimbank.format.model import Document
from claimbank.io.brat import convert as brat
from claimbank.io.labelstudio.imports import plan_import
from claimbank.validate.core import validate_bytes
from claimbank.validate.problems import ProblemSink

CASES = Path(__file__).resolve().parents[1] / "cases"


def main() -> int:
    counts: Counter[str] = Counter()
    crashes: list[str] = []
    mini = json.loads((CASES / "valid" / "mini.json").read_text(encoding="utf-8"))
    for name, mutant in family(mini):
        counts["validator mutants"] += 1
        try:
            result = validate_bytes(json.dumps(mutant).encode(), name="m", seeds_dir=CASES / "seeds")
            if result.problems:
                counts["validator refused"] += 1
            else:
                Document.model_validate(result.data)
                counts["validator accepted"] += 1
        except Exception as error:
            crashes.append(f"validator {name}: {error!r}")
    with tempfile.TemporaryDirectory() as tmp:
        annotations = Path(tmp) / "annotations"
        shutil.copytree(CASES / "seeds", Path(tmp) / "seeds")
        annotations.mkdir()
        shutil.copy(CASES / "valid" / "mini.json", annotations / "mini.json")
        for name, mutant in family(base_export()):
            counts["export mutants"] += 1
            try:
                plan = plan_import(
                    mutant if isinstance(mutant, list) else [mutant], "export.json", annotations
                )
                counts["export refused" if plan.report.problems else "export accepted"] += 1
                if any(p.code == "internal-error" for p in plan.report.problems):
                    crashes.append(f"ls import {name}: {plan.report.problems[-1].message}")
            except Exception as error:
                crashes.append(f"ls import {name}: {error!r}")
    lines = ANN_A.splitlines()
    texts: list[Any] = [*map(json.dumps, VALUES), "", "9" * 5000, "\0", "-1"]
    for number, line in enumerate(lines):
        fields = line.split("\t")
        for position, field in enumerate(fields):
            words = field.split(" ")
            for word in range(len(words)):
                for value in texts:
                    changed = [*words[:word], value, *words[word + 1 :]]
                    row = "\t".join([*fields[:position], " ".join(changed), *fields[position + 1 :]])
                    content = "\n".join([*lines[:number], row, *lines[number + 1 :]]) + "\n"
                    counts["brat mutants"] += 1
                    sink = ProblemSink("x.ann")
                    try:
                        parsed = brat.parse_ann(content, TEXT, sink)
                        brat.to_annotation_set(parsed, _header(), brat.POLNEAR, sink)
                        counts["brat refused" if sink.problems else "brat accepted"] += 1
                    except Exception as error:
                        crashes.append(f"brat line {number + 1}: {error!r}")
    for key, value in sorted(counts.items()):
        print(f"{key}: {value}")
    print(f"crashes: {len(crashes)}")
    for crash in crashes[:20]:
        print(f"  {crash}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
