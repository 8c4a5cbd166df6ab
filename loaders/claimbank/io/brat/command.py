"""`claimbank brat import` and `claimbank brat export`: the file side of :mod:`claimbank.io.brat.convert`."""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from claimbank.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from claimbank.format.vocab import Split

T = TypeVar("T")

IMPORT_EPILOG = """\
Pairs each ANN_DIR/<article>.ann or ANN_DIR/<article>_<annotator>.ann (PolNeAR's naming) with
TEXT_DIR/<article>.txt. Each .ann file becomes its own annotation set (id brat-<annotator>, or brat for
<article>.ann; origin imported) on the article's document; the text is copied into --seeds as <document id>.txt (never over a different text). The
documents are validated like `claimbank validate` and written only if every one is valid; problems are listed one
per line with file, /lines/<n> and a stable code. Existing annotation files keep their other sets.

label map (--label-map FILE, JSON; the default is PolNeAR's, printed by `claimbank brat label-map`):
  spans       brat label -> SOURCE, CUE, CONTENT, CLAIM, ENTITY, MODALITY, or "drop" (left out, counted)
  events      brat event type -> "attribution" or "non_attribution"
  attributes  brat attribute -> source_type, cue_type or modality_type
  relations   brat relation -> refers_to

examples:
  claimbank brat import PolNeAR/data/train/text PolNeAR/data/train/attributions --out annotations/ --split train
  claimbank brat import texts/ anns/ --label-map my-labels.json --out imported/ --seeds imported-seeds/
"""

EXPORT_EPILOG = """\
Writes, for every document, <id>.txt and one .ann per annotation set, and annotation.conf: with --set ID only that
set, as <id>.ann (what brat shows beside <id>.txt); otherwise every set as <id>_<set>.ann (PolNeAR's naming).
Claims become attributes (claimer, factuality) and relations (claimed_in, modality) of their Claim span, nesting
a nested_in relation between CONTENT spans; what brat cannot hold the same way is left out with a notice.

examples:
  claimbank brat export annotations/ --out brat/ --set gold
  claimbank brat export annotations/ --out brat-all/
"""


