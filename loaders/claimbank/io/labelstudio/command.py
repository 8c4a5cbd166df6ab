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
            "--deadline",
            type=_seconds,
            default=600.0,
            metavar="SECONDS",
            help="the longest one request may take in all, its whole answer read (default: 600); a server that "
            "sends its answer a little at a time is refused after it",
        )
        command.add_argument(
            "--project",
            default="ClaimBank",
            metavar="TITLE",
            help="the project's exact title (default: ClaimBank); no such project, or two of that title, is an "
            "error",
        )
        command.add_argument(
            "--create",
            action="store_true",
            help="create the project (with ClaimBank's config) if there is none",
        )
        if name == "push":
            command.add_argument(
                "paths",
                nargs="*",
                type=Path,
                metavar="PATH",
                help="annotation files or folders (default: annotations/)",
            )
            given = command.add_mutually_exclusive_group()
            given.add_argument(
                "--predictions",
                metavar="SET",
                help="attach this set as pre-annotations ('gold' for the gold set); a document without it is "
                "an error",
            )
            given.add_argument(
                "--predict",
                action="store_true",
                help="pre-annotate every document now (the rules, or --model) and push the least certain first: "
                "each prediction carries a score, so Label Studio can sort tasks by it",
            )
            command.add_argument(
                "--model",
                type=Path,
                metavar="DIR",
                help="with --predict: a trained tagger's folder instead of the rules",
            )
            command.add_argument("--no-progress", action="store_true", help="no progress bar")
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

    ls_backend = ls_commands.add_parser(
        "backend",
        help="serve live pre-annotations to Label Studio (an ML backend)",
        description="Run a Label Studio ML backend: Label Studio asks it for predictions when a task is opened "
        "(or on Actions -> Retrieve predictions) and gets ClaimBank's regions, per-region choices and relations, "
        "with a score and a model version. Connect it in the project's Settings -> Model, or with "
        "label-studio-sdk's ml.create(url=..., project=...). Serves the rules unless --model names a trained "
        "tagger's folder. Webhook events about annotations are counted (GET /metrics); the rules do not retrain.",
        epilog="example:\n  claimbank ls backend --port 9090 &\n  # Label Studio: Settings -> Model -> Connect "
        "model, URL http://127.0.0.1:9090",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ls_backend.add_argument(
        "--model", type=Path, metavar="DIR", help="a trained tagger's folder (default: rules)"
    )
    ls_backend.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)"
    )
    ls_backend.add_argument("--port", type=int, default=9090, help="the port to listen on (default: 9090)")
    ls_backend.set_defaults(run=_ls_backend)


MISSING_EXTRA = "claimbank ls {command}: error: this needs {module}, which is not installed: pip install 'claimbank[labelstudio]'"


def _missing(command: str, error: ModuleNotFoundError) -> int | None:
    """The exit status for a missing optional dependency of the Label Studio commands (after one clear line)."""
    module = (error.name or "").split(".")[0]
    if module not in ("label_studio_sdk", "flask", "werkzeug", "httpx"):
        return None
    print(MISSING_EXTRA.format(command=command, module=module.replace("_", "-")), file=sys.stderr)
    return EXIT_USAGE


