"""The ``claimbank`` command line."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from claimbank import __version__
from claimbank.cli.common import EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE
from claimbank.cli.common import Parser as _Parser
from claimbank.cli.common import load_or_report as _load
from claimbank.format.paths import DEFAULT_OUT
from claimbank.tagger.settings import BATCH  # articles the tagger is given at a time
from claimbank.util.jsonio import DEFAULT_MAX_BYTES

T = TypeVar("T")

# Commands that live in a module of their own, each with ``add_parser(commands, parser_class)``: every external
# format's (from the format registry, claimbank.io.registry: see command_modules), then these. A new command is
# one entry here.
OTHER_COMMAND_MODULES: tuple[str, ...] = (
    "claimbank.annotate.command",
    "claimbank.cli.train",
    "claimbank.cli.migrate",
    "claimbank.spark.command",
)


def command_modules() -> tuple[str, ...]:
    """Every module that adds a command of its own: each registered format's, then OTHER_COMMAND_MODULES. (Read
    from the registry when asked: a run of a command defined here does not import the registry.)"""
    from claimbank.io.registry import FORMATS

    return (*(entry.command for entry in FORMATS), *OTHER_COMMAND_MODULES)


def _description() -> str:
    """The top-level ``--help`` text, with the registered formats."""
    from claimbank.io.registry import FORMATS

    return DESCRIPTION + "".join(f"  {entry.name:<6} {entry.title} ({entry.doc})\n" for entry in FORMATS)


DESCRIPTION = """\
ClaimBank: news articles annotated for claims and their attribution (who says what, through which cue).

Annotation files are JSON (one file per article, schema/document.schema.json) pointing into the exact article
text by Unicode code point offsets. Run `claimbank COMMAND --help` for each command.

External formats (each a command):
"""

VALIDATE_EPILOG = """\
Checks, in this order, for every file: strict JSON (no duplicate keys, NaN or lone surrogates), the JSON Schema,
then what a schema cannot say: offsets inside the text, span text equal to text[start:end] (with a diagnosis when
offsets were counted in UTF-16, UTF-8 bytes or other line breaks), no span splitting a character or starting or
ending with white space, unique ids, references that resolve to the right label, no reference cycles, the text
equal to its seeds/ file and its sha256.

Each problem is one line:  FILE:JSON-POINTER: CODE message (hint: ...)
The codes are stable and listed in docs/errors.md.

exit status: 0 all valid, 1 a problem found, 2 a file could not be read or the command line is wrong

examples:
  claimbank validate                         # every *.json under annotations/
  claimbank validate annotations/000_fb2fb690b74273a6.json
  claimbank validate --format json annotations/ > report.json
  claimbank validate --format github annotations/   # in GitHub Actions: annotations on the diff's lines
"""


BUILD_EPILOG = """\
configs: documents (one row per article, every annotation set), claims, attributions, tokens (BIO tags per
article), sentences (the same per sentence); all but documents from each document's gold set. A document's split
is the one --split-map names, else the one it stores (brat import --split), else fixed by its id's hash. The
build prints how many documents each rule placed and how many spans did not align to the tokens. Also written:
LICENSE.md and croissant.json (Croissant 1.0 metadata).

examples:
  claimbank build                          # annotations/ -> build/dataset
  claimbank build --out /data/claimbank annotations/
  claimbank build --split-map splits.json  # {"doc-1": "test", ...}
  python -c 'import datasets; print(datasets.load_dataset("build/dataset", "claims"))'
"""


def _path(value: str) -> Path:
    """A path argument; an empty one is a mistake (``Path("")`` would quietly mean the working folder)."""
    if not value:
        raise argparse.ArgumentTypeError("an empty path")
    if "\0" in value:
        raise argparse.ArgumentTypeError("a path cannot hold a NUL character")
    return Path(value)


MAX_JOBS = 1024


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


def _jobs(value: str) -> int:
    """``--jobs N``: N ≥ 1, or 0 for one per CPU this process may run on."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 (one per CPU) or a positive integer")
    if number > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_JOBS}")
    if number == 0:
        number = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return number


def _add_jobs(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help=f"{what} in N worker processes (default: 1; 0: one per CPU); the result is the same for any N",
    )