def add_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register ``brat`` and its commands on the ``claimbank`` parser."""
    brat = commands.add_parser(
        "brat",
        help="brat standoff (PolNeAR): import .txt + .ann into annotation files, export them back",
        description="brat standoff support (docs/brat.md).",
    )
    sub = brat.add_subparsers(
        dest="brat_command", metavar="COMMAND", parser_class=parser_class, required=True
    )
    imported = sub.add_parser(
        "import",
        help="brat .txt + .ann files -> annotation files",
        description="Import brat standoff annotations (one annotation set per .ann file).",
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imported.add_argument("text_dir", type=Path, metavar="TEXT_DIR", help="the articles' .txt files")
    imported.add_argument("ann_dir", type=Path, metavar="ANN_DIR", help="the .ann files")
    imported.add_argument("--out", type=Path, default=Path("annotations"), help="default: annotations/")
    imported.add_argument(
        "--seeds", type=Path, default=Path("seeds"), help="where texts go (default: seeds/)"
    )
    imported.add_argument(
        "--label-map", type=Path, metavar="FILE", help="a JSON label map (default: PolNeAR's)"
    )
    imported.add_argument("--language", default="en", help="BCP 47 language of the texts (default: en)")
    imported.add_argument(
        "--gold",
        action="store_true",
        help="mark the set gold where an article has exactly one .ann file (take the corpus's annotation as "
        "its gold; the dataset's claims, attributions and tokens configs are made from gold sets)",
    )
    imported.add_argument(
        "--split",
        choices=[member.value for member in Split],
        help="the corpus split these articles belong to (e.g. PolNeAR's data/test/: --split test); stored in "
        "each document and kept by claimbank build",
    )
    imported.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write the documents without problems even if others have some (exit status 1 all the same)",
    )
    imported.add_argument("--no-progress", action="store_true", help="no progress bar")
    imported.set_defaults(run=run_import)
    exported = sub.add_parser(
        "export",
        help="annotation files -> brat .txt + .ann + annotation.conf",
        description="Export annotation sets as brat standoff files.",
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exported.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="default: annotations/")
    exported.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder to write")
    exported.add_argument("--set", metavar="ID", help="export only this set ('gold' for the gold set)")
    exported.add_argument(
        "--seeds",
        type=Path,
        metavar="DIR",
        help="the seed texts (default: the nearest seeds/ above each file)",
    )
    exported.set_defaults(run=run_export)
    label_map = sub.add_parser("label-map", help="print the default (PolNeAR) label map as JSON")
    label_map.set_defaults(run=run_label_map)


@dataclass
class Summary:
    documents: int = 0
    gold: int = 0
    sets: int = 0
    spans: int = 0
    attributions: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)

    def format(self) -> str:
        parts = [
            f"{self.documents} document(s)",
            f"{self.sets} annotation set(s) ({self.gold} gold)",
            f"{self.spans} span(s)",
            f"{self.attributions} attribution(s)",
        ]
        if self.dropped:
            parts.append("dropped " + ", ".join(f"{k} {v}" for k, v in sorted(self.dropped.items())))
        if self.notices:
            parts.append("notices " + ", ".join(f"{k} {v}" for k, v in sorted(self.notices.items())))
        return "; ".join(parts)


def _progress(items: Iterable[T], what: str, total: int, disable: bool) -> Iterable[T]:
    from tqdm import tqdm

    bar: Iterable[T] = tqdm(items, desc=what, unit="file", total=total, delay=1.0, disable=disable or None)
    return bar


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def document_id(article: str) -> str:
    """A document id (and file stem) for an article name: unsafe characters become '-', at most 128."""
    made = _UNSAFE.sub("-", article)[:128]
    return made if made[:1].isalnum() else f"d{made}"[:128]


def pair_files(text_dir: Path, ann_dir: Path) -> tuple[dict[str, list[tuple[str, Path]]], list[Path]]:
    """article -> [(annotator, .ann path)], and the .ann files that have no text. ``<a>.ann`` has the annotator
    ``""`` (its set is ``brat``: :func:`set_id`)."""
    texts = {p.stem for p in text_dir.glob("*.txt")}
    pairs: dict[str, list[tuple[str, Path]]] = {}
    orphans: list[Path] = []
    for ann in sorted(ann_dir.glob("*.ann")):
        if ann.stem in texts:
            pairs.setdefault(ann.stem, []).append(("", ann))
            continue
        article, _, annotator = ann.stem.rpartition("_")
        if article in texts and annotator:
            pairs.setdefault(article, []).append((annotator, ann))
        else:
            orphans.append(ann)
    return pairs, orphans


def set_id(annotator: str) -> str:
    """The id of the set an ``.ann`` file becomes: ``brat-<annotator>``, or ``brat`` for ``<article>.ann``.

    :func:`ann_name` is its inverse, so an exported set comes back under its own id (``<a>.ann`` became
    ``brat-brat`` before, and grew a prefix on every round trip)."""
    return f"brat-{annotator}" if annotator else "brat"


def run_import(args: argparse.Namespace) -> int:
    from claimbank.util.jsonio import folder_lock

    for folder in (args.text_dir, args.ann_dir):
        if not folder.is_dir():
            print(f"claimbank brat import: error: {folder} is not a folder", file=sys.stderr)
            return EXIT_USAGE
    # The lock from before the first read of an existing annotation file to the last write: another command
    # (ls import, preannotate) adding sets in between would otherwise lose them. A folder that is not there yet
    # has no files to read; it is made (and locked) only when there is something to write.
    if args.out.is_dir():
        with folder_lock(args.out):
            return _import_locked(args, locked=True)
    return _import_locked(args, locked=False)


def _import_locked(args: argparse.Namespace, *, locked: bool) -> int:
    from claimbank.format.canonical import canonical
    from claimbank.io.brat import convert as brat
    from claimbank.util.jsonio import Unreadable, dumps, folder_lock, read_json, read_limited, write_atomic
    from claimbank.validate.core import check_data, load_document
    from claimbank.validate.problems import ProblemSink, Report

    report = Report()
    label_map = brat.POLNEAR
    if args.label_map is not None:
        sink = ProblemSink(str(args.label_map))
        value = read_json(args.label_map, sink).value
        made = brat.LabelMap.from_json(value, sink) if not sink.problems else None
        if made is None:
            report.extend(str(args.label_map), sink.problems)
            sys.stdout.write(report.format_text())
            return report.exit_code
        label_map = made
    pairs, orphans = pair_files(args.text_dir, args.ann_dir)
    if not pairs and not orphans:
        # Nothing to import is a wrong folder, not a success (it exited 0, "imported 0 document(s)").
        print(f"claimbank brat import: error: no .ann files in {args.ann_dir}", file=sys.stderr)
        return EXIT_USAGE
    for orphan in orphans:
        sink = ProblemSink(str(orphan))
        sink.add("brat-missing-text", "", f"no {args.text_dir}/<article>.txt for {orphan.name}")
        report.extend(str(orphan), sink.problems)
    summary = Summary()
    documents: dict[Path, dict[str, Any]] = {}
    sources: dict[Path, set[str]] = {}  # a document -> the files its problems may name
    origins: dict[Path, dict[str, tuple[Path, Any]]] = {}  # a document -> set id -> (.ann, parsed .ann)
    text_of: dict[Path, Path] = {}  # a document -> its .txt
    seeds: dict[Path, str] = {}
    ids: dict[str, str] = {}
    total = sum(len(v) for v in pairs.values())
    files = ((article, annotator, ann) for article, anns in sorted(pairs.items()) for annotator, ann in anns)
    for article, annotator, ann in _progress(files, "importing", total, args.no_progress):
        text_path = args.text_dir / f"{article}.txt"
        doc_id = document_id(article)
        if ids.setdefault(doc_id, article) != article:
            sink = ProblemSink(str(text_path))
            sink.add(
                "brat-name-clash", "", f"{article!r} and {ids[doc_id]!r} both become document {doc_id!r}"
            )
            report.extend(str(text_path), sink.problems)
            continue
        target = args.out / f"{doc_id}.json"
        if target not in documents:
            text = _read_text(text_path, report)
            if text is None:
                continue
            documents[target] = _document(
                target, doc_id, text, args.language, load_document, canonical, report
            )
            if args.split is not None:  # in the canonical place, before the annotation sets
                fresh = documents[target]
                fresh["split"] = args.split
                fresh["annotation_sets"] = fresh.pop("annotation_sets")
            seeds[args.seeds / f"{doc_id}.txt"] = text
        document = documents[target]
        sources.setdefault(target, {str(text_path)}).add(str(ann))
        text_of[target] = text_path
        sink = ProblemSink(str(ann))
        try:
            content = read_limited(ann).decode("utf-8")
        except Unreadable as refusal:
            sink.add(refusal.code, "", refusal.message)
            report.extend(str(ann), sink.problems)
            continue
        except UnicodeDecodeError as error:
            sink.add("file-unreadable", "", f"cannot read it as UTF-8 text: {error}")
            report.extend(str(ann), sink.problems)
            continue
        parsed = brat.parse_ann(content, document["text"], sink)
        header = {
            "id": set_id(annotator),
            "annotator": annotator or "brat",
            "origin": "imported",
            "created_at": datetime.fromtimestamp(ann.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "gold": bool(args.gold) and len(pairs[article]) == 1,
            "adjudicated_from": [],
            "model_version": None,
            "imported_from": f"brat:{ann.name}",
            "note": None,
        }
        converted = brat.to_annotation_set(parsed, header, label_map, sink)
        origins.setdefault(target, {})[str(header["id"])] = (ann, parsed)
        report.extend(str(ann), sink.problems)
        if parsed.repaired:
            summary.notices["brat-broken-line repaired"] += parsed.repaired
        for notice in converted.notices:
            summary.notices[notice.split(":", 1)[0]] += 1
        summary.dropped.update(converted.dropped)
        sets = [s for s in document["annotation_sets"] if s["id"] != header["id"]]
        document["annotation_sets"] = [*sets, converted.item]
        summary.sets += 1
        summary.spans += len(converted.item["spans"])
        summary.attributions += len(converted.item["attributions"])
    summary.documents = len(documents)
    summary.gold = sum(any(s["gold"] for s in d["annotation_sets"]) for d in documents.values())
    for target, document in documents.items():
        seed = args.seeds / document["seed"]
        problems = check_data(document, name=str(target), path=target, seeds_dir=None, has_floats=False)
        kept = [p for p in problems if p.code != "seed-missing"]
        report.extend(str(target), [_at_source(p, document, origins[target], text_of[target]) for p in kept])
        if seed.exists() and seed.read_bytes() != document["text"].encode("utf-8"):
            sink = ProblemSink(str(target))
            sink.add(
                "seed-text-mismatch", "/text", f"{seed} holds a different text; seeds are never overwritten"
            )
            report.extend(str(target), sink.problems)
    if not report.ok:
        sys.stdout.write(report.format_text())
        codes = Counter(p.code for p in report.problems)
        by_code = "problems " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items()))
        print(f"{summary.format()}; {by_code}", file=sys.stderr)
        if not args.skip_invalid:
            checked = _checked(report, len(documents), total + len(orphans))
            print(f"{checked}; nothing written (--skip-invalid writes the rest)", file=sys.stderr)
            return report.exit_code
        named = {p.file for p in report.problems}
        documents = {t: d for t, d in documents.items() if not (sources[t] | {str(t)}) & named}
        seeds = {args.seeds / d["seed"]: d["text"] for d in documents.values()}
    with nullcontext() if locked else folder_lock(args.out):
        for seed, text in seeds.items():
            if not seed.exists():
                seed.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(seed, text)
        for target, document in documents.items():
            write_atomic(target, dumps(document))
    _say_where_the_seeds_are(args.out, args.seeds)
    if not report.ok:
        print(
            f"wrote the {len(documents)} document(s) without problems; the others were left out",
            file=sys.stderr,
        )
        return report.exit_code
    print(f"imported {summary.format()}", file=sys.stderr)
    return EXIT_OK


def _checked(report: Any, documents: int, anns: int) -> str:
    """What was checked, counted as what it is: documents from ``.ann`` files (the report's file count held
    both, and said "1759 file(s) checked" for PolNeAR's 840 articles and 919 ``.ann`` files)."""
    named = len({p.file for p in report.problems})
    return (
        f"{documents} document(s) from {anns} .ann file(s) checked, {named} file(s) with problems, "
        f"{len(report.problems)} problem(s)"
    )


def _at_source(
    problem: Any, document: dict[str, Any], origins: dict[str, tuple[Path, Any]], text: Path
) -> Any:
    """A problem of the document an import would write, told at its source: the ``.ann`` file and the line of
    the span, event or claim it is about (``/lines/<n>``), or the ``.txt`` for the document's own fields; the
    message keeps where it is in that document. (It pointed into a JSON file that was never written.)"""
    from dataclasses import replace

    parts = problem.pointer.split("/")
    inside = f" (in document {document['id']} at {problem.pointer})"
    if len(parts) > 2 and parts[1] == "annotation_sets" and parts[2].isdigit():
        sets = document["annotation_sets"]
        index = int(parts[2])
        origin = origins.get(sets[index]["id"]) if index < len(sets) else None
        if origin is None:
            return problem  # a set that was in the file before: the file exists, its pointer is right
        ann, parsed = origin
        line = _line_of(sets[index], parts[3:5], parsed)
        where = f"/lines/{line}" if line is not None else ""
        return replace(problem, file=str(ann), pointer=where, message=problem.message + inside)
    if Path(problem.file).exists():
        return problem  # the existing document's own fields: the file is there to look at
    return replace(problem, file=str(text), pointer="", message=problem.message + inside)


def _line_of(item: dict[str, Any], parts: list[str], parsed: Any) -> int | None:
    """The ``.ann`` line of the span, attribution or claim that ``parts`` (``["spans", "3"]``) names in
    ``item``: spans and claims by their T line (a fragment's id is ``T3:2``), attributions by their E line."""
    if len(parts) < 2 or parts[0] not in ("spans", "attributions", "claims") or not parts[1].isdigit():
        return None
    listed = item[parts[0]]
    if int(parts[1]) >= len(listed):
        return None
    element = listed[int(parts[1])]
    brat_id = str(element.get("span" if parts[0] == "claims" else "id", "")).split(":")[0]
    bound = parsed.textbounds.get(brat_id)
    if bound is not None:
        return int(bound.line)
    return next((int(other.line) for other in parsed.others if other.id == brat_id), None)


def _say_where_the_seeds_are(out: Path, seeds: Path) -> None:
    """A notice when the texts went where validate, build and brat export will not look for them by themselves."""
    from claimbank.format.paths import find_seeds_dir

    found = find_seeds_dir(out)
    if found is None or found.resolve() != seeds.resolve():
        print(
            f"notice: the texts are in {seeds}, not in the seeds/ folder found above {out}: pass --seeds {seeds} "
            "to validate, build, fmt, evaluate and brat export",
            file=sys.stderr,
        )


def _read_text(path: Path, report: Any) -> str | None:
    from claimbank.util.jsonio import Unreadable, read_limited
    from claimbank.validate.problems import ProblemSink

    sink = ProblemSink(str(path))
    try:
        return read_limited(path).decode("utf-8")
    except Unreadable as refusal:
        sink.add(refusal.code, "", refusal.message)
        report.extend(str(path), sink.problems)
        return None
    except UnicodeDecodeError as error:
        sink.add("file-unreadable", "", f"cannot read it as UTF-8 text: {error}")
        report.extend(str(path), sink.problems)
        return None


def _document(
    target: Path,
    doc_id: str,
    text: str,
    language: str,
    load_document: Callable[[Path], Any],
    canonical: Callable[[Any], dict[str, Any]],
    report: Any,
) -> dict[str, Any]:
    """The existing annotation file's document (to add sets to), or a new one."""
    from claimbank.validate.core import ValidationFailed

    if target.exists():
        try:
            existing = canonical(load_document(target))
        except ValidationFailed as failure:
            report.extend(str(target), failure.problems)
        else:
            if existing["text"] == text:
                return existing
            from claimbank.validate.problems import ProblemSink

            sink = ProblemSink(str(target))
            sink.add("seed-text-mismatch", "/text", "the existing document has a different text")
            report.extend(str(target), sink.problems)
    return {
        "schema_version": "2.0",
        "id": doc_id,
        "seed": f"{doc_id}.txt",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "language": language,
        "text": text,
        "metadata": {"title": None, "url": None, "publisher": None, "published": None, "license": None},
        "annotation_sets": [],
    }


def run_export(args: argparse.Namespace) -> int:
    from claimbank.format.canonical import canonical
    from claimbank.io.brat import convert as brat
    from claimbank.util.jsonio import write_atomic
    from claimbank.validate.core import ValidationFailed, iter_sources, load_document

    if args.seeds is not None and not args.seeds.is_dir():
        print(f"claimbank brat export: error: --seeds {args.seeds} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    paths = args.paths or [Path("annotations")]
    notices: Counter[str] = Counter()
    written = 0
    without: list[str] = []
    for folder, name in iter_sources(paths):  # a link out of a folder is refused, as validate refuses it
        path = Path(name)
        try:
            document = canonical(
                load_document(path, seeds_dir=args.seeds, within=Path(folder) if folder else None)
            )
        except ValidationFailed as failure:
            sys.stdout.write("".join(p.format() + "\n" for p in failure.problems))
            print("claimbank brat export: invalid input; stopped", file=sys.stderr)
            return EXIT_INVALID
        sets = document["annotation_sets"]
        if args.set is not None:
            wanted = [s for s in sets if (s["gold"] if args.set == "gold" else s["id"] == args.set)]
            chosen = [(f"{document['id']}.ann", s) for s in wanted[:1]]
            if not chosen:
                without.append(document["id"])
                continue  # no .txt either: a text without its .ann would import as an article with no set
        else:
            chosen = [(ann_file(document["id"], s["id"], sets), s) for s in sets]
        write_atomic(args.out / f"{document['id']}.txt", document["text"])
        for name, item in chosen:
            content, notes = brat.to_ann(item)
            write_atomic(args.out / name, content)
            notices.update(notes)
            written += 1
    write_atomic(args.out / "annotation.conf", brat.annotation_conf())
    print(f"wrote {written} .ann file(s) and annotation.conf to {args.out}", file=sys.stderr)
    for notice, count in sorted(notices.items()):
        print(f"notice: {notice} ({count} set(s))", file=sys.stderr)
    if without:
        shown = ", ".join(without[:5]) + (", …" if len(without) > 5 else "")
        print(
            f"notice: {len(without)} document(s) have no set {args.set!r}, not exported: {shown}",
            file=sys.stderr,
        )
    return EXIT_OK


def ann_file(doc_id: str, set_id: str, sets: list[dict[str, Any]]) -> str:
    """The ``.ann`` file a set is exported to, so that an import gives it back its id (:func:`set_id`):
    ``brat`` is ``<doc>.ann``, ``brat-x`` is ``<doc>_x.ann``, another set ``y`` is ``<doc>_y.ann`` (it comes
    back as ``brat-y``, and stays that on later round trips)."""
    return f"{doc_id}.ann" if set_id == "brat" else f"{doc_id}_{ann_name(set_id, sets)}.ann"


def ann_name(set_id: str, sets: list[dict[str, Any]]) -> str:
    """The annotator part of a set's ``.ann`` name: the id without the ``brat-`` an import gave it, unless that
    is the id of another set of the document (``brat-x`` and ``x`` would both write ``<doc>_x.ann``; ``brat``
    writes ``<doc>.ann`` and is no such set)."""
    short = set_id.removeprefix("brat-")
    taken = short == "" or (short != "brat" and any(s["id"] == short for s in sets))
    return set_id if short != set_id and taken else short


def run_label_map(args: argparse.Namespace) -> int:
    from claimbank.io.brat import convert as brat

    sys.stdout.write(brat.POLNEAR.to_json())
    return EXIT_OK
