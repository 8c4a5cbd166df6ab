"""Benchmark `claimbank ls backend`: predictions a second over real HTTP, one task a request (a task opened in
Label Studio) and many a request (Actions -> Retrieve predictions), with the rules.

    python benchmarks/bench_labelstudio_backend.py --tasks 200

Rows:
  predict only     the predictor and the conversion to Label Studio regions, no HTTP (the floor)
  1 a request      POST /predict with one task each time
  N a request      POST /predict with --batch tasks each time
The tasks carry a synthetic article each (claimbank.testing.synth).
"""

from __future__ import annotations

import argparse
import threading
import time

import httpx
from werkzeug.serving import make_server

from claimbank.io.labelstudio.backend import RulePredictor, create_app, prediction
from claimbank.testing.synth import corpus


def _row(label: str, count: int, seconds: float) -> None:
    print(f"{label:16} {count:>6} tasks {seconds:8.2f} s {count / seconds:8.0f} tasks/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    texts = [d["text"] for _, d in corpus(args.tasks, seed=4)]
    predictor = RulePredictor()

    started = time.perf_counter()
    for text in texts:
        prediction(predictor, text)
    _row("predict only", len(texts), time.perf_counter() - started)

    httpd = make_server("127.0.0.1", 0, create_app(predictor), threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_port}/predict"
    try:
        with httpx.Client(timeout=120) as client:
            for size, label in ((1, "1 a request"), (args.batch, f"{args.batch} a request")):
                started = time.perf_counter()
                for first in range(0, len(texts), size):
                    tasks = [
                        {"id": first + i, "data": {"text": t}}
                        for i, t in enumerate(texts[first : first + size])
                    ]
                    answer = client.post(url, json={"tasks": tasks})
                    answer.raise_for_status()
                    assert len(answer.json()["results"]) == len(tasks)
                _row(label, len(texts), time.perf_counter() - started)
    finally:
        httpd.shutdown()


if __name__ == "__main__":
    main()
