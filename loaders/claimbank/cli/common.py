"""What every `claimbank` command module shares: the exit statuses, the argument parser, reading a document."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimbank.format.model import Document

# 0 all valid / done, 1 a problem in the input, 2 usage or unreadable input, 3 a bug in claimbank.
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class Parser(argparse.ArgumentParser):
    """argparse, with the exit status of a usage error (2) and nothing printed on stdout."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def load_or_report(path: Path, seeds_dir: Path | None = None) -> Document | int:
    """The validated document at ``path``, or, after printing its problems, the exit status to return."""
    from claimbank.validate.core import ValidationFailed, load_document

    try:
        return load_document(path, seeds_dir=seeds_dir)
    except ValidationFailed as failure:
        sys.stdout.write("".join(p.format() + "\n" for p in failure.problems))
        return EXIT_USAGE if any(p.code == "file-unreadable" for p in failure.problems) else EXIT_INVALID
