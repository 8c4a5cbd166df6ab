"""The entry script for ``spark-submit``: the arguments of ``claimbank spark``, e.g.

    spark-submit --master yarn --deploy-mode client loaders/claimbank/spark/submit.py build /shared/annotations \\
        --out /shared/dataset

The master, executors and their memory come from spark-submit's options (docs/spark.md).
"""

from __future__ import annotations

import sys

from claimbank.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["spark", *sys.argv[1:]]))
