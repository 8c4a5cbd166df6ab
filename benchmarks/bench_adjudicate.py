"""Benchmark adjudication and span-aware agreement (γ) on the seed's passes and on synthetic passes.

    python benchmarks/bench_adjudicate.py               # adjudicate + γ on the seed's three passes
    python benchmarks/bench_adjudicate.py --articles 50 # adjudicate three noisy copies of synthetic gold sets

Prints seconds for: importing pygamma-agreement (numba compiles its kernels then), γ over the seed's attribution
spans and over all its spans, and `adjudicate` per document. γ needs the gamma extra; without it that part is skipped.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from claimbank import load_document
from claimbank.annotate.adjudicate import adjudicate
from claimbank.format.model import AnnotationSet, Document
from claimbank.format.vocab import SpanLabel

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"


def noisy(gold: AnnotationSet, name: str, rng: random.Random) -> AnnotationSet:
    """A pass that drops a tenth of the claims (a plausible disagreement) of ``gold``."""
    claims = [c for c in gold.claims if rng.random() > 0.1]
    return gold.model_copy(update={"id": name, "gold": False, "claims": claims})


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, default=0, help="synthetic articles to adjudicate (default: 0)"
    )
    args = parser.parse_args()
    document = load_document(SEED)
    passes = [s for s in document.annotation_sets if not s.gold]
    start = time.perf_counter()
    for _ in range(20):
        adjudicate(document, passes)
    print(
        f"adjudicate, seed (3 passes, {sum(len(p.spans) for p in passes)} spans): "
        f"{(time.perf_counter() - start) / 20 * 1000:.1f} ms per document"
    )
    if args.articles:
        from claimbank.testing import synth

        rng = random.Random(7)
        documents = [Document.model_validate(data) for _, data in synth.corpus(args.articles)]
        if documents:
            start = time.perf_counter()
            for doc in documents:
                gold = next(s for s in doc.annotation_sets if s.gold)
                adjudicate(doc, [noisy(gold, f"p{i}", rng) for i in range(3)])
            elapsed = time.perf_counter() - start
            print(f"adjudicate, {len(documents)} synthetic documents: {len(documents) / elapsed:.0f} docs/s")
    try:
        start = time.perf_counter()
        import pygamma_agreement  # noqa: F401
    except ImportError:
        print("gamma: pygamma-agreement not installed (pip install 'claimbank[gamma]'), skipped")
        return 0
    print(f"gamma: importing pygamma-agreement {time.perf_counter() - start:.1f} s")
    from claimbank.annotate.agreement import gamma, span_units

    for labels in ((SpanLabel.SOURCE, SpanLabel.CUE, SpanLabel.CONTENT), tuple(SpanLabel)):
        units = span_units(passes, labels)
        start = time.perf_counter()
        found = gamma(units)
        print(
            f"gamma over {len(units)} spans ({', '.join(v.value for v in labels)}): {found.gamma:.3f} "
            f"in {time.perf_counter() - start:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
