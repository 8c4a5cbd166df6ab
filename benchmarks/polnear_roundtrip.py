"""brat → ClaimBank → brat on a PolNeAR split: does every Source, Cue, Content and Attribution line come back?

    python benchmarks/polnear_roundtrip.py /work/polnear/data/train

Imports the split with `claimbank brat import` (the real command: pairing, validation, atomic writes) into a
temporary project, writes each annotation set back with the exporter's converter (`io.brat.convert.to_ann`, what
`claimbank brat export` writes), and compares line by line with the original `.ann` file:

- a ``T`` line of a Source, Cue or Content by its id (the export keeps ``T`` ids): identical, or why not (the
  import's documented normalisations: trimmed of white space, fragments put in text order, overlapping fragments
  joined; or lost);
- an ``E`` line of an attribution event by its id: the same type and the same role → ``T`` arguments (the trigger
  ``T``, which the export writes anew over the cue, compared by its offsets).

With ``--gold`` on the import (a set is gold where an article has one ``.ann`` file), it also checks the dataset's
``attributions`` view: each row's content text against the original Content line's fragments (trimmed, in text
order) joined by ``FRAGMENT_SEPARATOR``. Prints the counts; docs/brat.md records them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from claimbank.cli.main import main
from claimbank.dataset import rows, segment
from claimbank.format.constants import FRAGMENT_SEPARATOR
from claimbank.format.model import Document
from claimbank.io.brat import convert

LABELS = ("Source", "Cue", "Content")
_T = re.compile(r"^(T\d+)\t(\S+) ([^\t]+)\t(.*)$")
_E = re.compile(r"^(E\d+)\t(.*)$")


def _lines(content: str) -> tuple[dict[str, tuple[str, str, str]], dict[str, list[str]]]:
    """T id -> (label, offsets, text); E id -> its arguments."""
    bounds: dict[str, tuple[str, str, str]] = {}
    events: dict[str, list[str]] = {}
    for line in content.split("\n"):
        line = line.removesuffix("\r")
        t = _T.match(line)
        if t:
            bounds[t.group(1)] = (t.group(2), t.group(3), t.group(4))
            continue
        e = _E.match(line)
        if e:
            events[e.group(1)] = e.group(2).split()
    return bounds, events


def _fragments(offsets: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";"))]


def _why(original: tuple[str, str, str], back: tuple[str, str, str] | None, text: str) -> str:
    """Why a T line did not come back identical."""
    if back is None:
        return "lost"
    if original[0] != back[0]:
        return "label changed"
    old, new = _fragments(original[1]), _fragments(back[1])
    if old == new:
        return "text differs (tabs or line breaks written as spaces)"
    if sorted(old) == new:
        return "fragments put in text order"
    pieces = [text[a:b] for a, b in old]
    if any(p.strip() != p for p in pieces) or any(not p.strip() for p in pieces):
        return "trimmed of white space"
    return "overlapping fragments joined"


def main_(split: Path) -> int:
    text_dir, ann_dir = split / "text", split / "attributions"
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        started = time.process_time()
        status = main(
            [
                "brat",
                "import",
                str(text_dir),
                str(ann_dir),
                "--out",
                str(project / "annotations"),
                "--seeds",
                str(project / "seeds"),
                "--no-progress",
                "--skip-invalid",
                "--gold",
            ]
        )
        imported = time.process_time() - started
        exported: dict[str, tuple[str, str]] = {}  # .ann file name -> (exported .ann, document text)
        contents: list[
            tuple[str, str, str]
        ] = []  # (.ann name, content T id, the attributions row's content text)
        for path in sorted((project / "annotations").glob("*.json")):
            document = json.loads(path.read_text(encoding="utf-8"))
            for item in document["annotation_sets"]:
                name = item["imported_from"].removeprefix("brat:")
                exported[name] = (convert.to_ann(item)[0], document["text"])
            model = Document.model_validate(document)
            gold = rows.gold_set(model)
            if gold is not None:
                name = (gold.imported_from or "").removeprefix("brat:")
                by_id = {a.id: a.content for a in gold.attributions}
                for row in rows.attribution_rows(model, gold, segment.sentences(model.text)):
                    contents.append((name, by_id[row["attribution_id"]], row["content"]["text"]))
    lines: Counter[str] = Counter()
    identical: Counter[str] = Counter()
    why: Counter[str] = Counter()
    files_fragmented = files_identical = fragmented_spans = fragmented_identical = 0
    joined_content_ok = 0
    for ann in sorted(ann_dir.glob("*.ann")):
        original_bounds, original_events = _lines(ann.read_text(encoding="utf-8"))
        if ann.name not in exported:
            for line in original_bounds.values():
                if line[0] in LABELS:
                    lines[line[0]] += 1
                    why[f"{line[0]}: file not imported (invalid)"] += 1
            for arguments in original_events.values():
                if arguments[0].partition(":")[0] in convert.POLNEAR.events:
                    lines["Attribution event"] += 1
                    why["Attribution event: file not imported (invalid)"] += 1
            continue
        content, text = exported[ann.name]
        back_bounds, back_events = _lines(content)
        all_same = True
        fragmented = False
        for t_id, line in original_bounds.items():
            if line[0] not in LABELS:
                continue
            lines[line[0]] += 1
            is_fragmented = ";" in line[1]
            fragmented |= is_fragmented
            fragmented_spans += is_fragmented
            back = back_bounds.get(t_id)
            if back == line:
                identical[line[0]] += 1
                fragmented_identical += is_fragmented
                if is_fragmented and line[0] == "Content":
                    joined_content_ok += 1
            else:
                all_same = False
                why[f"{line[0]}: {_why(line, back, text)}"] += 1
        for e_id, arguments in original_events.items():
            kind, _, trigger = arguments[0].partition(":")
            if kind not in convert.POLNEAR.events:
                continue
            lines["Attribution event"] += 1
            back_event = back_events.get(e_id)
            roles = sorted(arguments[1:])
            if back_event is None:
                why["Attribution event: lost"] += 1
                all_same = False
                continue
            back_kind, _, back_trigger = back_event[0].partition(":")
            same_roles = sorted(back_event[1:]) == roles
            old_trigger, new_trigger = original_bounds.get(trigger), back_bounds.get(back_trigger)
            same_trigger = (
                old_trigger is not None and new_trigger is not None and old_trigger[1:] == new_trigger[1:]
            )
            if back_kind == kind and same_roles and same_trigger:
                identical["Attribution event"] += 1
            else:
                all_same = False
                reason = "type" if back_kind != kind else "arguments" if not same_roles else "trigger offsets"
                why[f"Attribution event: {reason} differ"] += 1
        files_fragmented += fragmented
        files_identical += all_same
    joined = {"rows": 0, "equal": 0, "fragmented": 0, "chars": 0, "first_chars": 0}
    originals = {ann.name: _lines(ann.read_text(encoding="utf-8"))[0] for ann in ann_dir.glob("*.ann")}
    for name, t_id, shown in contents:
        _, offsets, _ = originals[name][t_id]
        text = exported[name][1]
        pieces = sorted(_fragments(offsets))
        expected = FRAGMENT_SEPARATOR.join(text[a:b].strip() for a, b in pieces if text[a:b].strip())
        joined["rows"] += 1
        joined["equal"] += shown == expected
        if len(pieces) > 1:
            joined["fragmented"] += 1
            joined["chars"] += sum(len(text[a:b].strip()) for a, b in pieces)
            joined["first_chars"] += len(text[_fragments(offsets)[0][0] : _fragments(offsets)[0][1]].strip())
    total = sum(lines.values())
    print(f"split: {split}  ({len(list(ann_dir.glob('*.ann')))} .ann files; import exit status {status})")
    print(f"import CPU time: {imported:.1f} s")
    print(f"files with a discontinuous Source/Cue/Content: {files_fragmented}")
    print(f"discontinuous spans: {fragmented_spans}, identical after the round trip: {fragmented_identical}")
    print(f"files whose every Source/Cue/Content/Attribution line came back identical: {files_identical}")
    for name, count in lines.items():
        print(f"{name:>18}: {count:6} lines, {identical[name]:6} identical")
    print(f"{'all':>18}: {total:6} lines, {sum(identical.values()):6} identical")
    for reason, count in why.most_common():
        print(f"  not identical: {reason}: {count}")
    print(
        f"attributions view (gold sets): {joined['rows']} rows, content text equal to the joined fragments in "
        f"{joined['equal']}; {joined['fragmented']} contents in fragments hold {joined['chars']} characters "
        f"(their first fragment alone: {joined['first_chars']}, what 1.x kept)"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("split", type=Path, help="a PolNeAR split folder (text/, attributions/)")
    sys.exit(main_(parser.parse_args().split))