class _Version(argparse.Action):
    """``--version``: the version, and what runs validation (read from the installed distributions, not imported)."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        import platform
        from importlib.metadata import PackageNotFoundError, version

        def of(name: str) -> str:
            try:
                return f"{name} {version(name)}"
            except PackageNotFoundError:
                return f"{name} missing"

        print(
            f"claimbank {__version__} (pure Python, {platform.python_implementation()} {platform.python_version()}); "
            f"validation: fast path {of('msgspec')}, full path {of('jsonschema-rs')} + {of('jsonschema')} + "
            f"{of('pydantic')}"
        )
        parser.exit()


class _TopParser(_Parser):
    """The ``claimbank`` parser: its description lists the registered formats, read only when help is printed."""

    def format_help(self) -> str:
        self.description = _description()
        return super().format_help()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``claimbank`` parser. With ``command``, the name of a command defined here, it holds that command alone:
    parsing a run of it needs no other (building them all, command modules imported, was a tenth of the start-up
    of `claimbank validate` on one file). Any other ``command`` gets the whole parser."""
    parser = _TopParser(prog="claimbank", formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_Version, help="show the version, and what validation runs on")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    adders = [add for name, add in _COMMANDS if name == command] if command is not None else []
    for add in adders or [add for _, add in _COMMANDS]:
        add(commands)
    return parser


def _add_validate(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        help="check annotation files against the schema and the text",
        description="Check annotation files against the JSON Schema and against what a schema cannot say.",
        epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument(
        "paths",
        nargs="*",
        type=_path,
        metavar="PATH",
        help="annotation files or folders (default: annotations/)",
    )
    validate.add_argument(
        "--seeds",
        type=_path,
        metavar="DIR",
        help="the folder of seed texts (default: the nearest seeds/ above each file)",
    )
    validate.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format (default: text); github: GitHub Actions annotations, at each problem's line",
    )
    validate.add_argument(
        "--max-bytes",
        type=_positive,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse files larger than N bytes (default: {DEFAULT_MAX_BYTES})",
    )
    validate.add_argument("-q", "--quiet", action="store_true", help="print problems only, no summary")
    _add_jobs(validate, "check files")
    validate.set_defaults(run=_validate)


def _add_schema(commands: Any) -> None:
    schema = commands.add_parser(
        "schema",
        help="print, write or check the JSON Schema generated from the models",
        description="The JSON Schema is generated from claimbank.format.model; this prints it, writes it to schema/, or "
        "checks that the shipped file is current.",
    )
    action = schema.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="write schema/document.schema.json")
    action.add_argument(
        "--check", action="store_true", help="exit 1 if the shipped schema differs from the models"
    )
    schema.set_defaults(run=_schema)


def _add_build(commands: Any) -> None:
    build = commands.add_parser(
        "build",
        help="validate, then write the Hugging Face dataset folder",
        description="Validate every annotation file, then write a dataset folder that "
        "datasets.load_dataset(DIR, CONFIG) reads with no loading script: Parquet shards per config and split, and "
        "a README.md card whose YAML declares the configs and their features. Nothing is written when any file "
        "is invalid; the output folder is replaced only when the whole build succeeded.",
        epilog=BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "paths",
        nargs="*",
        type=_path,
        metavar="PATH",
        help="annotation files or folders (default: annotations/)",
    )
    build.add_argument(
        "--out",
        type=_path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"output folder (default: {DEFAULT_OUT})",
    )
    build.add_argument(
        "--seeds", type=_path, metavar="DIR", help="the folder of seed texts (default: nearest seeds/)"
    )
    build.add_argument(
        "--split-map",
        type=Path,
        metavar="FILE",
        help='a JSON object of document id -> split ({"doc-1": "test"}): overrides the split a document stores; '
        "documents in neither get the split of their id's hash",
    )
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_jobs(build, "validate and convert")
    build.set_defaults(run=_build)


def _add_show(commands: Any) -> None:
    show = commands.add_parser(
        "show",
        help="write a self-contained HTML view of an annotated article",
        description="Render one annotation set of a document as a self-contained HTML page (no network): spans "
        "highlighted by label, attributes in tooltips, attributions and claims in tables whose rows highlight "
        "their spans on hover, explicit non-attributions struck through in red.",
    )
    show.add_argument("file", type=_path, metavar="FILE", help="an annotation file")
    show.add_argument("--html", type=_path, required=True, metavar="OUT", help="the HTML file to write")
    show.add_argument("--set", dest="set_id", metavar="ID", help="the annotation set (default: the gold set)")
    show.add_argument(
        "--seeds", type=_path, metavar="DIR", help="seed texts (default: nearest seeds/ above the file)"
    )
    show.set_defaults(run=_show)


