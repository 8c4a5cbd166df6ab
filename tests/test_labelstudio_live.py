"""Against a real Label Studio server: the generated config is accepted, and the gold, pushed as predictions,
comes back unchanged."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from claimbank import load_document
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet, Document
from claimbank.io.labelstudio.convert import from_results, labeling_config, to_results
from tests.labelstudio_server import Server, start

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

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


def test_a_span_in_fragments_round_trips_through_a_real_server(server: Server) -> None:
    """Label Studio has no discontinuous region: the fragments go as regions linked by "fragment" relations, and an
    annotation made of them (as an annotator's would be) comes back as one span."""
    from label_studio_sdk import LabelStudio

    client = LabelStudio(base_url=server.url, api_key=server.token)
    project = client.projects.create(title="ClaimBank fragments", label_config=labeling_config())
    path = ROOT / "tests" / "cases" / "valid" / "mini-fragments.json"
    document = canonical(load_document(path, seeds_dir=ROOT / "tests" / "cases" / "seeds"))
    gold = document["annotation_sets"][0]
    assert any("fragments" in span for span in gold["spans"])
    data = {"text": document["text"], "document_id": document["id"], "sha256": document["sha256"]}
    (task_id,) = client.projects.import_tasks(
        id=project.id, request=[{"data": data}], return_task_ids=True
    ).task_ids
    client.annotations.create(id=task_id, result=to_results(gold), was_cancelled=False)
    (stored,) = client.annotations.list(id=task_id)
    header = {k: v for k, v in gold.items() if k not in ("spans", "attributions", "claims")}
    back = AnnotationSet.model_validate({**header, **from_results(stored.result, document["text"])})
    assert back == AnnotationSet.model_validate(gold)


def test_export_of_real_annotations_imports_back(server: Server, tmp_path: Path) -> None:
    import json
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


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimbank", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_push_is_idempotent_pull_imports_and_the_token_never_shows(server: Server, tmp_path: Path) -> None:
    from label_studio_sdk import LabelStudio

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    env = {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}
    push = [
        *("ls", "push", "--project", "push-pull", "--create", "--predictions", "gold"),
        str(tmp_path / "annotations"),
    ]
    first, second = _cli(push, env), _cli(push, env)
    assert first.returncode == 0, first.stderr
    assert "1 task(s) imported, 0 already there" in first.stderr
    assert "0 task(s) imported, 1 already there" in second.stderr
    client = LabelStudio(base_url=server.url, api_key=server.token)
    (project,) = [p for p in client.projects.list() if p.title == "push-pull"]
    (stored,) = list(client.tasks.list(project=project.id, fields="all"))
    gold = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))["annotation_sets"][0]
    client.annotations.create(id=stored.id, result=to_results(gold), was_cancelled=False)
    pulled = _cli(
        ["ls", "pull", "--project", "push-pull", "--annotations", str(tmp_path / "annotations")], env
    )
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    sets = load_document(tmp_path / "annotations" / "000_fb2fb690b74273a6.json").annotation_sets
    assert [s.id for s in sets if s.id.startswith("ls-annotation-")]
    for result in (first, second, pulled):
        assert server.token not in result.stdout + result.stderr


def test_a_server_that_is_down_is_reported_within_seconds(tmp_path: Path) -> None:
    import time

    from claimbank.io.labelstudio.client import Connection, LabelStudioError, find_project

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection = Connection(f"http://127.0.0.1:{port}", "sentinel-token-do-not-print")  # the defaults
    connection.client()  # the SDK's import, before the clock starts: seconds on a loaded machine
    started = time.monotonic()
    with pytest.raises(LabelStudioError) as failure:
        find_project(connection, "x")
    assert time.monotonic() - started < 5  # it took ~27 s when the SDK's retries ran inside ours
    assert "cannot connect to" in str(failure.value)
    assert "sentinel-token-do-not-print" not in str(failure.value)


