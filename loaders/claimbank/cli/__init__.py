"""The ``claimbank`` command: the core commands (``main``), what the command modules share (``common``), and the
commands ``fmt`` and ``docs``. Each external format's command lives with its format (``claimbank.io.<format>``)."""

from __future__ import annotations

from claimbank.cli.main import entry, main

__all__ = ["entry", "main"]
