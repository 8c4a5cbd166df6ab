"""`claimbank ls …`: the command side of the Label Studio round trip (:mod:`claimbank.io.labelstudio.convert`,
:mod:`claimbank.io.labelstudio.client`, :mod:`claimbank.io.labelstudio.imports`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from claimbank.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, load_or_report


def add_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register ``ls`` and its commands on the ``claimbank`` parser."""
    ls = commands.add_parser(
        "ls",
        help="Label Studio: labeling config, tasks, push/pull, import of exports",
        description="Label Studio support (docs/labelstudio.md). `ls config` prints the labeling config generated "
        "from the vocabulary; `ls tasks` turns annotation files into tasks, optionally with one annotation set as "
        "predictions; `ls push` / `ls pull` talk to a running server; `ls import` reads a JSON export.",
    )
    ls_commands = ls.add_subparsers(
        dest="ls_command", metavar="COMMAND", parser_class=parser_class, required=True
    )
    ls_config = ls_commands.add_parser("config", help="print (or write) the labeling config")
    ls_config.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead of stdout")
    ls_config.set_defaults(run=_ls_config)
    ls_tasks = ls_commands.add_parser(
        "tasks",
        help="annotation files -> Label Studio task JSON",
        description="One task per document: data.text, data.document_id and data.sha256; with --predictions, one "
        "annotation set ('gold', or a set id) as the task's predictions.",
    )
    ls_tasks.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="annotation files or folders (default: annotations/)",
    )
    ls_tasks.add_argument(
        "--predictions", metavar="SET", help="attach this annotation set ('gold' for the gold set)"
    )
    ls_tasks.add_argument(
        "--model-version", default="", help="model_version of the predictions (default: from the set)"
    )
    ls_tasks.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the task JSON file to write"
    )
    ls_tasks.set_defaults(run=_ls_tasks)
    ls_import = ls_commands.add_parser(
        "import",
        help="a Label Studio JSON export -> annotation sets in the annotation files",
        description="Add every annotation of a Label Studio JSON export to its document's annotation file as its "
        "own annotation set (annotator and time kept; ids carried in region meta). Cancelled annotations are "
        "skipped with a notice, drafts unless --drafts, predictions become sets with origin prediction. The "
        "updated files are validated (offsets that do not fit the text are diagnosed, never shifted) and written "
        "only when all of them are valid.",
    )
    ls_import.add_argument("export", type=Path, metavar="EXPORT", help="the JSON export (Export -> JSON)")
    ls_import.add_argument(
        "--annotations", type=Path, default=Path("annotations"), metavar="DIR", help="default: annotations/"
    )
    ls_import.add_argument("--drafts", action="store_true", help="import drafts too")
    ls_import.set_defaults(run=_ls_import)
    for name, summary in (
        ("push", "send documents to a Label Studio project as tasks (only those it does not hold yet)"),
        ("pull", "fetch every annotation of a Label Studio project into the annotation files"),
    ):
        command = ls_commands.add_parser(
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}. The server URL comes from --url or LABEL_STUDIO_URL, "
            "the API token from the environment variable named by --token-env (it is never printed, and never a "
            "command-line argument, so it stays out of shell history and process lists). Connection errors, "
            "time-outs and 5xx answers are retried a few times with backoff; a repeated run resumes without "
            "duplicates (tasks are keyed by document id and text hash).",
        )
        command.add_argument(
            "--url", default=os.environ.get("LABEL_STUDIO_URL"), help="default: $LABEL_STUDIO_URL"
        )
        command.add_argument(
            "--token-env",
            default="LABEL_STUDIO_API_KEY",
            metavar="NAME",
            help="default: LABEL_STUDIO_API_KEY",
        )
        command.add_argument(
            "--project", default="ClaimBank", metavar="TITLE", help="project title (default: ClaimBank)"
        )
        if name == "push":
            command.add_argument(
                "paths",
                nargs="*",
                type=Path,
                metavar="PATH",
                help="annotation files or folders (default: annotations/)",
            )
            command.add_argument(
                "--predictions",
                metavar="SET",
                help="attach this set as pre-annotations ('gold' for the gold set)",
            )
            command.set_defaults(run=_ls_push)
        else:
            command.add_argument(
                "--annotations",
                type=Path,
                default=Path("annotations"),
                metavar="DIR",
                help="default: annotations/",
            )
            command.add_argument("--drafts", action="store_true", help="import drafts too")
            command.set_defaults(run=_ls_pull)


def _ls_config(args: argparse.Namespace) -> int:
    from claimbank.io.labelstudio.convert import labeling_config
    from claimbank.util.jsonio import write_atomic

    if args.out is None:
        sys.stdout.write(labeling_config())
    else:
        write_atomic(args.out, labeling_config())
        print(f"wrote {args.out}", file=sys.stderr)
    return EXIT_OK


