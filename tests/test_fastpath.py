"""The fast path never disagrees with the full validator: it accepts only what the full path finds no problem in.

It may decline a valid file (the full path then decides), but it must accept the common valid files, or it is
not worth having: the gold, the synthetic corpus and the generated documents are checked for that too.

"""

from __future__ import annotations

import hashlib
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimbank.format import schema
from claimbank.format.model import ID_PATTERN
from claimbank.testing.synth import corpus
from claimbank.util.jsonio import parse
from claimbank.validate import fastpath
from claimbank.validate.core import check_data, validate_file
from claimbank.validate.problems import ProblemSink
from tests.strategies import documents

ROOT = Path(__file__).parent.parent
CASES = Path(__file__).parent / "cases"


def _full_problems(data: bytes, seeds: Path, path: Path | None = None) -> list[str]:
    sink = ProblemSink("x")
    parsed = parse(data, sink)
    if sink.problems:
        return [p.format() for p in sink.problems]
    found = check_data(parsed.value, name="x", path=path, seeds_dir=seeds, has_floats=parsed.has_floats)
    return [p.format() for p in found]


def _quick(data: bytes, seeds: Path, path: Path | None = None) -> bool:
    return fastpath.quick_check(data, path=path, seeds_dir=seeds) is not None


def test_the_decoder_is_generated_from_the_whole_schema() -> None:
    generator = fastpath._Generator(schema.load())
    # Every place the schema puts the id pattern is checked in bulk; a new one would need _set_fine to know it.
    assert generator.bulk == fastpath.BULK_ID_FIELDS
    # The sha256 pattern is left to quick_check's comparison with a hex digest, only where it is that pattern.
    assert generator.digests == set(fastpath.DIGEST_FIELDS)
    # The patterns left to the steps after the decode are the schema's, where the schema has them.
    assert generator.late == set(fastpath.LATE_PATTERNS)
    definitions = set(schema.load()["$defs"])
    made = {name for name, _, _ in generator.structs}
    assert {name for name in definitions if schema.load()["$defs"][name].get("type") == "object"} <= made


@pytest.mark.parametrize("case", sorted((CASES / "invalid").glob("*/*.json")), ids=lambda p: p.parent.name)
def test_every_invalid_case_is_declined(case: Path) -> None:
    assert not _quick(case.read_bytes(), CASES / "seeds", case)


@pytest.mark.parametrize(
    "case", [*sorted((CASES / "valid").glob("*.json")), *sorted((ROOT / "annotations").glob("*.json"))]
)
def test_valid_files_are_accepted(case: Path) -> None:
    seeds = CASES / "seeds" if case.is_relative_to(CASES) else ROOT / "seeds"
    assert _quick(case.read_bytes(), seeds, case)
    assert validate_file(case, seeds_dir=seeds).problems == []


