"""`claimbank adjudicate`: the file side of :mod:`claimbank.annotate.adjudicate`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from claimbank.cli.common import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, load_or_report

EPILOG = """\
The rule: an item (a span, an attribution, a claim) goes into the draft when more than half of the passes have it;
spans are matched by overlap within a label, and a kept span takes the offsets that most passes share (listed as a
boundary disagreement when no majority shares them exactly); attributions are matched by cue and content, claims
by their span; attributes, refers_to, an attribution's kind and source, claimer, factuality and modality take the
majority's value, else the first pass's (listed). Ties go to the pass named first. See
docs/agreement.md, "Adjudication".

Every disagreement is listed: one line each (--format text), as data (--format json), and side by side, one column
per pass, with --html. The draft is a set with gold false, origin manual, annotator claimbank-adjudicate,
adjudicated_from the passes, and a note saying which passes had each item; review it, then mark it gold.

exit status: 0 done (disagreements are not errors), 1 the file is invalid, 2 unreadable or a wrong command line

examples:
  claimbank adjudicate annotations/000_fb2fb690b74273a6.json --sets pass-a pass-b pass-c
  claimbank adjudicate FILE --out FILE --html disagreements.html   # add the draft to FILE, in place
  claimbank adjudicate FILE --format json > disagreements.json
"""


def add_parser(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Register ``adjudicate`` on the ``claimbank`` parser."""
    parser = commands.add_parser(
        "adjudicate",
        help="a draft gold where the passes agree, and every disagreement listed (text, JSON, HTML)",
        description="Merge independent annotation passes of one document into a draft gold set by majority, "
        "and list every place where they disagree.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="an annotation file")
    parser.add_argument(
        "--sets",
        nargs="+",
        metavar="ID",
        help="the passes, two or more (default: every set that is not gold)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write FILE's document with the draft added (may be FILE itself)",
    )
    parser.add_argument("--id", dest="set_id", default="draft", help="the draft set's id (default: draft)")
    parser.add_argument(
        "--html", type=Path, metavar="OUT", help="write the disagreements side by side as HTML"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output (default: text)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from claimbank.annotate.adjudicate import ADJUDICATOR, adjudicate, with_draft

    document = load_or_report(args.file)
    if isinstance(document, int):
        return document
    sets = {s.id: s for s in document.annotation_sets}
    names = args.sets or [s.id for s in document.annotation_sets if not s.gold and s.annotator != ADJUDICATOR]
    unknown = [name for name in names if name not in sets]
    if unknown:
        print(
            f"claimbank adjudicate: no annotation set {unknown[0]!r}; sets: {', '.join(sets)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if len(set(names)) < 2:
        print("claimbank adjudicate: needs two or more different passes (--sets A B …)", file=sys.stderr)
        return EXIT_USAGE
    existing = sets.get(args.set_id)
    if args.out and existing is not None and existing.annotator != ADJUDICATOR:
        print(
            f"claimbank adjudicate: {args.file} already has a set {args.set_id!r} not made by {ADJUDICATOR}; "
            "choose another --id",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.set_id in names:
        print(f"claimbank adjudicate: --id {args.set_id!r} is one of the passes", file=sys.stderr)
        return EXIT_USAGE
    result = adjudicate(document, [sets[name] for name in dict.fromkeys(names)], set_id=args.set_id)
    if args.out:
        status = _write(args.out, with_draft(document, result.draft), args.file)
        if status != EXIT_OK:
            return status
    if args.html:
        from claimbank.annotate.html import render_adjudication
        from claimbank.util.jsonio import write_atomic

        write_atomic(args.html, render_adjudication(document, result))
        print(f"wrote {args.html}", file=sys.stderr)
    draft = result.draft
    if args.format == "json":
        payload = {
            "file": str(args.file),
            "passes": list(result.passes),
            "majority": result.majority,
            "draft": {
                "spans": len(draft.spans),
                "attributions": len(draft.attributions),
                "claims": len(draft.claims),
            },
            "provenance": {item: list(found) for item, found in result.provenance.items()},
            "disagreements": [d.as_dict() for d in result.disagreements],
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(
        f"{args.file}: draft {draft.id!r} from {', '.join(result.passes)} (kept when {result.majority} of "
        f"{len(result.passes)} agree): {len(draft.spans)} spans, {len(draft.attributions)} attributions, "
        f"{len(draft.claims)} claims; {len(result.disagreements)} disagreement(s)"
    )
    for d in result.disagreements:
        item = d.item or "-"
        print(f"  {d.layer} {item} {d.what} “{_clip(d.text)}” had: {' '.join(d.had)}: {d.decision}")
        print("    " + "; ".join(f"{p}: {_clip(v, 40) or '—'}" for p, v in d.variants.items()))
    return EXIT_OK


def _write(out: Path, data: dict[str, Any], source: Path) -> int:
    """Validate the document with its draft, then write it atomically under the folder lock."""
    from claimbank.format.canonical import canonical_text
    from claimbank.format.model import Document
    from claimbank.format.paths import find_seeds_dir
    from claimbank.util.jsonio import folder_lock, write_atomic
    from claimbank.validate.core import check_data

    problems = check_data(data, name=str(out), seeds_dir=find_seeds_dir(source.resolve().parent))
    if problems:  # the draft is made from valid passes: a problem here is a bug in claimbank
        sys.stdout.write("".join(p.format() + "\n" for p in problems))
        return EXIT_INTERNAL
    with folder_lock(out.parent):
        write_atomic(out, canonical_text(Document.model_validate(data)))
    print(f"wrote {out}", file=sys.stderr)
    return EXIT_OK


def _clip(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
