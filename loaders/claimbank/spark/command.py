"""``claimbank spark build`` and ``claimbank spark preannotate``: the jobs of :mod:`claimbank.spark.job` from the
command line (and from ``spark-submit``, through :mod:`claimbank.spark.submit`)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimbank.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from claimbank.format.paths import DEFAULT_OUT
from claimbank.util.jsonio import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from claimbank.spark.job import JobResult

COMMON_EPILOG = """\
Runs on Apache Spark (pip install 'claimbank[spark]'; Java 17+). Without --master, a local session with one
worker thread per CPU, or, under spark-submit, the cluster spark-submit names. Every executor must see the input
and the output folders at the same paths (one machine, or a shared file system): see docs/spark.md.

The rows are those `claimbank build` writes, in the same order, whatever the number of partitions. Unlike
`claimbank build`, a bad document does not stop the job: it is refused, each of its problems is a row of the
problems table (Parquet: source, document_id, pointer, code, message, hint; default OUT-problems/), the first
ones are printed as `FILE:POINTER: CODE message (hint: ...)`, and the summary counts them.

exit status: 0 every document written, 1 a document refused, 2 a wrong command line, no input, or no Spark/Java
"""

BUILD_EPILOG = (
    COMMON_EPILOG
    + """
examples:
  claimbank spark build annotations/ --out build/dataset
  claimbank spark build /shared/annotations --out /shared/dataset --master spark://head:7077 --partitions 400
"""
)

PREANNOTATE_EPILOG = (
    COMMON_EPILOG
    + """
