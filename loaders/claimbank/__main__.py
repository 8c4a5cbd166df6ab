"""``python -m claimbank``: the same as the ``claimbank`` command."""

import sys

from claimbank.cli import main

sys.exit(main())
