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
    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    # docs/images/seed.png is this screenshot (the text and the attributions), copied by hand when the view changes.
    page.screenshot(
        path=str(ARTIFACTS / "seed.png"), full_page=True, clip={"x": 0, "y": 0, "width": 1100, "height": 1750}
    )
    assert (ARTIFACTS / "seed.png").stat().st_size > 10_000
    assert requests == [out.as_uri()], "the page must load nothing else"


def test_seed_page_draws_who_said_what(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "seed.html"
    assert main(["show", str(SEED), "--html", str(out)]) == 0
    gold = gold_set(load_document(SEED))
    assert gold is not None
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(out.as_uri())
    with_source = sum(a.source is not None for a in gold.attributions)
    sourced_claims = sum(getattr(c, "attribution", None) is not None for c in gold.claims)
    references = sum(getattr(s, "refers_to", None) is not None for s in gold.spans)
    arrows = page.locator("#arrows path[data-from]")
    assert arrows.count() == with_source + len(gold.attributions) + sourced_claims + references
    # Every arrow is drawn where the browser laid the spans out: it starts at its span's first line box.
    box = page.locator("#text").bounding_box()
    assert box is not None
    for index in range(arrows.count()):
        arrow = arrows.nth(index)
        first = page.locator(f'#text [data-first~="{arrow.get_attribute("data-from")}"]')
        # The span's first line box (a span that wraps has more than one).
        start = first.evaluate("e => { const r = e.getClientRects()[0]; return {x: r.left, y: r.top}; }")
        drawn = arrow.bounding_box()
        assert drawn is not None
        assert drawn["width"] + drawn["height"] > 5
        x, y = (float(v) for v in (arrow.get_attribute("d") or "").split()[0][1:].split(","))
        assert abs(box["x"] + x - start["x"]) < 14  # within the first characters of the span
        assert abs(box["y"] + y - start["y"]) < 3  # on its top edge
    a1 = gold.attributions[0]
    assert page.locator(f'#arrows path.source-cue[data-from="{a1.source}"][data-to="{a1.cue}"]').count() == 1
    assert (
        page.locator(f'#arrows path.cue-content[data-from="{a1.cue}"][data-to="{a1.content}"]').count() == 1
    )
    # Span ids are shown before each span's text.
    assert page.locator("#text sup.id").count() == len(gold.spans)
    assert sorted(page.locator("#text sup.id").all_inner_texts()) == sorted(s.id for s in gold.spans)
    # A pronoun source shows whom it refers to; the claims table names each claim's source.
    assert "He → Al Kadhimi" in page.locator("#attributions").inner_text()
    claims = page.locator("#claims").inner_text()
    assert "military officials (a2)" in claims
    assert "the author" in claims
    # Hovering an attribution's row highlights its arrows.
    page.locator("#attributions tr[data-spans]").first.hover()
    assert page.locator("#arrows path.hl").count() >= 1


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


def test_adjudication_page_shows_the_passes_side_by_side(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "adjudication.html"
    assert main(["adjudicate", str(SEED), "--html", str(out)]) == 0
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(out.as_uri())
    headers = page.locator("#disagreements th").all_inner_texts()
    assert headers[4:] == ["pass-a", "pass-b", "pass-c", "draft"]
    rows = page.locator("#disagreements tr.kept, #disagreements tr.left-out")
    assert rows.count() == 9
    # 'not particularly fond of Iran': only pass B has it, so the other two columns are marked missing.
    fond = page.locator("#disagreements tr.left-out").first
    assert fond.locator("td.missing").count() == 2
    assert "left out" in fond.locator("td.decision").inner_text()
    assert requests == [out.as_uri()], "the page must load nothing else"


def test_a_span_in_fragments_shows_its_fragments_as_one(browser: Any, tmp_path: Path) -> None:
    path = ROOT / "tests" / "cases" / "valid" / "mini-fragments.json"
    document = load_document(path, seeds_dir=ROOT / "tests" / "cases" / "seeds")
    gold = gold_set(document)
    assert gold is not None
    span = next(s for s in gold.spans if s.fragments)
    out = tmp_path / "fragments.html"
    out.write_text(render(document, gold), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    page.goto(out.as_uri())
    parts = page.locator(f'#text .CONTENT[data-ids~="{span.id}"]').all_inner_texts()
    assert "".join(parts) == "".join(f.text for f in span.fragments or ())  # the gap is not highlighted
    assert page.locator("#text sup.id", has_text=f"…{span.id}").count() == 1
    attribution = next(a for a in gold.attributions if a.content == span.id)
    row = page.locator(f'#attributions tr[data-spans~="{span.id}"]', has_text=attribution.id).first
    assert span.joined_text() in row.inner_text()
    row.hover()
    lit = page.locator(f'#text .hl[data-ids~="{span.id}"]').all_inner_texts()
    assert len(lit) >= len(span.fragments or ())
    assert "".join(lit).replace("\n", "") == "".join(parts).replace("\n", "")