def test_the_synthetic_corpus_is_accepted(tmp_path: Path) -> None:
    for text, annotation in corpus(200):
        (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        data = json.dumps(annotation, ensure_ascii=False, indent=2).encode()
        assert _quick(data, tmp_path), annotation["id"]


def _same_data(ours: Any, theirs: Any, where: str = "") -> None:
    """``ours`` is ``theirs`` value for value and type for type, but for a number the file writes as an integer,
    which may come back as the float it equals (a schema ``number``)."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), where
        assert set(ours) == set(theirs), where
        for key in theirs:
            _same_data(ours[key], theirs[key], f"{where}/{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list), where
        assert len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _same_data(a, b, f"{where}/{index}")
    elif isinstance(theirs, int) and not isinstance(theirs, bool) and isinstance(ours, float):
        assert ours == theirs, where
    else:
        assert type(ours) is type(theirs), where
        assert ours == theirs, where


def _handed_over(data: bytes, seeds: Path, path: Path | None = None) -> None:
    """The data of a file the fast path accepted (what the build converts) is ``json.loads`` of the file."""
    document = fastpath.quick_check(data, path=path, seeds_dir=seeds)
    assert document is not None
    _same_data(fastpath.to_data(document), json.loads(data))
    result = validate_file(path, seeds_dir=seeds) if path is not None else None
    if result is not None:
        _same_data(result.data, json.loads(data))


@pytest.mark.parametrize(
    "case", [*sorted((CASES / "valid").glob("*.json")), *sorted((ROOT / "annotations").glob("*.json"))]
)
def test_the_fast_paths_data_is_the_files_json(case: Path) -> None:
    seeds = CASES / "seeds" if case.is_relative_to(CASES) else ROOT / "seeds"
    _handed_over(case.read_bytes(), seeds, case)


def test_the_fast_paths_data_is_the_synthetic_files_json(tmp_path: Path) -> None:
    for text, annotation in corpus(200):
        (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        _handed_over(json.dumps(annotation, ensure_ascii=False).encode(), tmp_path)


def test_the_data_check_can_fail() -> None:
    with pytest.raises(AssertionError):
        _same_data({"a": [1]}, {"a": [1, 2]})
    with pytest.raises(AssertionError):
        _same_data({"a": "1"}, {"a": 1})
    with pytest.raises(AssertionError):
        _same_data({"a": 1, "b": None}, {"a": 1})
    _same_data({"confidence": 1.0}, {"confidence": 1})


def _seeded(tmp_path: Path, document: dict[str, Any]) -> Path:
    (tmp_path / document["seed"]).write_text(document["text"], encoding="utf-8", newline="")
    return tmp_path


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(document=documents())
def test_generated_documents_get_the_same_verdict(tmp_path: Path, document: dict[str, Any]) -> None:
    seeds = _seeded(tmp_path, document)
    data = json.dumps(document, ensure_ascii=False).encode()
    assert _full_problems(data, seeds) == []
    nested = any(
        a.get("nested_in") for s in document["annotation_sets"] for a in s.get("attributions", [])
    ) or any(s2.get("refers_to") for s in document["annotation_sets"] for s2 in s.get("spans", []))
    if not nested:
        assert _quick(data, seeds)
        _handed_over(data, seeds)


def _mutations(document: dict[str, Any], rng: random.Random) -> Any:
    """A copy of ``document`` (as JSON text) with one small change of the kind annotation files go wrong by."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    copy = json.loads(text)
    sets = copy["annotation_sets"]
    choice = rng.randrange(13)
    items = [
        (s, layer, item) for s in sets for layer in ("spans", "attributions", "claims") for item in s[layer]
    ]
    if choice == 0 and items:  # a field's value replaced by another field's value of the same item
        _, _, item = rng.choice(items)
        keys = list(item)
        a, b = rng.choice(keys), rng.choice(keys)
        item[a] = item[b]
    elif choice == 1 and items:  # an offset moved
        spans = [i for _, layer, i in items if layer == "spans"]
        if spans:
            span = rng.choice(spans)
            span[rng.choice(["start", "end"])] += rng.choice([-2, -1, 1, 2])
    elif choice == 2 and items:  # a reference redirected to another id
        _, _, item = rng.choice(items)
        every = [i["id"] for _, _, i in items]
        refs = [
            k
            for k in ("cue", "content", "source", "span", "attribution", "refers_to", "nested_in")
            if k in item
        ]
        if refs:
            item[rng.choice(refs)] = rng.choice(every)
    elif choice == 3 and items:  # a field dropped
        _, _, item = rng.choice(items)
        item.pop(rng.choice(list(item)))
    elif choice == 4 and items:  # an id duplicated
        (_, _, a), (_, _, b) = rng.choice(items), rng.choice(items)
        a["id"] = b["id"]
    elif choice == 5:  # a duplicate key, written into the text
        return text.replace('"id": ', '"id": "dup", "id": ', 1).encode()
    elif choice == 6:  # the text edited
        copy["text"] = copy["text"][:-1] if copy["text"] else "x"
    elif choice == 7 and items:  # a label or kind changed
        _, layer, item = rng.choice(items)
        key = {"spans": "label", "attributions": "kind", "claims": "claimer"}[layer]
        item[key] = rng.choice(
            [
                "SOURCE",
                "CUE",
                "CONTENT",
                "CLAIM",
                "ENTITY",
                "MODALITY",
                "attribution",
                "non_attribution",
                "author",
            ]
        )
    elif choice == 8 and sets:  # gold twice, or a set adjudicated from nothing
        target = rng.choice(sets)
        if rng.random() < 0.5:
            for s in sets:
                s["gold"] = True
        else:
            target["adjudicated_from"] = [rng.choice(["nope", target["id"]])]
    elif choice == 9:  # a number where a string belongs, or a float offset
        if items and rng.random() < 0.5:
            spans = [i for _, layer, i in items if layer == "spans"]
            if spans:
                rng.choice(spans)["start"] += 0.0
                return json.dumps(copy, ensure_ascii=False).encode()
        copy["language"] = 7
    elif choice == 10:  # an escaped key or a NaN
        return text.replace('"text"', '"te\\u0078t"', 1).replace(": 0,", ": NaN,", 1).encode()
    elif choice == 11 and items:  # an unknown field
        _, _, item = rng.choice(items)
        item["extra"] = 1
    elif choice == 12:  # a fragment moved, reordered, dropped, or the span's hull changed
        fragmented = [i for _, layer, i in items if layer == "spans" and "fragments" in i]
        if fragmented:
            span = rng.choice(fragmented)
            how = rng.randrange(4)
            if how == 0:
                rng.choice(span["fragments"])[rng.choice(["start", "end"])] += rng.choice([-2, -1, 1, 2])
            elif how == 1:
                span["fragments"].reverse()
            elif how == 2:
                span["fragments"].pop()
            else:
                span["end"] = span["fragments"][0]["end"]
                span["text"] = span["fragments"][0]["text"]
    return json.dumps(copy, ensure_ascii=False, indent=1).encode()


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(document=documents(), seed=st.integers(0, 2**32))
def test_mutated_documents_are_never_wrongly_accepted(
    tmp_path: Path, document: dict[str, Any], seed: int
) -> None:
    seeds = _seeded(tmp_path, document)
    data = _mutations(document, random.Random(seed))
    if _quick(data, seeds):
        assert _full_problems(data, seeds) == []


def test_a_mutation_test_can_fail(tmp_path: Path) -> None:
    """The mutations above do produce invalid files (else the property would prove nothing)."""
    rejected = 0
    for index, (text, annotation) in enumerate(corpus(60)):
        (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
        data = _mutations(annotation, random.Random(index))
        if _full_problems(data, tmp_path):
            rejected += 1
            assert not _quick(data, tmp_path)
    assert rejected > 30


def test_a_nesting_cycle_that_fits_inside_itself_is_declined(tmp_path: Path) -> None:
    """Two attributions nested in each other whose spans all lie inside one content: only the cycle is wrong."""
    text = "He said she said it rained."
    span = lambda sid, label, quote, start=0, **more: {  # noqa: E731
        "id": sid,
        "label": label,
        "start": text.index(quote, start),
        "end": text.index(quote, start) + len(quote),
        "text": quote,
        **more,
    }
    document = {
        "schema_version": "2.0",
        "id": "cycle",
        "seed": "cycle.txt",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "language": "en",
        "text": text,
        "annotation_sets": [
            {
                "id": "a",
                "annotator": "t",
                "origin": "manual",
                "created_at": "2026-11-24T12:00:00Z",
                "spans": [
                    span("s1", "CUE", "said", cue_type="verb_of_saying"),
                    span("s2", "CUE", "said", 6, cue_type="verb_of_saying"),
                    span("s3", "CONTENT", text),
                ],
                "attributions": [
                    {"id": "a1", "kind": "attribution", "cue": "s1", "content": "s3", "nested_in": "a2"},
                    {"id": "a2", "kind": "attribution", "cue": "s2", "content": "s3", "nested_in": "a1"},
                ],
            }
        ],
    }
    seeds = _seeded(tmp_path, document)
    data = json.dumps(document).encode()
    assert any("reference-cycle" in line for line in _full_problems(data, seeds))
    assert not _quick(data, seeds)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language", "en-GB"),
        ("language", "en-"),
        ("language", "english"),
        ("created_at", "2026-11-24T12:00:00.5+05:30"),
        ("created_at", "2026-11-24T12:00:00"),
        ("created_at", "2026-02-30T12:00:00Z"),  # the pattern's shape, not a real day
        ("seed", "../x.txt"),
        ("id", "a.b"),
    ],
)
def test_a_field_checked_after_the_decode_gets_the_full_paths_verdict(
    tmp_path: Path, field: str, value: str
) -> None:
    text, annotation = next(iter(corpus(1)))
    (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
    target = annotation["annotation_sets"][0] if field == "created_at" else annotation
    target[field] = value
    data = json.dumps(annotation, ensure_ascii=False).encode()
    valid = _full_problems(data, tmp_path) == []
    assert _quick(data, tmp_path) is valid
    assert valid is (value in ("en-GB", "2026-11-24T12:00:00.5+05:30"))


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(document=documents(), new_id=st.text(alphabet="aZ09_.:-\n é/", min_size=0, max_size=130))
def test_any_id_gets_the_verdict_of_the_id_pattern(
    tmp_path: Path, document: dict[str, Any], new_id: str
) -> None:
    seeds = _seeded(tmp_path, document)
    if not _renamed(document, new_id):
        return
    data = json.dumps(document, ensure_ascii=False).encode()
    if _quick(data, seeds):
        assert re.fullmatch(ID_PATTERN.removesuffix("$") + r"\Z", new_id, re.ASCII)
        assert _full_problems(data, seeds) == []


def _renamed(document: dict[str, Any], new_id: str) -> bool:
    """The first span of the first set with spans renamed, and what refers to it; False if there is none."""
    for item in document["annotation_sets"]:
        if not item["spans"]:
            continue
        old = item["spans"][0]["id"]
        item["spans"][0]["id"] = new_id
        for a in item["attributions"]:
            for key in ("source", "cue", "content"):
                if a.get(key) == old:
                    a[key] = new_id
        for c in item["claims"]:
            c["span"] = new_id if c["span"] == old else c["span"]
            c["modality"] = [new_id if m == old else m for m in c.get("modality", [])]
        for span in item["spans"]:
            if span.get("refers_to") == old:
                span["refers_to"] = new_id
        return True
    return False


def test_an_id_with_a_line_break_is_declined(tmp_path: Path) -> None:
    # The Python steps joined ids with line breaks for one regular expression: "s0\ns1" passed as two ids.
    text, annotation = next(iter(corpus(1)))
    (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
    assert _renamed(annotation, "s0\ns1")
    data = json.dumps(annotation, ensure_ascii=False).encode()
    assert _full_problems(data, tmp_path)
    assert not _quick(data, tmp_path)


def test_an_escaped_colon_does_not_hide_a_duplicate_key(tmp_path: Path) -> None:
    text, annotation = next(iter(corpus(1)))
    (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
    annotation["metadata"]["title"] = "a:b"
    data = json.dumps(annotation, ensure_ascii=False, indent=1).encode()
    assert _quick(data, tmp_path)
    # "a\u003ab" is "a:b" with one colon fewer in the file: with a duplicate key added, the counts would agree.
    tricked = data.replace(b'"a:b"', b'"a\\u003ab"').replace(b'"id": ', b'"id": "x", "id": ', 1)
    assert _full_problems(tricked, tmp_path)
    assert not _quick(tricked, tmp_path)


# Strings whose colons, quotes and backslashes could upset a key count (an escaped quote is not a closing one, an
# escaped colon is one colon fewer in the file).
TRICKY_TITLES = ["a:b", ": x", "  : x", 'he said": no', 'a\\": b', "a\\", 'a\\\\": b', '"', ":", "a\\u003ab"]


@pytest.mark.parametrize("title", TRICKY_TITLES)
@pytest.mark.parametrize("spacing", ["", " ", "\n ", "\t\r\n"])
def test_a_duplicate_key_is_seen_whatever_the_strings_hold(tmp_path: Path, title: str, spacing: str) -> None:
    text, annotation = next(iter(corpus(1)))
    (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
    annotation["metadata"]["title"] = title
    data = json.dumps(annotation, ensure_ascii=False, separators=(",", f"{spacing}:{spacing}")).encode()
    assert _full_problems(data, tmp_path) == []
    # Left to the full path, which is only slower: a file with "\\u003" in it.
    declined = b"\\u003" in data
    assert _quick(data, tmp_path) is not declined
    key = f'"id"{spacing}:{spacing}'.encode()
    tricked = data.replace(key, key + b'"dup",' + key, 1)
    assert tricked != data
    assert _full_problems(tricked, tmp_path)
    assert not _quick(tricked, tmp_path)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    title=st.text(alphabet=st.sampled_from(':"\\ \tab\u00e9\U0001f600'), max_size=12),
    where=st.sampled_from(["title", "source", "language"]),
)
def test_strings_made_of_colons_quotes_and_backslashes_never_hide_a_dropped_key(
    tmp_path: Path, title: str, where: str
) -> None:
    text, annotation = next(iter(corpus(1)))
    (tmp_path / annotation["seed"]).write_text(text, encoding="utf-8", newline="")
    annotation["metadata"]["title"] = title
    data = json.dumps(annotation, ensure_ascii=False).encode()
    verdict = _full_problems(data, tmp_path) == []
    assert verdict
    # A key written twice (msgspec keeps the last), next to the tricky string.
    key = b'"title": '
    tricked = data.replace(key, key + json.dumps(title, ensure_ascii=False).encode() + b", " + key, 1)
    assert not _quick(tricked, tmp_path)


def test_the_fuzzer_reports_a_fast_path_that_accepts_too_much(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tests/tools/fuzz_fastpath.py (the long run, by hand) finds nothing now; here it must find a broken fast path."""
    from tests.tools import fuzz_fastpath

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["fuzz_fastpath.py", "--seconds", "1", "--docs", "5"])
    assert fuzz_fastpath.main() == 0
    monkeypatch.setattr(fastpath, "quick_check", lambda data, **_: data)  # accepts everything
    assert fuzz_fastpath.main() == 1
    assert list(tmp_path.glob("fuzz-disagreement-*.json"))


_EDGE = """
import hashlib, json, sys
from pathlib import Path
from claimbank.validate import fastpath
seeds = Path(sys.argv[1])
def verdict(text, quote, at):
    (seeds / "edge.txt").write_text(text, encoding="utf-8", newline="")
    span = {"id": "s1", "label": "ENTITY", "start": at, "end": at + len(quote), "text": quote}
    document = {"schema_version": "2.0", "id": "edge", "seed": "edge.txt", "language": "en", "text": text,
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "annotation_sets": [{"id": "a", "annotator": "t", "origin": "manual",
                                     "created_at": "2026-11-24T12:00:00Z", "spans": [span]}]}
    data = json.dumps(document, ensure_ascii=False).encode()
    return fastpath.quick_check(data, path=None, seeds_dir=seeds) is not None
loaded = "claimbank.validate.checks" in sys.modules
print(loaded, verdict("Zoe\\u0308 said", "Zoe", 0), verdict("Zoe said\\u674e", "said", 4))
"""


def test_edges_next_to_combining_characters_are_judged_without_the_checks_loaded(tmp_path: Path) -> None:
    """The fast path imports the checks' grapheme rules only when an edge needs them (not on a run of valid
    files): a span ending before a combining diaeresis is declined, one ending before a CJK character (above
    U+0300, yet a boundary) is accepted, in a process that had not loaded the checks."""
    result = subprocess.run(
        [sys.executable, "-c", _EDGE, str(tmp_path)], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["False", "False", "True"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", ".", "..", "json", "x.json", ".json", "b.c", " ", "é"]), min_size=1, max_size=4
    )
)
def test_a_files_stem_from_its_name_is_pathlibs(parts: list[str]) -> None:
    # A folder walk gives the fast path the file's name as a string; the full path compares Path(name).stem.
    name = str(Path("/".join(parts)))
    assert fastpath.stem(name) == Path(name).stem
    assert fastpath.stem(Path(name)) == Path(name).stem


def test_the_labels_a_reference_may_name_come_from_the_table_of_fields() -> None:
    # One implementation of each rule: the fast path reads the labels from the table the checks read, so a label
    # added to or taken from a reference changes both. It spells no span label out itself.
    from claimbank.format import fields
    from claimbank.format.vocab import SpanLabel

    table = {(s.record, s.name): s.targets for s in fields.table() if s.is_reference and s.layer == "spans"}
    assert table == fastpath._TARGETS
    read = (fastpath._REFERS_TO, fastpath._CUES, fastpath._CONTENTS, fastpath._SOURCES, fastpath._CLAIMS)
    assert set(read) | {fastpath._MODALITIES} == set(table.values())
    source = Path(fastpath.__file__).read_text(encoding="utf-8")
    assert not [label.value for label in SpanLabel if f'"{label.value}"' in source]


def test_a_rebuilt_codec_reads_its_own_structs_tags() -> None:
    # The tags of the generated structs came from a module-level list that building the codec extended: a codec
    # built again (its cache cleared) made new struct classes while the cached tag table kept the old ones, and
    # the first valid file raised KeyError. The tags are now part of the codec they belong to.
    data = (CASES / "valid" / "mini.json").read_bytes()
    seeds = CASES / "seeds"
    assert _quick(data, seeds)
    before = fastpath.decoder()
    fastpath._codec.cache_clear()
    assert fastpath.decoder() is not before  # a codec of its own, with new struct classes
    assert _quick(data, seeds)
