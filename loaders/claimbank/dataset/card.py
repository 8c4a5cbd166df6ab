"""The dataset card (``README.md`` of a built dataset): YAML front matter that ``datasets`` reads, and the prose.

Everything in it is generated: configs and features from ``claimbank.dataset.features``, label definitions from
``claimbank.format.vocab``, counts from the build. Nothing here reads the clock, so the same input gives the same card.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import yaml
from datasets.info import DatasetInfo

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


def front_matter(data_files: dict[str, dict[str, list[str]]], stats: BuildStats) -> dict[str, Any]:
    """The YAML header: ``configs`` (data files per split) and ``dataset_info`` (features and sizes per config)."""
    configs = []
    infos = []
    for config in features.CONFIGS:
        splits = data_files[config]
        entry: dict[str, Any] = {
            "config_name": config,
            "data_files": [{"split": split, "path": f"data/{config}/{split}-*.parquet"} for split in splits],
        }
        if config == "documents":
            entry["default"] = True
        configs.append(entry)
        info = DatasetInfo(features=features.FEATURES[config])._to_yaml_dict()
        infos.append(
            {
                "config_name": config,
                "features": info["features"],
                "splits": [
                    {
                        "name": split,
                        "num_bytes": stats.parquet_bytes[config][split],
                        "num_examples": stats.rows[config][split],
                    }
                    for split in splits
                ],
            }
        )
    return {
        "pretty_name": "ClaimBank",
        "language": sorted(stats.languages),
        "license": "other",
        "task_categories": ["token-classification", "text-classification"],
        "tags": ["attribution", "claims", "factuality", "news", "fact-checking"],
        "configs": configs,
        "dataset_info": infos,
    }


def _label_section() -> str:
    lines = ["## Labels", ""]
    for enum in vocab.VOCABULARIES:
        lines += [f"### {enum.__name__}", "", enum.__doc__ or "", ""]
        lines += [f"- `{member.value}`: {member.description}" for member in enum]
        lines.append("")
    return "\n".join(lines)


def _counts_section(stats: BuildStats) -> str:
    lines = [
        "## Counts",
        "",
        "| config | " + " | ".join(("train", "validation", "test")) + " |",
        "|---|---|---|---|",
    ]
    for config in features.CONFIGS:
        lines.append(
            f"| {config} | "
            + " | ".join(str(stats.rows[config][s]) for s in ("train", "validation", "test"))
            + " |"
        )
    lines.append("")
    for name, counter in stats.labels.items():
        lines.append(f"- {name}: " + ", ".join(f"`{k}` {v}" for k, v in sorted(counter.items())))
    return "\n".join(lines) + "\n"


def cell(value: object) -> str:
    """A value from a document's metadata as one Markdown table cell: line breaks and other control characters
    become spaces (a publisher with a newline cannot add a heading), ``|`` is escaped, and HTML is escaped (no
    ``<script>`` in the card)."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", str(value))
    return html.escape(text, quote=False).replace("|", "\\|").replace("`", "\\`")


def _provenance_section(stats: BuildStats) -> str:
    lines = ["## Provenance", "", "| publisher | licence | documents |", "|---|---|---|"]
    lines += [f"| {cell(p)} | {cell(lic)} | {n} |" for (p, lic), n in sorted(stats.sources.items())]
    total = sum(stats.sources.values())
    shown = (
        "every document" if total == len(stats.provenance) else f"the first {len(stats.provenance)} documents"
    )
    lines += ["", f"Seeds, {shown} (seed files are in the source repository's `seeds/`):", ""]
    lines += ["| document | seed file | sha256 | split | gold | url |", "|---|---|---|---|---|---|"]
    for item in stats.provenance:
        lines.append(
            f"| {item['id']} | `seeds/{item['seed']}` | `{item['sha256'][:16]}…` | {item['split']} | "
            f"{'yes' if item['gold'] else 'no'} | {cell(item.get('url', ''))} |"
        )
    return "\n".join(lines) + "\n"


def render(data_files: dict[str, dict[str, list[str]]], stats: BuildStats) -> str:
    """The whole card."""
    header = yaml.safe_dump(front_matter(data_files, stats), sort_keys=False, allow_unicode=True, width=1000)
    configs = "\n".join(f"- `{name}`: {features.DESCRIPTIONS[name]}" for name in features.CONFIGS)
    body = f"""# ClaimBank

News articles annotated for **claims** and their **attribution**: who says what, through which cue. Built by
claimbank {__version__} from validated annotation files; offsets are Unicode code points into `text`, half-open.

```python
from datasets import load_dataset

claims = load_dataset("<this folder>", "claims")
label = claims["train"].features["factuality"].int2str(claims["train"][0]["factuality"])
```

## Configs

{configs}

Label columns are `ClassLabel`s (`features[...].names`); a null label means the row has no such attribute.
The `claims`, `attributions` and `tokens` configs hold the gold annotation set of each document; documents
without a gold set appear only in `documents`, which holds every annotation set.

Splits are fixed by document id: the first 4 bytes of SHA-256(id), modulo 100: 0–79 `train`, 80–89
`validation`, 90–99 `test`. Only splits with rows are listed.

Tokens are runs of word characters or single other characters, never splitting a user-perceived character, and cut
at every span boundary, so every tag boundary is a span boundary. BIO tags hold one span per token: where spans
nest (a nested attribution inside its outer CONTENT), the outermost is tagged.

{_counts_section(stats)}
{_label_section()}
{_provenance_section(stats)}
## Known limitations

- Small: the corpus grows one annotated article at a time; the splits of a small corpus are uneven.
- Sentences (the `sentence` columns) come from a simple rule-based splitter (end punctuation, line breaks).
- Article texts belong to their publishers; they are included for research on attribution, not for republication.

## Citation

```bibtex
{CITATION}
```
"""
    return f"---\n{header}---\n\n{body}"
