"""`claimbank migrate`: annotation files of an older schema version (1.x) rewritten as files of this one (2.0).

Each file is read strictly, upgraded by :func:`claimbank.format.migrate.migrate`, validated whole (the upgraded
document must be valid, or nothing is written), and written in canonical form (``claimbank fmt``'s) atomically
under its folder's lock. A file already at 2.0 is left alone, so a second run changes nothing (byte for byte).
``--check`` writes nothing and exits 1 when a file needs migrating, for CI.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimbank.cli.common import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from claimbank.format.migrate import TARGET, migrate, needs_migration
from claimbank.format.paths import find_seeds_dir
from claimbank.util.jsonio import folder_lock, read_bytes, write_atomic
from claimbank.validate.problems import Problem, ProblemSink, Report

EPILOG = """\
exit status: 0 every file is at schema 2.0 (migrated now or already); 1 a file could not be migrated (its
problems are listed, nothing of it written), or with --check one needs migrating; 2 a file could not be read

examples:
  claimbank migrate                       # every *.json under annotations/
  claimbank migrate --check annotations/  # in CI: fail while a file is still 1.x
"""


def add_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register ``migrate`` on the ``claimbank`` parser."""
    parser = commands.add_parser(
        "migrate",
        help=f"upgrade annotation files of schema 1.x to {TARGET} in place (lossless)",
        description=f"Upgrade annotation files of schema version 1.x to {TARGET}: the version is set, and the "
        "pieces of a discontinuous span that 1.x kept as spans named <id>:2, <id>:3 are joined into one span in "
        "fragments (docs/format.md#versions). The result is validated before it is written (atomically, in "
        "canonical form); files already at 2.0 are left alone, so migrating twice changes nothing.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: annotations/)"
    )
    parser.add_argument("--check", action="store_true", help="write nothing; list the files that need it")
    parser.add_argument(
        "--seeds", type=Path, metavar="DIR", help="seed texts (default: nearest seeds/ above each file)"
    )
    parser.add_argument("--quiet", action="store_true", help="do not list each change")
    parser.set_defaults(run=run)


@dataclass
class Outcome:
    """What migrating one file found: its problems (nothing written), or the changes (none: already 2.0)."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


def migrate_file(path: Path, *, write: bool, seeds_dir: Path | None = None) -> Outcome:
    """Upgrade one file (written only when ``write``, under its folder's lock, read again under it)."""
    outcome, text = _look(path, seeds_dir)
    if not write or not outcome.changes or outcome.problems:
        return outcome
    with folder_lock(path.parent):
        outcome, text = _look(path, seeds_dir)
        if outcome.changes and not outcome.problems:
            write_atomic(path, text)
    return outcome


def _look(path: Path, seeds_dir: Path | None) -> tuple[Outcome, str]:
    from claimbank.format.canonical import canonical_text
    from claimbank.format.model import Document
    from claimbank.util.jsonio import parse
    from claimbank.validate.core import check_data

    sink = ProblemSink(str(path))
    data = read_bytes(path, sink)
    parsed = parse(data, sink) if data is not None else None
    if parsed is None or sink.problems:
        return Outcome(path, list(sink.problems)), ""
    if not needs_migration(parsed.value) or not isinstance(parsed.value, dict):
        return Outcome(path), ""  # at 2.0 already, or not a file migrate knows: validate says what it is
    upgraded, changes = migrate(parsed.value)
    seeds = seeds_dir if seeds_dir is not None else find_seeds_dir(path.parent)
    problems = check_data(upgraded, name=str(path), path=path, seeds_dir=seeds, has_floats=parsed.has_floats)
    if problems:
        return Outcome(path, problems, changes), ""
    return Outcome(path, [], changes), canonical_text(Document.model_validate(upgraded))


def migrate_paths(paths: Iterable[Path], *, write: bool, seeds_dir: Path | None = None) -> list[Outcome]:
    """:func:`migrate_file` for every ``*.json`` under ``paths`` (files as given, folders searched)."""
    from claimbank.validate.core import iter_sources

    return [migrate_file(Path(name), write=write, seeds_dir=seeds_dir) for _, name in iter_sources(paths)]


def run(args: argparse.Namespace) -> int:
    outcomes = migrate_paths(args.paths or [Path("annotations")], write=not args.check, seeds_dir=args.seeds)
    if not outcomes:
        print("claimbank migrate: no *.json files found", file=sys.stderr)
        return EXIT_USAGE
    report = Report()
    pending = 0
    for outcome in outcomes:
        report.extend(str(outcome.path), outcome.problems)
        if outcome.changes and not outcome.problems:
            pending += 1
            print(f"{'would migrate' if args.check else 'migrated'} {outcome.path}")
            if not args.quiet:
                print("".join(f"  {change}\n" for change in outcome.changes), end="")
    sys.stdout.write(report.format_text())
    failed = len([name for name, problems in report.by_file().items() if problems])
    verb = "need migrating" if args.check else f"migrated to {TARGET}"
    print(f"{len(outcomes)} file(s): {pending} {verb}, {failed} could not be", file=sys.stderr)
    if report.exit_code != EXIT_OK:
        return report.exit_code
    return EXIT_INVALID if args.check and pending else EXIT_OK
