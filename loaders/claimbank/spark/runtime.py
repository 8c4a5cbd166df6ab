"""What a Spark job needs before it starts: pyspark importable, a Java runtime, and a session.

Both are optional for ClaimBank (the ``spark`` extra); a missing one is a :class:`SparkUnavailable` with one line
that says how to install it, never an import traceback.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Executors' Python must be the driver's (same claimbank, same pyarrow) unless the user says otherwise.
_PYTHON_ENV = ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")


class SparkUnavailable(Exception):
    """pyspark or Java is missing; the message is the one line to show."""


def java_executable() -> str | None:
    """The ``java`` Spark will start: ``$JAVA_HOME/bin/java`` when JAVA_HOME is set (as Spark does), else PATH's."""
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / "java"
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which("java")


def require() -> None:
    """Raise :class:`SparkUnavailable` unless pyspark can be imported and a Java runtime can be started."""
    try:
        import pyspark  # noqa: F401 - imported to know it imports, not only that it is on the path
    except ImportError:
        raise SparkUnavailable(
            "pyspark is not installed: pip install 'claimbank[spark]' (PySpark 4.x, which also needs Java 17+)"
        ) from None
    if java_executable() is None:
        where = (
            f"JAVA_HOME={os.environ['JAVA_HOME']} has no bin/java"
            if os.environ.get("JAVA_HOME")
            else "no java on PATH"
        )
        raise SparkUnavailable(
            f"Spark needs Java 17 or later ({where}): apt-get install openjdk-17-jre-headless, or set JAVA_HOME"
        )


def launched_by_spark_submit() -> bool:
    """Whether this Python was started by ``spark-submit`` (or the pyspark shell): its JVM is already running and
    its master and resources come from spark-submit's options."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def active_session() -> SparkSession | None:
    """The session already running in this process, if any (pyspark is not imported when none can be)."""
    require()
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


def session(master: str | None = None, *, app_name: str = "claimbank") -> SparkSession:
    """The Spark session for a job: ``master`` if given; else spark-submit's; else ``local[*]``.

    Spark's own log lines are kept to errors; its progress bar (one line per stage, on stderr) stays on.
    """
    require()
    for name in _PYTHON_ENV:
        os.environ.setdefault(name, sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master or not launched_by_spark_submit():
        log_config = resources.files("claimbank.spark").joinpath("log4j2.properties")
        builder = (
            builder.master(master or "local[*]")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log_config}")
        )
        # A machine whose name resolves to a loopback address makes Spark warn; a local session needs no other.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with warnings.catch_warnings():  # pyspark warns about pandas versions; no job here uses pandas
        warnings.simplefilter("ignore", FutureWarning)
        spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
