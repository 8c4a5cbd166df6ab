"""The HTML view, opened in a real headless browser (Debian's chromium driven by playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claimbank import load_document
from claimbank.annotate.html import render
from claimbank.cli import main
from claimbank.dataset.rows import gold_set
from tests.browser import launch_chromium

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_chromium() as launched:
        yield launched


def test_seed_page_highlights_the_gold_spans(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "seed.html"
    assert main(["show", str(SEED), "--html", str(out)]) == 0
    document = load_document(SEED)
    gold = gold_set(document)
    assert gold is not None
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(out.as_uri())
    for span in gold.spans:
        shown = "".join(page.locator(f'#text [data-ids~="{span.id}"]').all_inner_texts())
        assert shown == span.text, span.id
    colour = page.locator('#text .SOURCE[data-ids~="s1"]').evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colour == "rgb(255, 216, 168)"  # the SOURCE colour of claimbank.annotate.html.COLOURS
    nobody = page.locator("#text .nobody").first
    assert nobody.inner_text() == "No group"
    row = page.locator("#attributions tr.non_attribution")
    assert row.count() == 1
    row.hover()
    assert page.locator("#text .hl").count() >= 3  # source, cue and content light up
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "seed.png"), full_page=True)
    assert (ARTIFACTS / "seed.png").stat().st_size > 10_000
    assert requests == [out.as_uri()], "the page must load nothing else"


def test_text_and_names_are_escaped() -> None:
    document = load_document(ROOT / "tests" / "cases" / "valid" / "mini.json")
    hostile = document.annotation_sets[0].model_copy(update={"annotator": '<script>alert("x")</script> & co'})
    page = render(document, hostile)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "http://" not in page
    assert "https://" not in page


def test_show_refuses_an_unknown_set(tmp_path: Path) -> None:
    assert main(["show", str(SEED), "--html", str(tmp_path / "x.html"), "--set", "nope"]) == 2
    assert not (tmp_path / "x.html").exists()