def _add_preannotate(commands: Any) -> None:
    pre = commands.add_parser(
        "preannotate",
        help="propose attributions for raw articles (rules, or a trained model with --model)",
        description="Propose SOURCE / CUE / CONTENT spans and attributions, explicit non-attributions included, "
        "with rules over the lexicon in claimbank/rules/lexicon.json, or with --model a model made by "
        "`claimbank train` (set 'tagger', each span and attribution with its confidence). Input: seed "
        ".txt files (a new annotation file is made for each) or annotation files (the set 'preannotator', or "
        "'tagger', is added or replaced). The output is validated before it is written.",
    )
    pre.add_argument(
        "paths", nargs="+", type=_path, metavar="PATH", help="seed .txt files or annotation .json files"
    )
    pre.add_argument(
        "--out", type=_path, required=True, metavar="DIR", help="folder for the annotation files"
    )
    pre.add_argument("--language", default="en", help="language of new documents (default: en)")
    pre.add_argument(
        "--model",
        type=Path,
        metavar="DIR",
        help="a model folder made by claimbank train (default: the rules)",
    )
    pre.set_defaults(run=_preannotate)


def _add_fmt(commands: Any) -> None:
    fmt = commands.add_parser(
        "fmt",
        help="rewrite annotation files in the canonical form ClaimBank writes",
        description="Rewrite valid annotation files in the one form every ClaimBank command writes (two-space "
        "indented UTF-8 JSON, fields in schema order, null optional fields left out, a final newline), so that "
        "hand edits give small diffs. Invalid files are reported and left as they are. With --check nothing is "
        "written: the files that would change are listed and the exit status is 1.",
        epilog="exit status: 0 every file valid (and, with --check, already formatted); 1 an invalid file, or with "
        "--check one that would change; 2 a file could not be read\n\n"
        "examples:\n"
        "  claimbank fmt                      # every *.json under annotations/\n"
        "  claimbank fmt --check annotations/ # in CI: fail on a file that is not formatted",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fmt.add_argument(
        "paths", nargs="*", type=_path, metavar="PATH", help="files or folders (default: annotations/)"
    )
    fmt.add_argument("--check", action="store_true", help="write nothing; list the files that would change")
    fmt.add_argument(
        "--seeds", type=_path, metavar="DIR", help="seed texts (default: nearest seeds/ above each file)"
    )
    fmt.set_defaults(run=_fmt)


def _add_evaluate(commands: Any) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="precision, recall and F1 of predicted annotations against gold",
        description="Compare a predicted annotation set with a gold one on the same document: P/R/F1 per span "
        "label and for whole attributions (kind, source, cue and content), with exact offsets and with overlap. "
        "PRED and GOLD may be folders: documents are matched by id and the counts summed over them "
        "(micro-averaged); a gold document with no prediction counts its items as missed. With nothing "
        "predicted and nothing in the gold, an item's P/R/F1 are '-' (null in JSON).",
        epilog="examples:\n"
        "  claimbank evaluate predicted/000_fb2fb690b74273a6.json annotations/000_fb2fb690b74273a6.json\n"
        "  claimbank evaluate predicted/ annotations/ --format json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument(
        "pred", type=_path, metavar="PRED", help="annotation file (or folder) holding the predictions"
    )
    evaluate.add_argument(
        "gold", type=_path, metavar="GOLD", help="annotation file (or folder) holding the gold sets"
    )
    evaluate.add_argument("--pred-set", help="set id in PRED (default: the first set with origin prediction)")
    evaluate.add_argument("--gold-set", help="set id in GOLD (default: the gold set)")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")
    evaluate.add_argument(
        "--seeds", type=_path, metavar="DIR", help="seed texts (default: nearest seeds/ above each file)"
    )
    evaluate.set_defaults(run=_evaluate)


def _add_command_modules(commands: Any) -> None:
    """The commands of :func:`command_modules`, each module imported to add its own."""
    for module in command_modules():
        importlib.import_module(module).add_parser(commands, _Parser)


