"""The guidelines' worked examples: taken only from PolNeAR train articles that are not reserved for measurement.

PolNeAR train articles whose file name's SHA-256 starts with c-f are kept unseen for the before/after agreement
measurement (docs/agreement.md); every other article may serve as an example. Dev and test are never used.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDELINES = ROOT / "docs" / "guidelines.md"
POLNEAR_TRAIN = Path("/work/polnear/data/train/text")
ARTICLE = re.compile(r"`([a-z-]+_\d{4}-\d\d-\d\d_[^`]+)`")


def cited_articles() -> list[str]:
    return sorted(set(ARTICLE.findall(GUIDELINES.read_text(encoding="utf-8"))))


def reserved(article: str) -> bool:
    return hashlib.sha256(f"{article}.txt".encode()).hexdigest()[0] in "cdef"


def test_the_guidelines_cite_polnear_examples() -> None:
    assert len(cited_articles()) >= 15


@pytest.mark.parametrize("article", cited_articles())
def test_no_example_comes_from_an_article_reserved_for_measurement(article: str) -> None:
    assert not reserved(article), article


def test_the_reserved_rule_tells_articles_apart() -> None:
    # Two names whose digests start with a reserved and an unreserved hex digit, so the check can fail.
    digits = {hashlib.sha256(f"a{i}.txt".encode()).hexdigest()[0]: f"a{i}" for i in range(64)}
    assert reserved(digits["c"])
    assert not reserved(digits["0"])


def rule_examples() -> list[tuple[str, str]]:
    """(article, quoted phrase) for every quotation of the everyday-news rules, split at elisions."""
    text = GUIDELINES.read_text(encoding="utf-8")
    section = text[text.index("### Everyday news") : text.index("## 4. Claims")]
    pairs = []
    for rule in re.split(r"\n(?=\d+\. )", section):
        articles = ARTICLE.findall(rule)
        flat = re.sub(r"\s+", " ", rule)
        for quote in re.findall(r"\"([^\"]+)\"", flat):
            for part in re.split(r"…|¶", quote):
                part = part.strip()
                if articles and len(part) > 25:
                    pairs.append((" ".join(articles), part))
    return pairs


@pytest.mark.skipif(not POLNEAR_TRAIN.is_dir(), reason="PolNeAR train is not on this machine")
@pytest.mark.parametrize(("articles", "phrase"), rule_examples())
def test_every_long_quotation_is_in_the_article_it_names(articles: str, phrase: str) -> None:
    texts = [
        re.sub(r"\s+", " ", (POLNEAR_TRAIN / f"{a}.txt").read_text(encoding="utf-8"))
        for a in articles.split()
    ]
    assert any(phrase in t for t in texts), phrase