input: .jsonl files (one JSON object a line), .parquet files (one row an article) or .txt files (one article, its
id the file's stem), or folders of them; a record has "id" and "text", and optionally "language" and "metadata"
(title, url, publisher, published, license). Other fields are left out. Sources in the problems table are FILE,
FILE:LINE (JSONL) or FILE:ROW (Parquet), counted from 1.

examples:
  claimbank spark preannotate crawl/ --out build/silver --gold
  claimbank spark preannotate articles.parquet --out build/silver --model models/tagger --partitions 64
"""
)


def add_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register ``spark`` and its commands on the ``claimbank`` parser."""
    spark = commands.add_parser(
        "spark",
        help="pre-annotate, validate and build on Apache Spark (crawl scale; docs/spark.md)",
        description="ClaimBank's jobs on Apache Spark (docs/spark.md).",
    )
    sub = spark.add_subparsers(
        dest="spark_command", metavar="COMMAND", parser_class=parser_class, required=True
    )
    build = sub.add_parser(
        "build",
        help="annotation files -> validation -> the dataset folder",
        description="Validate annotation files and build the Hugging Face dataset folder from the valid ones, on "
        "Spark: the Parquet configs and the card of `claimbank build`.",
        epilog=BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="annotation files or folders (default: annotations/)",
    )
    build.add_argument(
        "--seeds", type=Path, metavar="DIR", help="the folder of seed texts (default: the nearest seeds/)"
    )
    _add_common(build)
    build.set_defaults(run=_build)

    pre = sub.add_parser(
        "preannotate",
        help="raw articles -> pre-annotation -> validation -> the dataset folder",
        description="Pre-annotate raw articles (rules, or a trained model with --model), validate the annotation "
        "file each one makes, and build the Hugging Face dataset folder from them, on Spark.",
        epilog=PREANNOTATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pre.add_argument(
        "paths", nargs="+", type=Path, metavar="INPUT", help=".jsonl, .parquet or .txt files, or folders"
    )
    pre.add_argument(
        "--model",
        metavar="DIR",
        help="a model folder of the learned tagger (claimbank.tagger), shipped to every executor (default: the rules)",
    )
    pre.add_argument(
        "--gold",
        action="store_true",
        help="mark the predicted set gold, so that the claims, attributions and tokens configs are built from it "
        "(silver data); without it only the documents config has the predictions",
    )
    pre.add_argument("--language", default="en", help="language of records that give none (default: en)")
    pre.add_argument(
        "--created-at",
        metavar="TIME",
        help="the predicted sets' created_at, e.g. 2026-01-01T00:00:00Z (default: now; fix it to rebuild the same bytes)",
    )
    _add_common(pre)
    pre.set_defaults(run=_preannotate)


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive integer")
    return number


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"the dataset folder (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--problems", type=Path, metavar="DIR", help="the problems table (default: OUT-problems)"
    )
    parser.add_argument(
        "--master",
        metavar="URL",
        help="Spark master: local[N], spark://HOST:PORT, yarn, k8s://... (default: spark-submit's, else local[*])",
    )
    parser.add_argument(
        "--partitions",
        type=_positive,
        metavar="N",
        help="partitions of the input (default: one per ~1,000 records, at least one per core); any N gives "
        "the same rows",
    )
    parser.add_argument(
        "--max-bytes",
        type=_positive,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse files (and JSONL lines) larger than N bytes (default: {DEFAULT_MAX_BYTES})",
    )


def _build(args: argparse.Namespace) -> int:
    from claimbank.spark import job

    paths = args.paths or [Path("annotations")]
    if args.seeds is not None and not args.seeds.is_dir():
        return _usage(f"--seeds {args.seeds} is not a folder")
    return _with_session(
        args,
        lambda spark: job.build_annotations(
            spark,
            paths,
            args.out,
            problems_out=args.problems,
            seeds_dir=args.seeds,
            max_bytes=args.max_bytes,
            partitions=args.partitions,
        ),
        f"no *.json files under {', '.join(map(str, paths))}",
    )


def _preannotate(args: argparse.Namespace) -> int:
    from claimbank.spark import job, predict

    stamp = args.created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    spec = predict.PredictorSpec(stamp, args.model, args.gold)
    try:
        predict.check(spec)  # before Spark starts: a wrong --model costs no start-up
    except predict.PredictorUnavailable as error:
        return _usage(str(error))
    return _with_session(
        args,
        lambda spark: job.build_raw(
            spark,
            args.paths,
            args.out,
            spec=spec,
            language=args.language,
            problems_out=args.problems,
            max_bytes=args.max_bytes,
            partitions=args.partitions,
        ),
        f"no article in .jsonl, .parquet or .txt input under {', '.join(map(str, args.paths))}",
    )


def _with_session(args: argparse.Namespace, run: Any, empty: str) -> int:
    from claimbank.spark import inputs, job, predict, runtime

    try:
        owned = runtime.active_session() is None  # a caller's session (a notebook, a test) is left running
        spark = runtime.session(args.master, app_name=f"claimbank spark {args.spark_command}")
    except runtime.SparkUnavailable as error:
        return _usage(str(error))
    try:
        result: JobResult = run(spark)
    except (inputs.InputError, predict.PredictorUnavailable) as error:
        return _usage(str(error))
    finally:
        if owned:
            spark.stop()
    if not result.documents:
        return _usage(empty)
    return _report(result, args.out, args.problems or job.default_problems_out(args.out))


def _report(result: JobResult, out: Path, problems_out: Path) -> int:
    """Print the first problems (stdout) and the summary (stderr), with the paths as the user gave them."""
    sys.stdout.write("".join(line + "\n" for line in result.shown))
    if result.problems > len(result.shown):
        more = result.problems - len(result.shown)
        print(f"… {more} more problem(s) in {problems_out}", file=sys.stderr)
    summary = (
        f"{result.documents} document(s) in {result.partitions} partition(s): {result.written} written, "
        f"{result.refused} refused ({result.problems} problem(s), table {problems_out})"
    )
    if result.stats is not None:
        rows = ", ".join(f"{config} {sum(c.values())}" for config, c in result.stats.rows.items())
        summary += f"; wrote {out} ({rows} rows)"
    else:
        summary += f"; no valid document, {out} left as it was"
    print(f"{summary} in {result.seconds:.1f} s", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_INVALID


def _usage(message: str) -> int:
    print(f"claimbank spark: error: {message}", file=sys.stderr)
    return EXIT_USAGE