def _add_agree(commands: Any) -> None:
    from claimbank.format.vocab import SpanLabel

    agree = commands.add_parser(
        "agree",
        help="agreement between annotation sets of a document (spans, attributions, claims)",
        description="Compare annotation sets of one document: span F1 per label (exact offsets and overlap), "
        "attribution F1 (kind, source, cue and content all matching), claim F1, and how often claimer, "
        "factuality and span attributes agree on matched items. By default every pair of non-gold sets.",
    )
    agree.add_argument("file", type=_path, metavar="FILE", help="an annotation file")
    agree.add_argument("--sets", nargs=2, metavar=("A", "B"), help="the ids of the two sets to compare")
    agree.add_argument(
        "--seeds", type=_path, metavar="DIR", help="seed texts (default: nearest seeds/ above the file)"
    )
    agree.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    agree.add_argument(
        "--gamma",
        action="store_true",
        help="also span-aware agreement: gamma over all the compared sets at once (offsets and labels; needs "
        "the gamma extra, pip install 'claimbank[gamma]'; with --format json the output becomes "
        '{"pairs": [...], "gamma": {...}})',
    )
    agree.add_argument(
        "--labels",
        nargs="+",
        choices=[label.value for label in SpanLabel],
        metavar="LABEL",
        help="the span labels gamma is computed over (default: all)",
    )
    agree.set_defaults(run=_agree)


def _add_docs(commands: Any) -> None:
    docs = commands.add_parser(
        "docs",
        help="regenerate or check the generated parts of docs/ (label tables, problem codes)",
        description="The label tables in docs/guidelines.md and the code table in docs/errors.md are generated "
        "from claimbank.format.vocab and claimbank.validate.codes. Run from the project root.",
    )
    docs_action = docs.add_mutually_exclusive_group(required=True)
    docs_action.add_argument("--write", action="store_true", help="rewrite the generated parts")
    docs_action.add_argument("--check", action="store_true", help="exit 1 if a generated part is out of date")
    docs.add_argument("--root", type=_path, default=Path(), help="the project root (default: .)")
    docs.set_defaults(run=_docs)


# Every command's parser, in --help order: (its name, the function that adds it); None stands for the commands of
# command_modules(). A run of one command defined here builds that one alone (see build_parser).
_COMMANDS: tuple[tuple[str | None, Callable[[Any], None]], ...] = (
    ("validate", _add_validate),
    ("schema", _add_schema),
    ("build", _add_build),
    ("show", _add_show),
    ("preannotate", _add_preannotate),
    ("fmt", _add_fmt),
    ("evaluate", _add_evaluate),
    (None, _add_command_modules),
    ("agree", _add_agree),
    ("docs", _add_docs),
)


def _read_text(name: str, max_bytes: int) -> str | None:
    """A file's text for finding lines, or None (unreadable or too large: already reported; not UTF-8)."""
    from claimbank.util.jsonio import read_bytes
    from claimbank.validate.problems import ProblemSink

    data = read_bytes(Path(name), ProblemSink(name), max_bytes)
    try:
        return data.decode("utf-8") if data is not None else None
    except UnicodeDecodeError:
        return None


