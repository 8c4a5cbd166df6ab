"""The table of fields is the models', and every consumer carries every field of it or says it cannot.

These are the drift tests of ``claimbank.format.fields``: a field added to a model (and the schema regenerated)
makes them fail until the maximal document below sets it, the ``documents`` rows and each external format carry it
(or the format registry declares it lossy, on the format's doc page), the validator checks it if it is a
reference, and the fast path resolves it (or leaves every file to the full path).
"""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pydantic import BaseModel

from claimbank.dataset import features
from claimbank.dataset.rows import document_to_row, row_to_document
from claimbank.format import fields, model, vocab
from claimbank.format.canonical import canonical
from claimbank.io.brat import convert as brat
from claimbank.io.labelstudio import convert as labelstudio
from claimbank.io.registry import BY_NAME
from claimbank.validate import fastpath
from claimbank.validate.core import check_data
from claimbank.validate.problems import ProblemSink

CASES = Path(__file__).parent / "cases"
_MODELS: dict[str, tuple[type[BaseModel], ...]] = {
    "document": (model.Document,),
    "metadata": (model.Metadata,),
    "set": (model.AnnotationSet,),
    "span": typing.get_args(typing.get_args(model.Span)[0]),
    "fragment": (model.Fragment,),
    "attribution": typing.get_args(typing.get_args(model.AnyAttribution)[0]),
    "claim": typing.get_args(typing.get_args(model.AnyClaim)[0]),
}
_CHILD = fields.RECORDS_OF


def maximal() -> dict[str, Any]:
    """A valid document that sets every field of the table at least once (mini-fragments.json, filled in)."""
    document = json.loads((CASES / "valid" / "mini-fragments.json").read_text(encoding="utf-8"))
    document["metadata"] |= {
        "url": "https://example.org/a",
        "publisher": "Example",
        "published": "2026-11-24",
    }
    document["split"] = "test"
    gold = document["annotation_sets"][0]
    gold |= {"model_version": "v1", "imported_from": "somewhere", "note": "a note"}
    gold["spans"][0]["confidence"] = 0.25
    gold["attributions"][0]["confidence"] = 0.5
    return document


def _set_fields(record: str, data: dict[str, Any], found: set[tuple[str, str]]) -> None:
    for spec in fields.fields(record):
        value = data.get(spec.name)
        if value not in (None, [], {}):
            found.add((record, spec.name))
        if spec.kind == "records":
            for item in value or ():
                _set_fields(_CHILD[spec.name], item, found)
        elif spec.kind == "object" and value:
            _set_fields(spec.name, value, found)


def test_the_table_has_every_field_of_the_models_and_no_other() -> None:
    for record, classes in _MODELS.items():
        expected = {name for cls in classes for name in cls.model_fields}
        assert {spec.name for spec in fields.fields(record)} == expected, record
    for spec in fields.table():  # which tagged classes carry a field, as the models say
        if spec.carried_by:
            carriers = {_tag(cls) for cls in _MODELS[spec.record] if spec.name in cls.model_fields}
            assert set(spec.carried_by) == carriers, spec


def _tag(cls: type[BaseModel]) -> str:
    tag = fields.TAGS[next(r for r, classes in _MODELS.items() if cls in classes)]
    (member,) = typing.get_args(cls.model_fields[tag].annotation)
    return str(member.value)


def test_tag_vocabularies_are_the_models() -> None:
    for record, tag in fields.TAGS.items():
        for cls in _MODELS[record]:
            (member,) = typing.get_args(cls.model_fields[tag].annotation)
            assert type(member).__name__ == fields.TAG_VOCABULARIES[record]
            assert fields.field(record, tag).vocabulary == type(member).__name__


def test_the_references_keyword_is_the_models() -> None:
    extra = model.SourceSpan.model_fields["refers_to"].json_schema_extra
    assert isinstance(extra, dict)
    assert fields.REFERENCES_KEYWORD in extra
    assert fields.field("span", "refers_to").targets == frozenset({"SOURCE", "ENTITY"})


def _model_targets(cls: type[BaseModel], name: str) -> frozenset[str]:
    extra = cls.model_fields[name].json_schema_extra
    assert isinstance(extra, dict)
    references = extra[fields.REFERENCES_KEYWORD]
    assert isinstance(references, dict)
    return frozenset(references["labels"])


