"""The two round trips at scale, on hostile text (emoji, ZWJ sequences, combining marks, CRLF, RTL, NFD):

- annotation file → HF dataset ``documents`` row (through Arrow) → annotation file, byte for byte;
- annotation file → Label Studio task and export shape → ``ls import`` → the same spans, attributions, claims.

Each runs over ``CLAIMBANK_ROUND_TRIPS`` generated documents (default 10,000; the count is asserted, so a
hypothesis run that stopped early fails). ``benchmarks/bench_roundtrip.py`` runs a larger number.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings

from claimbank.dataset import features
from claimbank.dataset.rows import document_to_row, row_to_document
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet, Document
from claimbank.io.labelstudio.convert import import_export, task
from claimbank.util.jsonio import dumps
from claimbank.validate.core import check_data
from claimbank.validate.problems import ProblemSink
from tests.strategies import documents

ROUND_TRIPS = int(os.environ.get("CLAIMBANK_ROUND_TRIPS", "10000"))


def _run(property_: Callable[[dict[str, Any]], None]) -> int:
    """Run ``property_`` over ROUND_TRIPS generated documents; return how many it saw."""
    seen = 0

    @settings(
        max_examples=ROUND_TRIPS,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(documents())
    def run(data: dict[str, Any]) -> None:
        nonlocal seen
        seen += 1
        property_(data)

    run()
    return seen


def file_through_dataset_row(data: dict[str, Any]) -> None:
    assert [p.format() for p in check_data(data, name="g") if p.code != "seed-missing"] == []
    original = canonical(Document.model_validate(data))
    table = pa.Table.from_pylist(
        [document_to_row(Document.model_validate(original))], schema=features.DOCUMENTS.arrow_schema
    )
    (row,) = table.to_pylist()
    assert dumps(canonical(row_to_document(row))) == dumps(original)


def file_through_label_studio(data: dict[str, Any]) -> None:
    document = canonical(Document.model_validate(data))
    empty = {**document, "annotation_sets": []}
    for number, item in enumerate(document["annotation_sets"]):
        made = task(document, prediction=item, model_version="x")
        exported = {
            "id": number + 1,
            "data": made["data"],
            "annotations": [
                {
                    "id": number + 1,
                    "completed_by": {"id": 1, "email": "annotator@example.org"},
                    "result": made["predictions"][0]["result"],
                    "was_cancelled": False,
                    "created_at": item["created_at"],
                }
            ],
        }
        sink = ProblemSink("export")
        updated, _ = import_export([exported], {document["id"]: empty}, sink)
        assert sink.problems == []
        (back,) = updated[document["id"]]["annotation_sets"]
        assert [
            p.format() for p in check_data(updated[document["id"]], name="g") if p.code != "seed-missing"
        ] == []
        layers = ("spans", "attributions", "claims")
        assert canonical_layers(back, layers) == canonical_layers(item, layers)


def canonical_layers(item: dict[str, Any], layers: tuple[str, ...]) -> dict[str, Any]:
    header = {"id": "x", "annotator": "x", "origin": "manual", "created_at": "2026-01-01T00:00:00Z"}
    model = AnnotationSet.model_validate({**header, **{layer: item[layer] for layer in layers}})
    return model.model_dump(mode="json", include=set(layers))


def test_annotation_file_through_the_dataset_and_back() -> None:
    assert _run(file_through_dataset_row) >= ROUND_TRIPS


def test_annotation_file_through_label_studio_and_back() -> None:
    assert _run(file_through_label_studio) >= ROUND_TRIPS
