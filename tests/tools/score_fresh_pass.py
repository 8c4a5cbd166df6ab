"""Score fresh annotation passes against a reference, micro-averaged over documents (docs/agreement.md).

    python tests/tools/score_fresh_pass.py REFERENCE_DIR PASS_DIR [PASS_DIR ...] [--set fresh]

REFERENCE_DIR and each PASS_DIR hold annotation files (<document id>.json) with seeds beside them; the reference's
gold set is compared with each pass's set (`--set`, default "fresh") by claimbank's own scorer
(claimbank.annotate.agreement.evaluate, what `claimbank evaluate` prints), counts summed over the documents.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from claimbank import load_document
from claimbank.annotate.agreement import evaluate


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("reference", type=Path)
    parser.add_argument("passes", type=Path, nargs="+")
    parser.add_argument("--set", default="fresh", help="the set id in each pass's files (default: fresh)")
    args = parser.parse_args()
    for folder in args.passes:
        totals: Counter[tuple[str, str, str]] = Counter()
        for path in sorted(folder.glob("*.json")):
            predicted = next(s for s in load_document(path).annotation_sets if s.id == args.set)
            reference = next(s for s in load_document(args.reference / path.name).annotation_sets if s.gold)
            for mode, scores in evaluate(predicted, reference).items():
                for label, prf in scores.items():
                    totals[(mode, label, "matched")] += prf.matched
                    totals[(mode, label, "predicted")] += prf.predicted
                    totals[(mode, label, "reference")] += prf.reference
        print(folder)
        for mode, label in sorted({(m, label) for m, label, _ in totals}):
            matched, predicted, reference = (
                totals[(mode, label, k)] for k in ("matched", "predicted", "reference")
            )
            precision = matched / predicted if predicted else 0.0
            recall = matched / reference if reference else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            print(
                f"  {mode:8} {label:12} P {precision:.2f} R {recall:.2f} F1 {f1:.2f}  ({matched}/{predicted}/{reference})"
            )


if __name__ == "__main__":
    main()
