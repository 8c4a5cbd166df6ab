"""How the cases issue 16 measured as quadratic grow now: time at N and at 4N, and the ratio (4 is linear, 16 quadratic).

    python benchmarks/bench_growth.py [--n 1000]

- `--format github` line lookup for N problems in one file (each problem's JSON Pointer found in the text);
- span matching (what `evaluate` and `agree` do) of two sets of N overlapping spans, exact and by overlap;
- explaining a file of N broken spans (`{}`: each lacks its label), the full path of validation;
- `show --html` of an article with N spans.

Times are CPU seconds of this process (``time.process_time``).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from claimbank.annotate.agreement import match_spans
from claimbank.annotate.html import render
from claimbank.format.model import AnnotationSet, Document
from claimbank.validate.core import validate_bytes
from claimbank.validate.github import format_github
from claimbank.validate.problems import Problem, Report


def _github(n: int) -> Callable[[], object]:
    text = json.dumps({"spans": [{"id": f"s{i}", "text": "x"} for i in range(n)]}, indent=2)
    report = Report()
    report.extend("f.json", [Problem("offset-empty", "f.json", f"/spans/{i}/text", "m") for i in range(n)])
    return lambda: format_github(report, lambda _: text)


def _spans(n: int, seed: int) -> AnnotationSet:
    rng = random.Random(seed)
    spans = []
    for i in range(n):
        start = rng.randrange(0, 20 * n)
        end = start + rng.randrange(1, 40)
        spans.append(
            {"id": f"x{i}", "label": "CONTENT", "start": start, "end": end, "text": "x" * (end - start)}
        )
    return AnnotationSet.model_validate(
        {
            "id": f"s{seed}",
            "annotator": "b",
            "origin": "manual",
            "created_at": "2026-01-01T00:00:00Z",
            "spans": spans,
        }
    )


def _matching(n: int, exact: bool) -> Callable[[], object]:
    left, right = _spans(n, 1), _spans(n, 2)
    return lambda: match_spans(left, right, exact=exact)


MINI = Path(__file__).resolve().parents[1] / "tests" / "cases" / "valid" / "mini.json"


def _broken(n: int) -> Callable[[], object]:
    data = json.loads(MINI.read_text(encoding="utf-8"))
    data["annotation_sets"][0]["spans"] = [{} for _ in range(n)]
    raw = json.dumps(data).encode()
    return lambda: validate_bytes(raw, name="mini.json")


def _html(n: int) -> Callable[[], object]:
    data = json.loads(MINI.read_text(encoding="utf-8"))
    words = [f"w{i}" for i in range(n)]
    spans, at = [], 0
    for i, word in enumerate(words):
        spans.append({"id": f"e{i}", "label": "ENTITY", "start": at, "end": at + len(word), "text": word})
        at += len(word) + 1
    first = data["annotation_sets"][0]
    first.update(spans=spans, attributions=[], claims=[], adjudicated_from=[])
    data.update(text=" ".join(words), annotation_sets=[first])
    document = Document.model_validate(data)
    return lambda: render(document, document.annotation_sets[0])


def _time(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="the smaller size (default 1000)")
    args = parser.parse_args()
    cases: dict[str, Callable[[int], Callable[[], object]]] = {
        "validate --format github, N problems": _github,
        "span matching, exact, N spans a side": lambda n: _matching(n, True),
        "span matching, overlap, N spans a side": lambda n: _matching(n, False),
        "explain N broken spans ({})": _broken,
        "show --html, N spans": _html,
    }
    _broken(1)()  # the schema and its validator loaded before any clock starts
    print(f"{'case':42} {'N=' + str(args.n):>10} {'N=' + str(4 * args.n):>10} {'ratio':>6}")
    for name, make in cases.items():
        small, large = _time(make(args.n)), _time(make(4 * args.n))
        print(f"{name:42} {small:9.3f}s {large:9.3f}s {large / small:6.1f}")


if __name__ == "__main__":
    main()