def test_5xx_answers_are_retried_a_bounded_number_of_times() -> None:
    from claimbank.io.labelstudio.client import Connection, LabelStudioError, find_project

    class Failing(BaseHTTPRequestHandler):
        hits = 0

        def do_GET(self) -> None:
            type(self).hits += 1
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        connection = Connection(
            f"http://127.0.0.1:{httpd.server_port}", "t0ken-sentinel", attempts=3, backoff=0.01
        )
        with pytest.raises(LabelStudioError, match="answered 503"):
            find_project(connection, "x")
    finally:
        httpd.shutdown()
    assert Failing.hits == 3  # our 3 attempts; the SDK's own retries are off


def test_labeling_page_highlights_the_pre_annotations_in_a_real_browser(server: Server) -> None:
    from label_studio_sdk import LabelStudio

    from claimbank.io.labelstudio.convert import task
    from tests.browser import launch_chromium

    client = LabelStudio(base_url=server.url, api_key=server.token)
    project = client.projects.create(title="browser", label_config=labeling_config())
    document = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))
    gold = document["annotation_sets"][0]
    imported = client.projects.import_tasks(
        id=project.id, request=[task(document, gold)], return_task_ids=True
    )
    (task_id,) = imported.task_ids
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/user/login/")
        page.fill('input[name="email"]', server.username)
        page.fill('input[name="password"]', server.password)
        page.click('button[type="submit"], input[type="submit"]')
        page.wait_for_load_state("networkidle")
        page.goto(f"{server.url}/projects/{project.id}/data?task={task_id}")
        highlights = page.locator("span.htx-highlight")
        highlights.first.wait_for(timeout=60_000)
        page.wait_for_timeout(2_000)
        shown = highlights.all_inner_texts()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "labelstudio-task.png"))
    # Every span that no other span overlaps is one highlight over exactly its words (overlapping regions are
    # drawn as nested pieces, so only those are compared whole); the count covers the rest.
    spans = gold["spans"]
    alone = [
        x
        for x in spans
        if not any(y is not x and y["start"] < x["end"] and x["start"] < y["end"] for y in spans)
    ]
    assert len(alone) >= 5
    for span in alone:
        assert span["text"] in shown, span["id"]
    assert len(shown) >= len(spans)
    for words in (
        "military officials",
        "according to",
        "No group",
        "has claimed",
        "REUTERS",
        "Image Credit:",
    ):
        assert words in shown, words


