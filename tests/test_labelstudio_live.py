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


def test_export_of_real_annotations_imports_back(server: Server, tmp_path: Path) -> None:
    import json
    import shutil
    import urllib.request

    from label_studio_sdk import LabelStudio

    from claimbank.cli import main

    client = LabelStudio(base_url=server.url, api_key=server.token)
    project = client.projects.create(title="ClaimBank import", label_config=labeling_config())
    document = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))
    gold = document["annotation_sets"][0]
    data = {"text": document["text"], "document_id": document["id"], "sha256": document["sha256"]}
    (task_id,) = client.projects.import_tasks(
        id=project.id, request=[{"data": data}], return_task_ids=True
    ).task_ids
    client.annotations.create(id=task_id, result=to_results(gold), was_cancelled=False)
    client.annotations.create(id=task_id, result=[], was_cancelled=True)
    request = urllib.request.Request(
        f"{server.url}/api/projects/{project.id}/export?exportType=JSON&download_all_tasks=true",
        headers={"Authorization": f"Token {server.token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        exported = json.loads(response.read())
    assert [len(t["annotations"]) for t in exported] == [2]

    (tmp_path / "annotations").mkdir()
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copy(ROOT / "annotations" / "000_fb2fb690b74273a6.json", tmp_path / "annotations")
    (tmp_path / "export.json").write_text(json.dumps(exported), encoding="utf-8")
    assert (
        main(["ls", "import", str(tmp_path / "export.json"), "--annotations", str(tmp_path / "annotations")])
        == 0
    )
    sets = load_document(tmp_path / "annotations" / "000_fb2fb690b74273a6.json").annotation_sets
    imported = [s for s in sets if s.id.startswith("ls-annotation-")]
    assert len(imported) == 1  # the cancelled one is skipped
    header = {
        "annotator": imported[0].annotator,
        "origin": imported[0].origin,
        "created_at": imported[0].created_at,
    }
    same = AnnotationSet.model_validate({**gold, **header, "id": imported[0].id, "gold": False, "note": None})
    same = same.model_copy(update={"imported_from": imported[0].imported_from})
    assert imported[0] == same