def _ls_backend(args: argparse.Namespace) -> int:
    try:
        from claimbank.io.labelstudio.backend import PredictorUnavailable, create_app, load_predictor, serve

        predictor = load_predictor(args.model)
        app = create_app(predictor)
    except PredictorUnavailable as error:
        print(f"claimbank ls backend: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as error:
        status = _missing("backend", error)
        if status is None:
            raise
        return status

    def ready(port: int) -> None:
        print(
            f"claimbank ls backend: serving {predictor.model_version} on http://{args.host}:{port} "
            "(Ctrl-C stops it)",
            file=sys.stderr,
            flush=True,
        )

    try:
        serve(app, args.host, args.port, ready=ready)
    except OSError as error:
        print(
            f"claimbank ls backend: error: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return EXIT_OK


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


def _seconds(text: str) -> float:
    """A positive number of seconds, at most a day (argparse's type for --deadline)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 86400 seconds")
    return value


def _connection(args: argparse.Namespace) -> Any:
    from claimbank.io.labelstudio.client import Connection, check_url

    token = os.environ.get(args.token_env, "")
    if not args.url or not token:
        missing = "--url (or LABEL_STUDIO_URL)" if not args.url else f"the token in ${args.token_env}"
        print(f"claimbank ls {args.ls_command}: error: {missing} is not set", file=sys.stderr)
        return None
    problem = check_url(args.url)
    if problem is not None:
        print(f"claimbank ls {args.ls_command}: error: --url {problem}", file=sys.stderr)
        return None
    return Connection(args.url.rstrip("/"), token, deadline=args.deadline)


def _ls_push(args: argparse.Namespace) -> int:
    try:
        return _push(args)
    except ModuleNotFoundError as error:
        status = _missing("push", error)
        if status is None:
            raise
        return status


def _push(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from claimbank.format.canonical import canonical
    from claimbank.io.labelstudio.client import (
        UNCERTAIN_FIRST,
        LabelStudioError,
        find_project,
        push,
        uncertainty_view,
    )
    from claimbank.validate.core import iter_files

    if args.model is not None and not args.predict:
        print("claimbank ls push: error: --model goes with --predict", file=sys.stderr)
        return EXIT_USAGE
    connection = _connection(args)
    if connection is None:
        return EXIT_USAGE
    documents = []
    for path in iter_files(args.paths or [Path("annotations")]):
        loaded = load_or_report(path)
        if isinstance(loaded, int):
            print("claimbank ls push: invalid input; nothing sent", file=sys.stderr)
            return loaded
        documents.append((path, canonical(loaded)))
    if args.predict:
        ordered = _predicted(args.model, [d for _, d in documents], args.no_progress)
        if ordered is None:
            return EXIT_USAGE
        # Uncertainty first: the least certain documents become the first tasks (Label Studio's default order).
        by_id = {path_and[1]["id"]: path_and for path_and in documents}
        documents = [by_id[document["id"]] for document, _ in ordered]
        predictions = {document["id"]: made for document, made in ordered}
    else:
        chosen = _chosen(args.predictions, documents)
        if chosen is None:
            return EXIT_INVALID
        predictions = chosen
    try:
        project = find_project(connection, args.project, create=args.create)
        with tqdm(
            total=len(documents),
            desc="pushing",
            unit="task",
            delay=1.0,
            disable=args.no_progress or None,
            file=sys.stderr,
        ) as bar:
            result = push(
                connection, project, [d for _, d in documents], predictions=predictions, progress=bar.update
            )
        if args.predict:
            view = uncertainty_view(connection, project)
            print(
                f"project {project}: tab {UNCERTAIN_FIRST!r} (view {view}) lists the least certain first",
                file=sys.stderr,
            )
    except LabelStudioError as error:
        print(f"claimbank ls push: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    added = f"; predictions added to {result.predictions_added} task(s)" if result.predictions_added else ""
    print(
        f"project {project}: {result.imported} task(s) imported, {result.already_there} already there{added}",
        file=sys.stderr,
    )
    return EXIT_OK


def _chosen(wanted: str | None, documents: list[tuple[Path, dict[str, Any]]]) -> dict[str, Any] | None:
    """The named set of every document as a Label Studio prediction; None (after saying so) if one lacks it."""
    from claimbank.io.labelstudio.convert import task

    if not wanted:
        return {}
    found: dict[str, Any] = {}
    lacking = []
    for path, document in documents:
        sets = document["annotation_sets"]
        chosen = next((s for s in sets if (s.get("gold") if wanted == "gold" else s["id"] == wanted)), None)
        if chosen is None:
            lacking.append(
                f"{path}: no annotation set {wanted!r} (it has {', '.join(s['id'] for s in sets)})"
            )
        else:
            found[document["id"]] = task(document, chosen)["predictions"][0]
    for line in lacking:
        print(line)
    if lacking:
        print(
            f"claimbank ls push: --predictions {wanted}: {len(lacking)} document(s) lack it; nothing sent",
            file=sys.stderr,
        )
        return None
    return found


def _predicted(
    model: Path | None, documents: list[dict[str, Any]], no_progress: bool = True
) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
    """Every document with its prediction from the rules or ``model``, the least certain first; None (after
    saying why) if the predictor cannot be loaded."""
    from claimbank.io.labelstudio.backend import PredictorUnavailable, load_predictor, uncertainty_first

    try:
        predictor = load_predictor(model)
    except PredictorUnavailable as error:
        print(f"claimbank ls push: error: {error}", file=sys.stderr)
        return None
    from tqdm import tqdm

    bar = tqdm(
        documents, desc="predicting", unit="doc", delay=1.0, disable=no_progress or None, file=sys.stderr
    )
    return uncertainty_first(predictor, bar)


def _ls_pull(args: argparse.Namespace) -> int:
    try:
        return _pull(args)
    except ModuleNotFoundError as error:
        status = _missing("pull", error)
        if status is None:
            raise
        return status


def _pull(args: argparse.Namespace) -> int:
    from claimbank.io.labelstudio.client import LabelStudioError, export, find_project, users

    connection = _connection(args)
    if connection is None:
        return EXIT_USAGE
    try:
        project = find_project(connection, args.project, create=args.create)
        exported = export(connection, project)
        known = users(connection)
    except LabelStudioError as error:
        print(f"claimbank ls pull: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    for item in exported:
        for annotation in [*(item.get("annotations") or []), *(item.get("drafts") or [])]:
            by = annotation.get("completed_by") if isinstance(annotation, dict) else None
            if isinstance(by, int) and by in known:
                annotation["completed_by"] = known[by]  # annotators by e-mail, not by a number
    return _import_tasks(exported, f"label-studio:{args.project}", args.annotations, args.drafts)
