"""Round trips on hostile text: annotation file → dataset rows (through Arrow) → annotation file, with 0 differences."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings

from claimbank.dataset import features
from claimbank.dataset.rows import as_pylist, document_row, document_to_row, row_to_document, view_rows
from claimbank.format.canonical import canonical
from claimbank.format.model import Document
from claimbank.validate.core import check_data
from tests.strategies import documents

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _problems(data: dict[str, Any]) -> list[str]:
    problems = check_data(data, name="generated", seeds_dir=None)
    return [p.format() for p in problems if p.code != "seed-missing"]


@SETTINGS
@given(documents())
def test_generated_documents_are_valid(data: dict[str, Any]) -> None:
    assert _problems(data) == []


@SETTINGS
@given(documents())
def test_documents_rows_round_trip_through_arrow(data: dict[str, Any]) -> None:
    document = Document.model_validate(data)
    table = pa.Table.from_pylist([document_to_row(document)], schema=features.DOCUMENTS.arrow_schema)
    (row,) = table.to_pylist()
    back = row_to_document(row)
    assert back == document
    assert canonical(back) == canonical(Document.model_validate(canonical(document)))


@SETTINGS
@given(documents())
def test_views_write_under_their_features(data: dict[str, Any]) -> None:
    for config, rows in view_rows(data).items():
        table = pa.Table.from_pylist(as_pylist(rows), schema=features.FEATURES[config].arrow_schema)
        assert table.num_rows == len(rows)
        if not isinstance(rows, list):  # columns: the build's own table is the same table
            assert rows.table(features.arrow_schema(config)).equals(table)


@SETTINGS
@given(documents())
def test_rows_from_the_file_are_the_rows_from_its_model(data: dict[str, Any]) -> None:
    """The build converts a valid file's JSON without the pydantic model: that must give the model's rows."""
    model = canonical(Document.model_validate(data))
    assert document_row(data) == document_to_row(Document.model_validate(data))
    from_file, from_model = view_rows(data), view_rows(model)
    assert {c: as_pylist(r) for c, r in from_file.items()} == {c: as_pylist(r) for c, r in from_model.items()}
