"""``python -m claimbank``: the same as the ``claimbank`` command."""

from claimbank.cli import entry

entry()
