"""The dataset card (``README.md`` of a built dataset): YAML front matter that ``datasets`` and the Hub read, and the
prose sections a Hub card has; and ``LICENSE.md``, which the card's ``license_link`` points to.

Everything in it is generated: configs and features from ``claimbank.dataset.features``, label definitions from
``claimbank.format.vocab``, counts and provenance from the build. Nothing here reads the clock, so the same input
gives the same card. Text that comes from the annotation files (a publisher, a URL, an annotator's handle) is
escaped (:func:`cell`), so that a document's metadata cannot inject Markdown or HTML into the card.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import yaml

from claimbank import __version__
from claimbank.dataset import features
from claimbank.format import vocab

if TYPE_CHECKING:
    from claimbank.dataset.build import BuildStats

CITATION = (
    "@misc{claimbank,\n"
    "  title  = {ClaimBank: news articles annotated for claims and their attribution},\n"
    "  author = {{ClaimBank developers}},\n"
    "  year   = {2026},\n"
    f"  note   = {{Version {__version__}}}\n"
    "}"
)
DESCRIPTION = (
    "News articles annotated for claims and their attribution: who says what, through which cue. Attribution "
    "relations (SOURCE, CUE, CONTENT spans, nested attributions, explicit non-attributions) and check-worthy claims "
    "with their claimer and FactBank factuality, as standoff annotation over the exact article text (offsets are "
    "Unicode code points, half-open)."
)
# license: other, because the texts keep their publishers' terms (LICENSE.md, generated per build, lists them).
LICENSE_NAME = "claimbank-mixed"
LICENSE_LINK = "LICENSE.md"
TAGS = ["attribution", "claims", "factuality", "news", "fact-checking"]
# Hub metadata for where each annotation set's origin comes from.
ANNOTATIONS_CREATORS = {
    vocab.Origin.MANUAL: "expert-generated",
    vocab.Origin.PREDICTION: "machine-generated",
    vocab.Origin.IMPORTED: "found",
}
SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
]

# What can start markup inside a line (text is put on one line first, so block syntax such as "#" cannot start one).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]!|~])")


def cell(text: object) -> str:
    """``text`` safe inside a Markdown table cell or line: one line, HTML escaped (no tags, no entities of its own),
    and the Markdown punctuation that makes emphasis, code, links or table cells escaped."""
    flat = " ".join(str(text).split())
    return _MARKDOWN.sub(r"\\\1", html.escape(flat, quote=False))


def declared(data_files: dict[str, dict[str, list[str]]]) -> list[str]:
    """The configs the card declares: those with rows (datasets 5.2 cannot load a config or split of 0 rows)."""
    return [config for config in features.CONFIGS if data_files[config]]


def size_category(documents: int) -> str:
    return next((name for limit, name in SIZE_CATEGORIES if documents < limit), "n>10M")


def front_matter(data_files: dict[str, dict[str, list[str]]], stats: BuildStats) -> dict[str, Any]:
    """The YAML header: Hub metadata, ``configs`` (data files per split) and ``dataset_info`` per config."""
    configs = []
    infos = []
    for config in declared(data_files):
        splits = data_files[config]
        entry: dict[str, Any] = {
            "config_name": config,
            "data_files": [{"split": split, "path": f"data/{config}/{split}-*.parquet"} for split in splits],
        }
        if config == "documents":
            entry["default"] = True
        configs.append(entry)
        infos.append(
            {
                "config_name": config,
                # datasets 5.2 carries these three into the loaded Dataset's .info (DatasetInfo._from_yaml_dict).
                "description": f"{DESCRIPTION} {features.DESCRIPTIONS[config]}",
                "citation": CITATION,
                "license": f"other ({LICENSE_NAME}): see {LICENSE_LINK}",
                "features": features.yaml_features(config),
                "splits": [
                    {
                        "name": split,
                        "num_bytes": stats.arrow_bytes[config][split],
                        "num_examples": stats.rows[config][split],
                    }
                    for split in splits
                ],
                "download_size": sum(stats.parquet_bytes[config].values()),
                "dataset_size": sum(stats.arrow_bytes[config][split] for split in splits),
            }
        )
    documents = sum(stats.rows["documents"].values())
    creators = sorted(
        {ANNOTATIONS_CREATORS[origin] for origin in vocab.Origin if stats.origins[origin.value]}
    )
    return {
        "pretty_name": "ClaimBank",
        "language": sorted(stats.languages),
        "license": "other",
        "license_name": LICENSE_NAME,
        "license_link": LICENSE_LINK,
        "annotations_creators": creators or ["no-annotation"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual" if len(stats.languages) <= 1 else "multilingual"],
        "size_categories": [size_category(documents)],
        "source_datasets": ["original"]
        + (["extended"] if stats.origins[vocab.Origin.IMPORTED.value] else []),
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["fact-checking", "multi-class-classification"],
        "tags": TAGS,
        "configs": configs,
        "dataset_info": infos,
    }


def _label_section() -> str:
    lines = ["### Labels", ""]
    for enum in vocab.VOCABULARIES:
        lines += [f"#### {enum.__name__}", "", enum.__doc__ or "", ""]
        lines += [f"- `{member.value}`: {member.description}" for member in enum]
        lines.append("")
    return "\n".join(lines)


def _counts_section(stats: BuildStats) -> str:
    from claimbank.dataset.build import SPLITS

    lines = ["### Counts", "", "| config | " + " | ".join(SPLITS) + " |", "|---|---|---|---|"]
    for config in features.CONFIGS:
        lines.append(f"| {config} | " + " | ".join(str(stats.rows[config][s]) for s in SPLITS) + " |")
    lines.append("")
    for name, counter in stats.labels.items():
        lines.append(f"- {name}: " + ", ".join(f"`{k}` {v}" for k, v in sorted(counter.items())))
    return "\n".join(lines) + "\n"


def _splits_section(stats: BuildStats) -> str:
    from claimbank.dataset.build import HASHED, SPLIT_MAP, STORED

    rules = ", ".join(f"{name}: {stats.split_rules[name]}" for name in (SPLIT_MAP, STORED, HASHED))
    return f"""### Splits