@pytest.mark.parametrize(
    "spec", [s for s in fields.table() if s.is_reference], ids=lambda s: f"{s.record}.{s.name}"
)
def test_what_each_reference_may_name_is_the_models_for_each_tag(spec: fields.FieldSpec) -> None:
    # The table kept the first tagged class's labels for a field several classes carry: a claim's attribution
    # said "attribution" only, though an unclaimed claim's names a non_attribution.
    classes = [cls for cls in _MODELS[spec.record] if spec.name in cls.model_fields]
    expected = {(_tag(cls) if spec.carried_by else ""): _model_targets(cls, spec.name) for cls in classes}
    any_of = set().union(*expected.values())
    assert spec.targets == (frozenset() if frozenset() in expected.values() else any_of)
    assert dict(spec.targets_by) == expected
    for tag, targets in expected.items():
        assert spec.targets_of(tag) == targets


def test_a_claims_attribution_names_what_the_table_says_in_the_checks_and_the_fast_path() -> None:
    # Drift between the table and the checks: each claimer pointing at each kind of attribution gets
    # claimer-mismatch from the full checks exactly when the table's row does not allow that kind, and the fast
    # path accepts exactly what the full checks pass.
    spec = fields.field("claim", "attribution")
    assert spec.targets == {
        kind.value for kind in vocab.AttributionKind
    }  # each kind is named by some claimer
    document = maximal()
    gold = document["annotation_sets"][0]
    one_of_each = {a["kind"]: a["id"] for a in reversed(gold["attributions"])}
    assert set(one_of_each) == spec.targets
    index = next(i for i, claim in enumerate(gold["claims"]) if claim["claimer"] in spec.carried_by)
    verdicts = set()
    for claimer in spec.carried_by:
        for kind, target in one_of_each.items():
            gold["claims"][index] |= {"claimer": claimer, "attribution": target}
            problems = check_data(document, name="maximal", seeds_dir=CASES / "seeds")
            allowed = kind in spec.targets_of(claimer)
            assert [p.code for p in problems] == ([] if allowed else ["claimer-mismatch"]), (claimer, kind)
            data = json.dumps(document).encode()
            accepted = fastpath.quick_check(data, path=None, seeds_dir=CASES / "seeds") is not None
            assert accepted == allowed, (claimer, kind)
            verdicts.add(allowed)
    assert verdicts == {True, False}


def test_the_maximal_document_is_valid_and_sets_every_field() -> None:
    document = maximal()
    assert [p.code for p in check_data(document, name="maximal", seeds_dir=CASES / "seeds")] == []
    found: set[tuple[str, str]] = set()
    _set_fields("document", document, found)
    missing = {(spec.record, spec.name) for spec in fields.table()} - found
    assert missing == set(), "extend maximal() so that it sets every field"


def _differing(record: str, before: dict[str, Any], after: dict[str, Any], out: set[str]) -> None:
    """``record.field`` names whose values differ between two canonical records (recursing into lists)."""
    for spec in fields.fields(record):
        old, new = before.get(spec.name), after.get(spec.name)
        if spec.kind == "records":
            old_items, new_items = old or [], new or []
            if len(old_items) != len(new_items):
                out.add(f"{record}.{spec.name}")
            for a, b in zip(old_items, new_items, strict=False):
                _differing(_CHILD[spec.name], a, b, out)
        elif spec.kind == "object":
            _differing(spec.name, old or {}, new or {}, out)
        elif old != new:
            out.add(f"{record}.{spec.name}")


def test_every_field_survives_the_documents_rows() -> None:
    document = model.Document.model_validate(maximal())
    table = pa.Table.from_pylist([document_to_row(document)], schema=features.DOCUMENTS.arrow_schema)
    back = row_to_document(table.to_pylist()[0])
    lost: set[str] = set()
    _differing("document", canonical(document), canonical(back), lost)
    assert lost == set()
    assert set(features.SPAN) == {spec.name for spec in fields.fields("span")}