def test_end_to_end_two_annotators_cancel_and_draft(server: Server, tmp_path: Path) -> None:
    """Push the gold as predictions; two annotators annotate (one also cancels, one leaves a draft); pull."""
    import json
    import urllib.request

    from label_studio_sdk import LabelStudio

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    env = {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}
    pushed = _cli(
        [
            "ls",
            "push",
            "--project",
            "e2e",
            "--create",
            "--predictions",
            "gold",
            str(tmp_path / "annotations"),
        ],
        env,
    )
    assert pushed.returncode == 0, pushed.stderr
    client = LabelStudio(base_url=server.url, api_key=server.token)
    (project,) = [p for p in client.projects.list() if p.title == "e2e"]
    (stored,) = list(client.tasks.list(project=project.id, fields="all"))
    gold = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))["annotation_sets"][0]
    second = {**gold, "claims": [], "spans": [s for s in gold["spans"] if s["label"] != "CLAIM"]}
    other = client.users.create(username="annotator-b@example.org", email="annotator-b@example.org")
    first_made = client.annotations.create(id=stored.id, result=to_results(gold))
    second_made = client.annotations.create(id=stored.id, result=to_results(second), completed_by=other.id)
    client.annotations.create(id=stored.id, result=[], was_cancelled=True)
    draft = urllib.request.Request(
        f"{server.url}/api/tasks/{stored.id}/drafts",
        data=json.dumps({"result": to_results(second), "lead_time": 1}).encode(),
        headers={"Authorization": f"Token {server.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(draft, timeout=60) as response:
        assert response.status == 201

    pulled = _cli(["ls", "pull", "--project", "e2e", "--annotations", str(tmp_path / "annotations")], env)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert "was cancelled; skipped" in pulled.stderr
    sets = {
        s.id: s for s in load_document(tmp_path / "annotations" / "000_fb2fb690b74273a6.json").annotation_sets
    }
    mine, theirs = sets[f"ls-annotation-{first_made.id}"], sets[f"ls-annotation-{second_made.id}"]
    assert mine.annotator != theirs.annotator
    for made, sent in ((mine, gold), (theirs, second)):
        assert (made.spans, made.attributions, made.claims) == (
            AnnotationSet.model_validate(sent).spans,
            AnnotationSet.model_validate(sent).attributions,
            AnnotationSet.model_validate(sent).claims,
        )
    assert not [name for name in sets if name.startswith("ls-draft-")]
    assert len([name for name in sets if name.startswith("ls-annotation-")]) == 2


def test_an_import_that_went_through_but_answered_502_is_not_sent_twice(
    server: Server, tmp_path: Path
) -> None:
    """A proxy forwards the first import to the real server, then answers 502 as if it had failed."""
    import urllib.request
    from http.server import ThreadingHTTPServer

    from claimbank.io.labelstudio.client import Connection, find_project, push
    from claimbank.testing.synth import corpus

    class FlakyProxy(BaseHTTPRequestHandler):
        failed_once = False

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            request = urllib.request.Request(
                server.url + self.path, data=body, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    status, payload, kind = (
                        response.status,
                        response.read(),
                        response.headers.get("Content-Type"),
                    )
            except urllib.error.HTTPError as error:
                status, payload, kind = error.code, error.read(), error.headers.get("Content-Type")
            if self.command == "POST" and "/import" in self.path and not type(self).failed_once:
                type(self).failed_once = True
                status, payload = 502, b"bad gateway"
            self.send_response(status)
            self.send_header("Content-Type", kind or "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = _forward

        def log_message(self, *args: object) -> None:
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), FlakyProxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        connection = Connection(f"http://127.0.0.1:{proxy.server_port}", server.token, backoff=0.01)
        project = find_project(connection, "flaky", create=True)
        documents = [canonical(Document.model_validate(d)) for _, d in corpus(30, seed=5)]
        result = push(connection, project, documents)
        again = push(connection, project, documents)
    finally:
        proxy.shutdown()
    assert FlakyProxy.failed_once
    assert (result.imported, again.imported, again.already_there) == (30, 0, 30)
    from label_studio_sdk import LabelStudio

    stored = list(LabelStudio(base_url=server.url, api_key=server.token).tasks.list(project=project))
    assert len(stored) == 30  # no duplicates although the first import "failed" after going through


def test_push_reads_every_page_and_adds_no_duplicates(server: Server) -> None:
    """More tasks than one page of the task list: the second push must see all of them, on every page."""
    from label_studio_sdk import LabelStudio

    from claimbank.io.labelstudio.client import Connection, export, find_project, push
    from claimbank.testing.synth import corpus

    connection = Connection(server.url, server.token, backoff=0.01, page_size=50)
    project = find_project(connection, "many-pages", create=True)
    documents = [canonical(Document.model_validate(d)) for _, d in corpus(230, seed=9)]
    first = push(connection, project, documents[:100])  # two full pages: the next page is a 404
    second = push(connection, project, documents)  # a resumed push: 100 are there already
    third = push(connection, project, documents)  # five pages, the last one short
    assert (first.imported, second.imported, second.already_there) == (100, 130, 100)
    assert (third.imported, third.already_there) == (0, 230)
    client = LabelStudio(base_url=server.url, api_key=server.token)
    assert len(client.tasks.list(project=project, page=5, page_size=50).items or []) == 30
    assert len(export(connection, project)) == 230


@pytest.fixture
def backend() -> Iterator[tuple[str, Any]]:
    """ClaimBank's ML backend (the rules) served on a free port of 127.0.0.1 by Werkzeug, as `ls backend` does."""
    from werkzeug.serving import make_server

    from claimbank.io.labelstudio.backend import RulePredictor, create_app

    app = create_app(RulePredictor())
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", app
    finally:
        httpd.shutdown()


def test_the_backend_pre_annotates_a_task_opened_in_label_studio_and_its_page(
    server: Server, backend: tuple[str, Any]
) -> None:
    """Connected through the SDK; opening a task asks the backend; the labeling page shows the predictions."""
    from label_studio_sdk import LabelStudio

    from claimbank.annotate.preannotate import annotation_set
    from claimbank.io.labelstudio.backend import RULES_SCORE, RulePredictor
    from claimbank.io.labelstudio.convert import task
    from tests.browser import launch_chromium

    url, app = backend
    client = LabelStudio(base_url=server.url, api_key=server.token)
    project = client.projects.create(title="live backend", label_config=labeling_config())
    connected = client.ml.create(url=url, project=project.id, title="claimbank rules")
    assert connected.state == "CO"  # Label Studio's "connected": /health and /setup answered
    document = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))
    (task_id,) = client.projects.import_tasks(
        id=project.id, request=[task(document)], return_task_ids=True
    ).task_ids
    opened = client.tasks.get(id=task_id)  # opening a task with no predictions asks the backend
    (made,) = opened.predictions
    made = made if isinstance(made, dict) else made.dict()
    assert (made["model_version"], made["score"]) == (RulePredictor().model_version, RULES_SCORE)
    expected = annotation_set(document["text"], created_at="2026-12-01T00:00:00Z")
    header = {k: v for k, v in expected.items() if k not in ("spans", "attributions", "claims")}
    back = AnnotationSet.model_validate({**header, **from_results(made["result"])})
    assert back == AnnotationSet.model_validate(expected)  # spans, choices and relations, ids and all

    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/user/login/")
        page.fill('input[name="email"]', server.username)
        page.fill('input[name="password"]', server.password)
        page.click('button[type="submit"], input[type="submit"]')
        page.wait_for_load_state("networkidle")
        page.goto(f"{server.url}/projects/{project.id}/data?task={task_id}")
        highlights = page.locator("span.htx-highlight")
        highlights.first.wait_for(timeout=60_000)
        page.wait_for_timeout(2_000)
        shown = highlights.all_inner_texts()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "labelstudio-backend.png"))
    for span in expected["spans"]:
        assert span["text"] in shown, span["id"]

    client.annotations.create(id=task_id, result=made["result"], was_cancelled=False)
    # Label Studio sends the webhook after answering; give it a moment.
    import time

    deadline = time.monotonic() + 30
    while app.config["events"].counts.get("ANNOTATION_CREATED", 0) < 1:
        assert time.monotonic() < deadline, "the backend's webhook never heard of the annotation"
        time.sleep(0.5)