def _ls_tasks(args: argparse.Namespace) -> int:
    import json

    from claimbank.format.canonical import canonical
    from claimbank.io.labelstudio.convert import task
    from claimbank.util.jsonio import write_atomic
    from claimbank.validate.core import ValidationFailed, iter_files, load_document

    tasks = []
    failed = False
    for path in iter_files(args.paths or [Path("annotations")]):
        try:
            document = canonical(load_document(path))
        except ValidationFailed as failure:
            sys.stdout.write("".join(p.format() + "\n" for p in failure.problems))
            failed = True
            continue
        prediction = None
        if args.predictions:
            sets = document["annotation_sets"]
            wanted = "gold" if args.predictions == "gold" else args.predictions
            prediction = next(
                (s for s in sets if (s.get("gold") if wanted == "gold" else s["id"] == wanted)), None
            )
            if prediction is None:
                print(
                    f"{path}: no annotation set {args.predictions!r}; the task has no predictions",
                    file=sys.stderr,
                )
        tasks.append(task(document, prediction, args.model_version))
    if failed:
        print("claimbank ls tasks: invalid input; nothing written", file=sys.stderr)
        return EXIT_INVALID
    write_atomic(args.out, json.dumps(tasks, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {args.out} ({len(tasks)} tasks)", file=sys.stderr)
    return EXIT_OK


def _ls_import(args: argparse.Namespace) -> int:
    from claimbank.io.labelstudio.imports import read_export

    exported, report = read_export(args.export)
    if exported is None:
        sys.stdout.write(report.format_text())
        return report.exit_code
    return _import_tasks(exported, str(args.export), args.annotations, args.drafts)


def _import_tasks(exported: list[Any], source: str, annotations: Path, drafts: bool) -> int:
    """Import Label Studio tasks into the annotation files under ``annotations``; all or nothing."""
    from claimbank.io.labelstudio.imports import import_tasks

    try:
        plan = import_tasks(exported, source, annotations, drafts=drafts)
    except OSError as error:
        print(f"claimbank ls: error: cannot update {annotations}: {error}; nothing written", file=sys.stderr)
        return EXIT_USAGE
    for notice in plan.notices:
        print(f"notice: {notice}", file=sys.stderr)
    if not plan.report.ok:
        sys.stdout.write(plan.report.format_text())
        print(f"{plan.report.summary()}; nothing written", file=sys.stderr)
        return plan.report.exit_code
    print(f"imported {len(plan.updated)} document(s); {plan.new_sets} new annotation set(s)", file=sys.stderr)
    return EXIT_OK


def _connection(args: argparse.Namespace) -> Any:
    from claimbank.io.labelstudio.client import Connection

    token = os.environ.get(args.token_env, "")
    if not args.url or not token:
        missing = "--url (or LABEL_STUDIO_URL)" if not args.url else f"the token in ${args.token_env}"
        print(f"claimbank ls {args.ls_command}: error: {missing} is not set", file=sys.stderr)
        return None
    why = url_problem(args.url)
    if why:
        print(f"claimbank ls {args.ls_command}: error: --url {why}", file=sys.stderr)
        return None
    return Connection(args.url.rstrip("/"), token)


def url_problem(url: str) -> str:
    """Why ``url`` cannot be used as a server's address ("" when it can); never repeats the URL, which may hold
    a password."""
    from urllib.parse import urlsplit

    if any(char.isspace() or ord(char) < 32 for char in url):
        return "holds white space or a control character (a line break?)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        return f"is not a URL ({error})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http:// or https:// address of a server"
    if parts.username is not None or parts.password is not None:
        return (
            "holds a user name or password; give the token in the environment instead (it is never printed)"
        )
    return ""


def _ls_push(args: argparse.Namespace) -> int:
    from claimbank.format.canonical import canonical
    from claimbank.io.labelstudio.client import LabelStudioError, find_or_create_project, push
    from claimbank.validate.core import iter_files

    connection = _connection(args)
    if connection is None:
        return EXIT_USAGE
    documents = []
    for path in iter_files(args.paths or [Path("annotations")]):
        loaded = load_or_report(path)
        if isinstance(loaded, int):
            print("claimbank ls push: invalid input; nothing sent", file=sys.stderr)
            return loaded
        documents.append(canonical(loaded))
    try:
        project = find_or_create_project(connection, args.project)
        result = push(connection, project, documents, predictions=args.predictions)
    except LabelStudioError as error:
        print(f"claimbank ls push: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(
        f"project {project}: {result.imported} task(s) imported, {result.already_there} already there",
        file=sys.stderr,
    )
    return EXIT_OK


def _ls_pull(args: argparse.Namespace) -> int:
    from claimbank.io.labelstudio.client import LabelStudioError, export, find_or_create_project

    connection = _connection(args)
    if connection is None:
        return EXIT_USAGE
    try:
        exported = export(connection, find_or_create_project(connection, args.project))
    except LabelStudioError as error:
        print(f"claimbank ls pull: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    return _import_tasks(exported, f"label-studio:{args.project}", args.annotations, args.drafts)