A document's split is, in this order: the one a split map given to `claimbank build --split-map` names; the one
the document stores (its corpus's own split, set on import, e.g. `claimbank brat import --split test`); or else
the one fixed by its id: the first 4 bytes of SHA-256(id), modulo 100: 0–79 `train`, 80–89 `validation`,
90–99 `test`. Documents per rule: {rules}. A config declares the splits in which it has rows.
"""


def _tokens_section(stats: BuildStats) -> str:
    from claimbank.dataset import rows

    tally = ", ".join(f"{name}: {stats.tally[name]}" for name in rows.TALLY)
    return f"""### Tokens and tags

Tokens come from the text alone: runs of word characters or single other characters, never splitting a
user-perceived character. Spans are mapped onto the tokens they overlap; a span whose edge falls inside a token
tags the whole token. BIO tags hold one span per token, so each tag sequence has a second layer (`nested_…`):
spans are placed outermost first, and one that overlaps a span of the first layer (the roles of a nested
attribution inside its outer CONTENT, a claim inside a claim) goes to the second. In `sentences`, a span that
runs on past a sentence end starts again with `B-` in the next sentence. In this build: {tally}.
"""


def _provenance_section(stats: BuildStats) -> str:
    lines = ["### Source data", "", "| publisher | licence | documents |", "|---|---|---|"]
    lines += [f"| {cell(p)} | {cell(lic)} | {n} |" for (p, lic), n in sorted(stats.sources.items())]
    total = sum(stats.sources.values())
    shown = (
        "every document" if total == len(stats.provenance) else f"the first {len(stats.provenance)} documents"
    )
    lines += ["", f"Seeds, {shown} (seed files are in the source repository's `seeds/`):", ""]
    lines += [
        "| document | seed file | sha256 | split | gold | title | url |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in stats.provenance:
        lines.append(
            # id and seed match the schema's safe patterns (letters, digits, _ . -): nothing to escape in code.
            f"| `{item['id']}` | `seeds/{item['seed']}` | `{item['sha256'][:16]}…` | {item['split']} | "
            f"{'yes' if item['gold'] else 'no'} | {cell(item.get('title', ''))} | {cell(item.get('url', ''))} |"
        )
    return "\n".join(lines) + "\n"


def _annotators_section(stats: BuildStats) -> str:
    lines = [
        "| gold set made by | origin | documents |",
        "|---|---|---|",
        *(f"| {cell(who)} | {origin} | {n} |" for (who, origin), n in sorted(stats.annotators.items())),
    ]
    origins = ", ".join(f"`{origin}` {n}" for origin, n in sorted(stats.origins.items()))
    return "\n".join(lines) + f"\n\nAnnotation sets of every kind in `documents`: {origins or 'none'}.\n"


def render(data_files: dict[str, dict[str, list[str]]], stats: BuildStats) -> str:
    """The whole card."""
    header = yaml.safe_dump(front_matter(data_files, stats), sort_keys=False, allow_unicode=True, width=1000)
    configs = "\n".join(f"- `{name}`: {features.DESCRIPTIONS[name]}" for name in declared(data_files))
    missing = [name for name in features.CONFIGS if name not in declared(data_files)]
    if missing:
        configs += (
            "\n\nNot declared in this build, because they have no rows (this corpus has no gold set, or its gold "
            "sets have none of these), and `datasets` 5.2 cannot load a config or split of 0 rows: "
            + ", ".join(f"`{name}`" for name in missing)
            + "."
        )
    body = f"""# ClaimBank

{DESCRIPTION} Built by claimbank {__version__} from validated annotation files.

```python
from datasets import load_dataset

claims = load_dataset("<this folder>", "claims")
split = next(iter(claims.values()))
print(split.features["factuality"].int2str(split[0]["factuality"]) if split.num_rows else "no claims")
```

## Dataset Structure

### Configs

{configs}

Label columns are `ClassLabel`s (`features[...].names`); a null label means the row has no such attribute.
The `claims`, `attributions`, `tokens` and `sentences` configs hold the gold annotation set of each document;
documents without a gold set appear only in `documents`, which holds every annotation set and converts back into
the annotation file exactly. Every row of a view carries its document's `license`.

{_splits_section(stats)}
{_tokens_section(stats)}
{_counts_section(stats)}
{_label_section()}
## Dataset Creation

### Curation rationale

Fact-checking needs to know who stands behind a claim and how committed they are to it. ClaimBank annotates
attribution (source, cue, content; explicit non-attributions such as "No group has claimed responsibility") and
claims (claimer, factuality, hedges and boosters) on the same text, so both can be learned and evaluated together.

{_provenance_section(stats)}
### Annotation process

Annotators follow the ClaimBank guidelines (`docs/guidelines.md` in the source repository) and write standoff
annotation files that `claimbank validate` checks (offsets against the text, references between layers, the seed
text and its SHA-256) before anything is built. Articles may carry several independent annotation sets (passes);
the gold set is adjudicated from them, and agreement between passes is measured with `claimbank agree`. Sets
imported from other corpora (brat / PolNeAR) keep that corpus's annotation and are marked `imported`.

### Who are the annotators?

{_annotators_section(stats)}
## Uses

Training and evaluating attribution extraction (source, cue and content tagging: `tokens`, `sentences`), claim
detection, claimer and factuality classification (`claims`), and attribution relation extraction
(`attributions`). Not for republishing the article texts, and not as a judgement of whether any claim is true:
factuality describes how the claimer presents a claim, not whether it holds.

## Bias, Risks, and Limitations

- Small: the corpus grows one annotated article at a time; the splits of a small corpus are uneven.
- News articles from few outlets, in {", ".join(sorted(stats.languages)) or "no language"}: the sources, topics and
  reporting conventions of those outlets are over-represented.
- Sentences come from a simple rule-based splitter (end punctuation, line breaks) and tokens from a simple rule;
  a model evaluated on other tokenisations sees other boundaries.
- Tag sequences hold two layers of overlapping spans; deeper nesting is counted above, and is complete only in the
  `attributions`, `claims` and `documents` configs.

## Personal and Sensitive Information

The texts are published news articles: they name public figures and officials and quote them, and may mention
other people as reported in the news. No other personal data was collected. Annotators appear only by the handle
in each annotation set's `annotator` field.

## Licence

`license: other` ({LICENSE_NAME}, see `{LICENSE_LINK}`): the annotations are MIT-licensed; each article text
belongs to its publisher and is included for research on attribution only, under the terms recorded in its
document's `metadata.license` (the `license` column of every view).

## Citation

```bibtex
{CITATION}
```
"""
    return f"---\n{header}---\n\n{body}"


def license_text(stats: BuildStats) -> str:
    """``LICENSE.md``: the annotations' licence and the terms of the texts, per publisher."""
    lines = [
        f"# ClaimBank licence ({LICENSE_NAME})",
        "",
        "The annotations (spans, attributions, claims and their attributes) are released under the MIT licence.",
        "",
        "The article texts are not: each belongs to its publisher and is included for research on attribution",
        "only. Each document records the terms it is held under in `metadata.license`:",
        "",
        "| publisher | licence | documents |",
        "|---|---|---|",
        *(f"| {cell(p)} | {cell(lic)} | {n} |" for (p, lic), n in sorted(stats.sources.items())),
    ]
    return "\n".join(lines) + "\n"