def _validate(args: argparse.Namespace) -> int:
    from claimbank.validate.core import validate_paths

    paths = args.paths or [Path("annotations")]
    if args.seeds is not None and not args.seeds.is_dir():
        print(f"claimbank validate: error: --seeds {args.seeds} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    report = validate_paths(paths, seeds_dir=args.seeds, max_bytes=args.max_bytes, jobs=args.jobs)
    if args.format == "json":
        sys.stdout.write(report.format_json())
    else:
        if args.format == "github":
            from claimbank.validate.github import format_github

            sys.stdout.write(format_github(report, partial(_read_text, max_bytes=args.max_bytes)))
        else:
            sys.stdout.write(report.format_text())
        if not args.quiet:
            print(report.summary(), file=sys.stderr)
    if not report.files:
        print(f"claimbank validate: no *.json files under {', '.join(map(str, paths))}", file=sys.stderr)
        return EXIT_USAGE
    return report.exit_code


def _schema(args: argparse.Namespace) -> int:
    from claimbank.format import schema
    from claimbank.format.paths import schema_dir
    from claimbank.util.jsonio import write_atomic

    text = schema.render()
    target = schema_dir() / schema.SCHEMA_FILE
    if args.write:
        write_atomic(target, text)
        print(f"wrote {target}", file=sys.stderr)
        return EXIT_OK
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is out of date: run `claimbank schema --write`", file=sys.stderr)
            return EXIT_INVALID
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from claimbank.dataset.build import build, read_split_map
    from claimbank.dataset.rows import TALLY
    from claimbank.validate.problems import Report

    paths = args.paths or [Path("annotations")]
    if args.seeds is not None and not args.seeds.is_dir():
        print(f"claimbank build: error: --seeds {args.seeds} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    split_map: dict[str, str] = {}
    if args.split_map is not None:
        split_map, problems = read_split_map(args.split_map)
        if problems:
            bad = Report()
            bad.extend(str(args.split_map), problems)
            sys.stdout.write(bad.format_text())
            print(
                f"claimbank build: --split-map {args.split_map} cannot be used; nothing written",
                file=sys.stderr,
            )
            return EXIT_USAGE
    result = build(
        paths,
        args.out,
        seeds_dir=args.seeds,
        progress=None if args.no_progress else _progress,
        jobs=args.jobs,
        split_map=split_map,
    )
    if not result.report.files:
        print(f"claimbank build: no *.json files under {', '.join(map(str, paths))}", file=sys.stderr)
        return EXIT_USAGE
    if not result.ok:
        sys.stdout.write(result.report.format_text())
        print(f"{result.report.summary()}; nothing written", file=sys.stderr)
        return result.report.exit_code
    assert result.stats is not None
    stats = result.stats
    rows = ", ".join(f"{config} {sum(c.values())}" for config, c in stats.rows.items())
    print(f"wrote {result.out} ({rows} rows)", file=sys.stderr)
    print(
        "splits: " + ", ".join(f"{rule} {n}" for rule, n in sorted(stats.split_rules.items())),
        file=sys.stderr,
    )
    tally = ", ".join(f"{name} {stats.tally[name]}" for name in TALLY)
    print(f"tokens: {tally}", file=sys.stderr)
    if stats.unmapped:
        print(
            f"--split-map: {len(stats.unmapped)} id(s) name no document, e.g. {stats.unmapped[0]!r}",
            file=sys.stderr,
        )
    return EXIT_OK


def _progress(items: Iterable[T]) -> Iterable[T]:
    from tqdm import tqdm

    # Shown only on a terminal and only when the build takes more than a second.
    bar: Iterable[T] = tqdm(items, desc="building", unit="doc", delay=1.0, disable=None, file=sys.stderr)
    return bar


def _show(args: argparse.Namespace) -> int:
    from claimbank.annotate import html
    from claimbank.util.jsonio import refuse_input_as_output, write_atomic

    document = _load(args.file, args.seeds)
    if isinstance(document, int):
        return document
    sets = {s.id: s for s in document.annotation_sets}
    wanted = args.set_id or next((s.id for s in document.annotation_sets if s.gold), None)
    wanted = wanted or next(iter(sets), None)
    if wanted not in sets:
        print(
            f"claimbank show: no annotation set {wanted!r}; sets: {', '.join(sets) or 'none'}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    refuse_input_as_output(args.html, [args.file])
    write_atomic(args.html, html.render(document, sets[wanted]))
    print(f"wrote {args.html}", file=sys.stderr)
    return EXIT_OK


def _preannotate(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from claimbank.util.jsonio import folder_lock

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if args.model is not None:
        from claimbank.tagger import Model, ModelError

        try:
            # Opened (and its files' hashes checked) before anything is written.
            args.predictor = Model(args.model).annotation_sets
        except ModelError as error:
            print(f"claimbank preannotate: {error}", file=sys.stderr)
            return EXIT_USAGE
    else:
        from claimbank.annotate import preannotate

        def rules(texts: list[str], *, created_at: str) -> list[dict[str, Any]]:
            return [preannotate.annotation_set(text, created_at=created_at) for text in texts]

        args.predictor = rules
    with folder_lock(args.out):  # the output folder may hold annotation files another command is updating
        return _preannotate_locked(args, stamp)


def _preannotate_locked(args: argparse.Namespace, stamp: str) -> int:
    failed = False
    batch: list[tuple[Path, dict[str, Any], Path | None]] = []
    for path in args.paths:
        read = _preannotate_read(path, args.language)
        if read is None:
            failed = True
            continue
        batch.append(read)
        if len(batch) == BATCH:
            failed = _preannotate_write(args, batch, stamp) or failed
            batch = []
    if batch:
        failed = _preannotate_write(args, batch, stamp) or failed
    return EXIT_INVALID if failed else EXIT_OK


def _preannotate_read(path: Path, language: str) -> tuple[Path, dict[str, Any], Path | None] | None:
    """The document to pre-annotate from ``path`` (a seed text or an annotation file) and its seeds folder, or
    None after printing why it cannot be read."""
    import hashlib

    from claimbank.format.paths import find_seeds_dir
    from claimbank.util.jsonio import Unreadable, read_json, read_limited
    from claimbank.validate.problems import ProblemSink, one_line

    sink = ProblemSink(str(path))
    if path.suffix == ".txt":
        try:
            text = read_limited(path).decode("utf-8")
        except (Unreadable, UnicodeDecodeError) as error:
            code = error.code if isinstance(error, Unreadable) else "file-unreadable"
            print(one_line(f"{path}:: {code} {error}"), file=sys.stderr)
            return None
        document: dict[str, Any] = {
            "schema_version": "2.0",
            "id": path.stem,
            "seed": path.name,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "language": language,
            "text": text,
            "metadata": {},
            "annotation_sets": [],
        }
        return path, document, path.parent
    parsed = read_json(path, sink)
    if (
        sink.problems
        or not isinstance(parsed.value, dict)
        or not isinstance(parsed.value.get("text"), str)
        or not isinstance(parsed.value.get("id"), str)
        or not isinstance(parsed.value.get("annotation_sets", []), list)
    ):
        for problem in sink.problems or []:
            print(problem.format(), file=sys.stderr)
        print(
            one_line(f"{path}: not an annotation file with an id, a text and a list of sets"),
            file=sys.stderr,
        )
        return None
    return path, parsed.value, find_seeds_dir(path.parent)


def _preannotate_write(
    args: argparse.Namespace, batch: list[tuple[Path, dict[str, Any], Path | None]], stamp: str
) -> bool:
    """Predict the documents of ``batch`` together and write each that validates; whether any did not."""
    from claimbank.util.jsonio import dumps, write_atomic
    from claimbank.validate.core import check_data

    failed = False
    predictions = args.predictor([document["text"] for _, document, _ in batch], created_at=stamp)
    for (_, document, seeds), predicted in zip(batch, predictions, strict=True):
        sets = [
            s
            for s in document.get("annotation_sets", [])
            if isinstance(s, dict) and s.get("id") != predicted["id"]
        ]
        document["annotation_sets"] = [*sets, predicted]
        target = args.out / f"{document['id']}.json"
        problems = [
            p for p in check_data(document, name=str(target), seeds_dir=seeds) if p.code != "seed-missing"
        ]
        if problems:
            sys.stdout.write("".join(p.format() + "\n" for p in problems))
            failed = True
            continue
        write_atomic(target, dumps(document))
        print(f"wrote {target} ({len(predicted['attributions'])} attributions proposed)", file=sys.stderr)
    return failed


def _fmt(args: argparse.Namespace) -> int:
    from claimbank.cli.fmt import format_paths
    from claimbank.validate.problems import Report

    report = Report()
    changed: list[Path] = []
    for outcome in format_paths(
        args.paths or [Path("annotations")], write=not args.check, seeds_dir=args.seeds
    ):
        report.extend(str(outcome.path), outcome.problems)
        if outcome.changed:
            changed.append(outcome.path)
            print(f"{'would reformat' if args.check else 'reformatted'} {outcome.path}")
    sys.stdout.write(report.format_text())
    if not report.files:
        print("claimbank fmt: no *.json files found", file=sys.stderr)
        return EXIT_USAGE
    verb = "would be reformatted" if args.check else "reformatted"
    invalid = len([name for name, problems in report.by_file().items() if problems])
    print(
        f"{len(report.files)} file(s): {len(changed)} {verb}, {invalid} invalid (left as they are)",
        file=sys.stderr,
    )
    if report.exit_code != EXIT_OK:
        return report.exit_code
    return EXIT_INVALID if args.check and changed else EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from claimbank.annotate.agreement import evaluate_many

    if args.pred.is_dir() or args.gold.is_dir():
        pairs = _evaluation_pairs(args)
        if isinstance(pairs, int):
            return pairs
    else:
        pred_doc = _load(args.pred, args.seeds)
        if isinstance(pred_doc, int):
            return pred_doc
        gold_doc = _load(args.gold, args.seeds)
        if isinstance(gold_doc, int):
            return gold_doc
        if pred_doc.sha256 != gold_doc.sha256:
            print("claimbank evaluate: PRED and GOLD are annotations of different texts", file=sys.stderr)
            return EXIT_USAGE
        pred, gold = _pred_set(pred_doc, args.pred_set), _gold_set(gold_doc, args.gold_set)
        if pred is None or gold is None:
            print(
                "claimbank evaluate: no such predicted or gold set (see --pred-set, --gold-set)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        pairs = [(pred, gold)]
    result = evaluate_many(pairs)
    if args.format == "json":
        import json

        print(
            json.dumps(
                {mode: {k: v.as_dict() for k, v in scores.items()} for mode, scores in result.items()},
                indent=2,
            )
        )
        return EXIT_OK

    def shown(value: float | None, width: int) -> str:
        return f"{'-':>{width}}" if value is None else f"{value:{width}.2f}"

    print(
        f"{'item':14}{'P exact':>9}{'R exact':>9}{'F1 exact':>10}{'P ovl':>8}{'R ovl':>8}{'F1 ovl':>8}  pred/gold"
    )
    for key, exact in result["exact"].items():
        overlap = result["overlap"][key]
        print(
            f"{key:14}{shown(exact.precision, 9)}{shown(exact.recall, 9)}{shown(exact.f1, 10)}"
            f"{shown(overlap.precision, 8)}{shown(overlap.recall, 8)}{shown(overlap.f1, 8)}"
            f"  {exact.predicted}/{exact.reference}"
        )
    return EXIT_OK


def _pred_set(document: Any, wanted: str | None) -> Any:
    return next(
        (
            s
            for s in document.annotation_sets
            if (s.id == wanted if wanted else s.origin.value == "prediction")
        ),
        None,
    )


def _gold_set(document: Any, wanted: str | None) -> Any:
    return next((s for s in document.annotation_sets if (s.id == wanted if wanted else s.gold)), None)


def _evaluation_pairs(args: argparse.Namespace) -> list[tuple[Any, Any]] | int:
    """(predicted set or None, gold set) for every gold document, matched with PRED's by document id; every
    invalid file is reported (exit 1), documents on one side only are counted in notices."""
    from claimbank.validate.core import ValidationFailed, iter_files, load_document
    from claimbank.validate.problems import Report

    report = Report()
    sides: list[dict[str, Any]] = [{}, {}]
    for side, root in zip(sides, (args.pred, args.gold), strict=True):
        for path in iter_files([root]):
            try:
                document = load_document(path, seeds_dir=args.seeds)
            except ValidationFailed as failure:
                report.extend(str(path), failure.problems)
                continue
            side[document.id] = document
    if not report.ok:
        sys.stdout.write(report.format_text())
        print(f"{report.summary()}; nothing evaluated", file=sys.stderr)
        return report.exit_code
    predicted, golden = sides
    pairs: list[tuple[Any, Any]] = []
    counts = {"no gold set": 0, "no prediction": 0, "another text": 0}
    for doc_id, gold_doc in sorted(golden.items()):
        gold = _gold_set(gold_doc, args.gold_set)
        if gold is None:
            counts["no gold set"] += 1
            continue
        pred_doc = predicted.get(doc_id)
        if pred_doc is not None and pred_doc.sha256 != gold_doc.sha256:
            counts["another text"] += 1
            continue
        pred = _pred_set(pred_doc, args.pred_set) if pred_doc is not None else None
        counts["no prediction"] += pred is None
        pairs.append((pred, gold))
    unmatched = len(set(predicted) - set(golden))
    print(
        f"claimbank evaluate: {len(pairs)} document(s) scored; gold documents left out: "
        f"{counts['no gold set']} without a gold set, {counts['another text']} whose prediction has another "
        f"text; {counts['no prediction']} without a prediction (their gold items count as missed); "
        f"{unmatched} predicted document(s) with no gold document",
        file=sys.stderr,
    )
    if not pairs:
        print("claimbank evaluate: no gold document to score", file=sys.stderr)
        return EXIT_USAGE
    return pairs


def _agree(args: argparse.Namespace) -> int:
    from itertools import combinations

    from claimbank.annotate.agreement import report, summary

    document = _load(args.file, args.seeds)
    if isinstance(document, int):
        return document
    sets = {s.id: s for s in document.annotation_sets}
    if args.sets:
        unknown = [name for name in args.sets if name not in sets]
        if unknown:
            print(
                f"claimbank agree: no annotation set {unknown[0]!r}; sets: {', '.join(sets)}", file=sys.stderr
            )
            return EXIT_USAGE
        pairs = [tuple(args.sets)]
    else:
        pairs = list(combinations([s for s in sets if not sets[s].gold], 2))
    if not pairs:
        print("claimbank agree: fewer than two non-gold annotation sets to compare", file=sys.stderr)
        return EXIT_USAGE
    found = None
    if args.gamma:
        from claimbank.annotate.agreement import MissingDependency, gamma, gamma_report, span_units

        compared = [sets[name] for name in dict.fromkeys(n for pair in pairs for n in pair)]
        from claimbank.format.vocab import SpanLabel

        labels = [label for label in SpanLabel if not args.labels or label.value in args.labels]
        try:
            found = gamma(span_units(compared, labels))
        except MissingDependency as missing:
            print(f"claimbank agree: {missing}", file=sys.stderr)
            return EXIT_USAGE
        except ValueError as empty:
            print(f"claimbank agree: {empty} (labels: {' '.join(v.value for v in labels)})", file=sys.stderr)
            return EXIT_INVALID
    if args.format == "json":
        import json

        summaries = [summary(sets[a], sets[b]) for a, b in pairs]
        payload: object = summaries if found is None else {"pairs": summaries, "gamma": found.as_dict()}
        print(json.dumps(payload, indent=2))
        return EXIT_OK
    for a, b in pairs:
        print(f"{args.file}: {a} (A) vs {b} (B)")
        sys.stdout.write(report(sets[a], sets[b]))
    if found is not None:
        print()
        sys.stdout.write(gamma_report(found))
    return EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from claimbank.cli import docgen

    if args.write:
        for name in docgen.write(args.root):
            print(f"wrote {name}", file=sys.stderr)
        return EXIT_OK
    stale = docgen.stale(args.root)
    for name in stale:
        print(f"{name} is out of date: run `claimbank docs --write`", file=sys.stderr)
    return EXIT_INVALID if stale else EXIT_OK


def entry() -> NoReturn:
    """The ``claimbank`` command and ``python -m claimbank``: :func:`main`, then exit with its status.

    Before the exit every object is handed to the garbage collector's permanent generation (``gc.freeze``), so
    the interpreter's teardown does not walk them again: its collections over the ~17,000 objects the imports
    leave (msgspec's typing_extensions and inspect among them) were a quarter of ``python -m claimbank validate``
    on one file (docs/benchmarks.md, session 8). Exit handlers still run; objects in reference cycles are left
    to the operating system, as the process ends anyway. (Not in :func:`main`, which tests call many times in
    one process.)
    """
    status = main()
    gc.freeze()
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of raising, whatever the input."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # The command is the first word that is not an option (the options before it take no value).
    parser = build_parser(next((word for word in argv if not word.startswith("-")), None))
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.debug:
        os.environ["CLAIMBANK_DEBUG"] = "1"  # a file's internal-error then raises, in workers too
    try:
        return run(args)
    except KeyboardInterrupt:
        print("claimbank: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``); point stdout at devnull so that the interpreter's flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (
        OSError
    ) as error:  # a full disk, a read-only folder, a file that vanished: not a bug, and not input
        from claimbank.validate.problems import one_line

        where = f" ({error.filename})" if error.filename else ""
        print(
            one_line(
                f"claimbank: error: {error.strerror or error}{where}; every output is written whole or not at "
                "all, so nothing was half-written"
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except Exception as error:  # the last resort: a user never sees a bare traceback
        if args.debug:
            raise
        from claimbank.validate.problems import one_line

        print(
            one_line(
                f"claimbank: internal error: {type(error).__name__}: {error} "
                "(this is a bug in claimbank; rerun with --debug and report the traceback)"
            ),
            file=sys.stderr,
        )
        return EXIT_INTERNAL