def _projects(server: Server) -> list[tuple[int, str]]:
    from label_studio_sdk import LabelStudio

    return sorted(
        (int(p.id), str(p.title))
        for p in LabelStudio(base_url=server.url, api_key=server.token).projects.list()
    )


def test_project_selection_cannot_silently_go_wrong(server: Server, tmp_path: Path) -> None:
    from label_studio_sdk import LabelStudio

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    env = {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}
    pull = ["ls", "pull", "--annotations", str(tmp_path / "annotations"), "--project"]
    before = _projects(server)
    typo = _cli([*pull, "ClaimBnak"], env)
    assert typo.returncode == 1
    assert "no project titled 'ClaimBnak'" in typo.stderr
    assert "--create" in typo.stderr
    spaced = _cli(["ls", "push", "--create", "--project", "selection ", str(tmp_path / "annotations")], env)
    assert spaced.returncode == 1
    assert "white space at an edge" in spaced.stderr
    assert _projects(server) == before  # neither created a project

    client = LabelStudio(base_url=server.url, api_key=server.token)
    ids = sorted(
        int(client.projects.create(title="twice", label_config=labeling_config()).id) for _ in range(2)
    )
    twice = _cli([*pull, "twice"], env)
    assert twice.returncode == 1
    assert f"2 projects are titled 'twice' (ids {ids[0]}, {ids[1]})" in twice.stderr

    short = _cli(["ls", "push", "--create", "--project", "ab", str(tmp_path / "annotations")], env)
    assert short.returncode == 1
    assert "Label Studio answered 400:" in short.stderr
    assert "title" in short.stderr.split("answered 400:", 1)[1]  # the server's own reason, not just a number
    for result in (typo, spaced, twice, short):
        assert server.token not in result.stdout + result.stderr
        assert "Traceback" not in result.stderr


