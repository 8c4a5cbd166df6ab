"""Benchmark pushing to and pulling from a running Label Studio, against the server alone.

    LABEL_STUDIO_URL=http://127.0.0.1:8080 LABEL_STUDIO_API_KEY=... python benchmarks/bench_labelstudio.py --tasks 10000

Uses two fresh projects. Rows:
  server import   the SDK's import_tasks with ready-made task dicts, 250 a request (the server's own speed)
  claimbank push  claimbank.io.labelstudio.client.push: listing what the project holds, building tasks, importing
  server export   the export download alone
  claimbank pull  export + converting every task back into annotation sets (files not written)
The tasks carry a synthetic article each (claimbank.testing.synth) with its gold set as predictions.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from claimbank.format.canonical import canonical
from claimbank.format.model import Document
from claimbank.io.labelstudio.client import BATCH, Connection, export, push
from claimbank.io.labelstudio.convert import import_export, labeling_config, task
from claimbank.testing.synth import corpus
from claimbank.validate.problems import ProblemSink


def _row(label: str, count: int, seconds: float) -> None:
    print(f"{label:16} {count:>7} tasks {seconds:8.2f} s {count / seconds:9.0f} tasks/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=10_000)
    args = parser.parse_args()
    url, token = os.environ.get("LABEL_STUDIO_URL"), os.environ.get("LABEL_STUDIO_API_KEY")
    if not url or not token:
        raise SystemExit("set LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY")
    connection = Connection(url.rstrip("/"), token, timeout=600)
    client = connection.client()
    documents: list[dict[str, Any]] = [
        canonical(Document.model_validate(d)) for _, d in corpus(args.tasks, seed=3)
    ]
    made = [task(d, d["annotation_sets"][0]) for d in documents]
    stamp = int(time.time())

    alone = client.projects.create(title=f"bench-server-{stamp}", label_config=labeling_config())
    started = time.perf_counter()
    for first in range(0, len(made), BATCH):
        client.projects.import_tasks(id=alone.id, request=made[first : first + BATCH])
    _row("server import", len(made), time.perf_counter() - started)

    ours = client.projects.create(title=f"bench-claimbank-{stamp}", label_config=labeling_config())
    started = time.perf_counter()
    gold = {
        d["id"]: task(d, s)["predictions"][0]
        for d in documents
        for s in d["annotation_sets"]
        if s.get("gold")
    }
    result = push(connection, ours.id, documents, predictions=gold)
    _row("claimbank push", result.imported, time.perf_counter() - started)

    started = time.perf_counter()
    exported = json.loads(
        b"".join(client.projects.exports.download_sync(ours.id, export_type="JSON", download_all_tasks=True))
    )
    _row("server export", len(exported), time.perf_counter() - started)

    started = time.perf_counter()
    exported = export(connection, ours.id)
    by_id = {d["id"]: d for d in documents}
    sink = ProblemSink("bench")
    import_export(exported, by_id, sink)
    assert not sink.problems, sink.problems[:1]
    _row("claimbank pull", len(exported), time.perf_counter() - started)


if __name__ == "__main__":
    main()
