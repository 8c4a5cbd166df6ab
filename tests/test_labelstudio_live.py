"""Against a real Label Studio server: the generated config is accepted, and the gold, pushed as predictions,
comes back unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from claimbank import load_document
from claimbank.labelstudio import from_results, labeling_config, to_results
from claimbank.model import AnnotationSet
from claimbank.rows import canonical
from tests.labelstudio_server import Server, start

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from start(tmp_path_factory.mktemp("label-studio"))


def test_gold_round_trips_through_a_real_server(server: Server) -> None:
    from label_studio_sdk import LabelStudio

    client = LabelStudio(base_url=server.url, api_key=server.token)
    project = client.projects.create(title="ClaimBank round trip", label_config=labeling_config())
    document = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))
    gold = document["annotation_sets"][0]
    task = {
        "data": {"text": document["text"], "document_id": document["id"], "sha256": document["sha256"]},
        "predictions": [{"model_version": "gold", "result": to_results(gold)}],
    }
    imported = client.projects.import_tasks(id=project.id, request=[task], return_task_ids=True)
    (task_id,) = imported.task_ids
    stored = client.tasks.get(id=task_id)
    assert stored.data["text"] == document["text"]
    predictions = list(client.predictions.list(task=task_id))
    assert len(predictions) == 1
    header = {k: v for k, v in gold.items() if k not in ("spans", "attributions", "claims")}
    back = AnnotationSet.model_validate({**header, **from_results(predictions[0].result)})
    assert back == AnnotationSet.model_validate(gold)