def test_predictions_reach_tasks_already_there_and_come_back_in_full(server: Server, tmp_path: Path) -> None:
    """A push without predictions, then one with them; an annotation; a pull; the annotation deleted; a pull."""
    from label_studio_sdk import LabelStudio

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    env = {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}
    files = str(tmp_path / "annotations")
    plain = _cli(["ls", "push", "--create", "--project", "late predictions", files], env)
    assert plain.returncode == 0, plain.stderr
    late = _cli(["ls", "push", "--project", "late predictions", "--predictions", "gold", files], env)
    assert late.returncode == 0, late.stderr
    assert "0 task(s) imported, 1 already there; predictions added to 1 task(s)" in late.stderr
    again = _cli(["ls", "push", "--project", "late predictions", "--predictions", "gold", files], env)
    assert "predictions added" not in again.stderr

    client = LabelStudio(base_url=server.url, api_key=server.token)
    (project,) = [p for p in client.projects.list() if p.title == "late predictions"]
    (stored,) = list(client.tasks.list(project=project.id, fields="all"))
    sets = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))["annotation_sets"]
    (gold,) = [s for s in sets if s.get("gold")]
    made = client.annotations.create(id=stored.id, result=to_results(gold), was_cancelled=False)
    pull = ["ls", "pull", "--project", "late predictions", "--annotations", files]
    pulled = _cli(pull, env)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    sets = {
        s.id: s for s in load_document(tmp_path / "annotations" / "000_fb2fb690b74273a6.json").annotation_sets
    }
    (predicted,) = [s for s in sets.values() if s.id.startswith("ls-prediction-")]
    assert (predicted.spans, predicted.attributions, predicted.claims) == (
        AnnotationSet.model_validate(gold).spans,
        AnnotationSet.model_validate(gold).attributions,
        AnnotationSet.model_validate(gold).claims,
    )  # the prediction itself, not only its id
    assert sets[f"ls-annotation-{made.id}"].annotator == server.username  # by e-mail, not label-studio-user-1

    client.annotations.delete(id=made.id)
    after = _cli(pull, env)
    assert after.returncode == 0, after.stdout + after.stderr
    assert (
        f"annotation {made.id} was deleted in Label Studio; set ls-annotation-{made.id} kept" in after.stderr
    )


def test_push_predict_gives_every_task_a_scored_prediction(server: Server, tmp_path: Path) -> None:
    from label_studio_sdk import LabelStudio

    from claimbank.io.labelstudio.backend import RULES_SCORE, RulePredictor

    env = {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}
    pushed = _cli(
        ["ls", "push", "--create", "--project", "scored", "--predict", str(ROOT / "annotations")], env
    )
    assert pushed.returncode == 0, pushed.stderr
    client = LabelStudio(base_url=server.url, api_key=server.token)
    (project,) = [p for p in client.projects.list() if p.title == "scored"]
    (stored,) = list(client.tasks.list(project=project.id, fields="all"))
    (made,) = stored.predictions
    assert (made.model_version, made.score) == (RulePredictor().model_version, RULES_SCORE)
    assert made.result
    assert "tab 'Uncertain first'" in pushed.stderr
    again = _cli(["ls", "push", "--project", "scored", "--predict", str(ROOT / "annotations")], env)
    assert again.returncode == 0, again.stderr
    tabs = [
        v for v in client.views.list(project=project.id) if (v.data or {}).get("title") == "Uncertain first"
    ]
    assert len(tabs) == 1  # made once