def _renamed(item: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """An annotation set's layers keyed by what their items are rather than by their ids (formats renumber ids): a
    span by label and offsets, an attribution by kind, cue and content, a claim by its span; every id and reference
    in the table replaced by the key of what it names."""
    key: dict[str, Any] = {}
    for span in item.get("spans", []):
        key[span["id"]] = ("span", span["label"], span["start"], span["end"])
    for attribution in item.get("attributions", []):
        key[attribution["id"]] = (
            "attribution",
            attribution["kind"],
            key[attribution["cue"]],
            key[attribution["content"]],
        )
    for claim in item.get("claims", []):
        key[claim["id"]] = ("claim", key[claim["span"]])
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for layer, record in (("spans", "span"), ("attributions", "attribution"), ("claims", "claim")):
        for data in item.get(layer, []):
            renamed: dict[str, Any] = {}
            for spec in fields.fields(record):
                value = data.get(spec.name)
                if spec.kind in ("id", "ref") and value is not None:
                    value = key.get(value, value)
                elif spec.kind == "refs":
                    value = sorted(key.get(v, v) for v in value or [])
                renamed[spec.name] = value
            out.setdefault(record, {})[key[data["id"]]] = renamed
    return out


def _lost(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """``record.field`` of every value that differs between two annotation sets, up to renumbered ids."""
    lost = {
        f"set.{spec.name}"
        for spec in fields.fields("set")
        if spec.kind != "records" and before.get(spec.name) != after.get(spec.name)
    }
    old, new = _renamed(before), _renamed(after)
    for record in ("span", "attribution", "claim"):
        for item_key, data in old.get(record, {}).items():
            other = new.get(record, {}).get(item_key)
            if other is None:
                lost.add(f"{record}.id")  # the item itself did not come back
                continue
            lost |= {f"{record}.{name}" for name, value in data.items() if other.get(name) != value}
    return lost


def _through_labelstudio(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    return {**item, **labelstudio.from_results(labelstudio.to_results(item), document["text"])}


def _through_brat(document: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    content, _ = brat.to_ann(item)
    sink = ProblemSink("maximal.ann")
    parsed = brat.parse_ann(content, document["text"], sink)
    header = {key: value for key, value in item.items() if key not in ("spans", "attributions", "claims")}
    back = brat.to_annotation_set(parsed, header, brat.POLNEAR, sink).item
    assert list(sink.problems) == []
    return dict(back)


@pytest.mark.parametrize(("name", "through"), [("ls", _through_labelstudio), ("brat", _through_brat)])
def test_every_field_survives_each_format_or_is_declared_lossy(name: str, through: Any) -> None:
    document = canonical(model.Document.model_validate(maximal()))
    item = document["annotation_sets"][0]
    back = through(document, copy.deepcopy(item))
    lost = _lost(item, back)
    assert lost <= set(BY_NAME[name].lossy), f"{name} drops {sorted(lost - set(BY_NAME[name].lossy))}"


@pytest.mark.parametrize(
    "spec",
    fields.references("span")
    + fields.references("attribution")
    + fields.references("claim")
    + fields.references("set"),
    ids=lambda s: f"{s.record}.{s.name}",
)
def test_every_reference_of_the_table_is_checked(spec: fields.FieldSpec, tmp_path: Path) -> None:
    document = maximal()
    gold = document["annotation_sets"][0]
    layer = {"span": "spans", "attribution": "attributions", "claim": "claims"}.get(spec.record)
    items = gold[layer] if layer else [gold]
    index = next(
        i
        for i, x in enumerate(items)
        if not spec.carried_by or x.get(fields.TAGS[spec.record]) in spec.carried_by
    )
    items[index][spec.name] = ["nowhere"] if spec.kind == "refs" else "nowhere"
    problems = check_data(document, name="maximal", seeds_dir=CASES / "seeds")
    assert "reference-missing" in {p.code for p in problems}, [p.format() for p in problems]
    data = json.dumps(document).encode()
    assert fastpath.quick_check(data, path=None, seeds_dir=CASES / "seeds") is None


def test_the_fast_path_resolves_every_reference_of_the_table() -> None:
    assert fastpath.UNRESOLVED_REFERENCES == []
    assert {(s.record, s.name) for s in fields.table() if s.is_reference} == fastpath.RESOLVED_REFERENCES


def test_span_attributes_are_the_vocabulary_fields_beside_the_label() -> None:
    assert fields.span_attributes() == ("source_type", "cue_type", "modality_type")
    for spec in fields.attributes("span"):
        assert issubclass(getattr(vocab, spec.vocabulary or ""), vocab.Vocabulary)