def test_the_uncertain_first_tab_lists_the_least_certain_task_first(server: Server) -> None:
    """Documents whose predictions score differently, pushed in the files' order: the tab sorts them by score."""
    from label_studio_sdk import LabelStudio

    from claimbank.annotate.preannotate import annotation_set
    from claimbank.io.labelstudio.backend import prediction
    from claimbank.io.labelstudio.client import Connection, find_project, push, uncertainty_view
    from claimbank.testing.synth import corpus

    class Scored:
        """Surer of longer texts: every span's confidence is the text's length over 10,000."""

        model_version = "scored-1"

        def __call__(self, text: str) -> dict[str, Any]:
            made = annotation_set(text, created_at="2026-12-01T00:00:00Z")
            for span in made["spans"]:
                span["confidence"] = min(1.0, len(text) / 10_000)
            return made

    connection = Connection(server.url, server.token)
    project = find_project(connection, "uncertain first", create=True)
    documents = [canonical(Document.model_validate(d)) for _, d in corpus(6, seed=11)]
    predictions = {d["id"]: prediction(Scored(), d["text"]) for d in documents}
    assert len({p["score"] for p in predictions.values()}) > 1
    push(connection, project, documents, predictions=predictions)  # not sorted: the tab must do it
    view = uncertainty_view(connection, project)
    client = LabelStudio(base_url=server.url, api_key=server.token)
    listed = list(client.tasks.list(project=project, view=view, fields="all"))
    scores = [predictions[t.data["document_id"]]["score"] for t in listed]
    assert len(scores) == 6
    assert scores == sorted(scores)


def test_the_documented_loop_runs(server: Server, tmp_path: Path) -> None:
    """The push and pull lines of docs/labelstudio.md's active-learning loop, as written, against a real server."""
    import re
    import shlex

    page = (ROOT / "docs" / "labelstudio.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"## Uncertainty first.*?```console\n(.*?)```", page, flags=re.DOTALL)
    lines = [line.removeprefix("$ ").split("  #")[0] for line in block.splitlines()]
    runnable = [
        shlex.split(line) for line in lines if line.startswith("claimbank ls ") and "--model" not in line
    ]
    assert [words[2] for words in runnable] == ["push", "pull"]
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    env = {**os.environ, "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": server.token}
    for words in runnable:
        done = subprocess.run(
            [sys.executable, "-m", "claimbank", *words[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    from claimbank.io.labelstudio.backend import RulePredictor

    sets = load_document(tmp_path / "annotations" / "000_fb2fb690b74273a6.json").annotation_sets
    assert [s.model_version for s in sets if s.id.startswith("ls-prediction-")] == [
        RulePredictor().model_version
    ]


def test_the_labeling_page_will_not_submit_a_region_without_its_required_choice(server: Server) -> None:
    """A CUE whose cue_type nobody picked: Label Studio's UI asks for it and saves nothing (the config's
    `required` on the choice, checked on the regions its whenLabelValue selects)."""
    from label_studio_sdk import LabelStudio

    from tests.browser import launch_chromium

    client = LabelStudio(base_url=server.url, api_key=server.token)
    project = client.projects.create(title="required choices", label_config=labeling_config())
    document = canonical(load_document(ROOT / "annotations" / "000_fb2fb690b74273a6.json"))
    (gold,) = [s for s in document["annotation_sets"] if s.get("gold")]
    (cue,) = [s for s in gold["spans"] if s["text"] == "according to"]
    result = [
        r for r in to_results(gold) if not (r.get("id") == cue["id"] and r.get("from_name") == "cue_type")
    ]
    data = {"text": document["text"], "document_id": document["id"], "sha256": document["sha256"]}
    (task_id,) = client.projects.import_tasks(
        id=project.id,
        request=[{"data": data, "predictions": [{"model_version": "gaps", "result": result}]}],
        return_task_ids=True,
    ).task_ids
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/user/login/")
        page.fill('input[name="email"]', server.username)
        page.fill('input[name="password"]', server.password)
        page.click('button[type="submit"], input[type="submit"]')
        page.wait_for_load_state("networkidle")
        page.goto(f"{server.url}/projects/{project.id}/data?task={task_id}")
        page.locator("span.htx-highlight").first.wait_for(timeout=60_000)
        page.wait_for_timeout(2_000)
        page.get_by_role("button", name="Submit").click()
        asked = page.get_by_text("Pick the cue_type of the selected CUE region")
        asked.wait_for(timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "labelstudio-required.png"))
    assert list(client.annotations.list(id=task_id)) == []  # nothing was saved
