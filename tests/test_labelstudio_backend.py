"""`claimbank ls backend`: the ML backend's protocol answered by the real Flask application (its test client), and
the command-line checks of `ls push` / `ls pull` that need no server. Against a running Label Studio and in a
browser: tests/test_labelstudio_live.py."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from claimbank import load_document
from claimbank.annotate.preannotate import annotation_set
from claimbank.cli import main
from claimbank.format.canonical import canonical
from claimbank.format.model import AnnotationSet
from claimbank.io.labelstudio.backend import (
    RULES_SCORE,
    PredictorUnavailable,
    RulePredictor,
    create_app,
    load_predictor,
    prediction,
    uncertainty_first,
)
from claimbank.io.labelstudio.convert import from_results, labeling_config
from claimbank.tagger.settings import BATCH

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "annotations" / "000_fb2fb690b74273a6.json"


def _text() -> str:
    return str(load_document(SEED).text)


class Confident:
    """A predictor whose spans carry confidences, as a learned tagger's do: the rules' spans, each scored."""

    model_version = "confident-1"

    def __init__(self, confidences: list[float]) -> None:
        self.confidences = confidences

    def __call__(self, text: str) -> dict[str, Any]:
        made = annotation_set(text, created_at="2026-12-01T00:00:00Z")
        for span, value in zip(made["spans"], self.confidences * len(made["spans"]), strict=False):
            span["confidence"] = value
        return made


@pytest.fixture
def client() -> Any:
    return create_app(RulePredictor()).test_client()


def test_health_and_setup_answer_the_model_version(client: Any) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.get_json()["status"] == "UP"
    body = {"project": "1.1", "schema": labeling_config(), "access_token": "owner-t0ken-sentinel"}
    setup = client.post("/setup", json=body)
    assert setup.status_code == 200
    assert b"owner-t0ken-sentinel" not in setup.data
    assert setup.get_json()["model_version"] == RulePredictor().model_version


def test_setup_refuses_a_config_it_cannot_fill_and_says_why(client: Any) -> None:
    foreign = '<View><Text name="doc" value="$text"/><Choices name="s" toName="doc"><Choice value="a"/></Choices></View>'
    answer = client.post("/setup", json={"project": "1.1", "schema": foreign})
    assert answer.status_code == 400
    assert 'Labels name="label"' in answer.get_json()["error"]


def test_predict_gives_regions_choices_and_relations_with_stable_ids(client: Any) -> None:
    text = _text()
    body = {"tasks": [{"id": 1, "data": {"text": text}}, {"id": 2, "data": {"text": "Nothing here."}}]}
    first, again = client.post("/predict", json=body), client.post("/predict", json=body)
    assert first.status_code == 200
    results = first.get_json()["results"]
    assert len(results) == 2
    assert results == again.get_json()["results"]  # the same text gets the same region ids
    made = results[0]
    assert (made["score"], made["model_version"]) == (RULES_SCORE, RulePredictor().model_version)
    regions = {r["id"] for r in made["result"] if r["type"] == "labels"}
    relations = [r for r in made["result"] if r["type"] == "relation"]
    choices = [r for r in made["result"] if r["type"] == "choices"]
    assert len(regions) == len([r for r in made["result"] if r["type"] == "labels"])  # unique ids
    assert relations
    assert choices
    assert all(r["from_id"] in regions and r["to_id"] in regions for r in relations)
    assert all(c["id"] in regions for c in choices)
    # What Label Studio shows is exactly what the pre-annotator proposes.
    expected = annotation_set(text, created_at="2026-12-01T00:00:00Z")
    header = {k: v for k, v in expected.items() if k not in ("spans", "attributions", "claims")}
    back = AnnotationSet.model_validate({**header, **from_results(made["result"])})
    assert back == AnnotationSet.model_validate(expected)
    assert results[1]["result"] == []


def test_the_score_is_the_least_confident_span_and_regions_carry_their_own() -> None:
    made = prediction(Confident([0.9, 0.3, 0.7]), _text())
    assert made["score"] == pytest.approx(0.3)
    scored = [r["score"] for r in made["result"] if r["type"] == "labels"]
    assert scored[:3] == pytest.approx([0.9, 0.3, 0.7])
    assert all("confidence" not in str(r) for r in made["result"])


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (None, '"tasks" list'),
        ({"tasks": "x"}, '"tasks" list'),
        ({"tasks": [{"id": 5, "data": {"image": "x.png"}}]}, "task 5: no data.text"),
    ],
    ids=["no-json", "tasks-not-a-list", "no-text"],
)
def test_predict_refuses_bad_requests_with_a_reason(client: Any, body: Any, words: str) -> None:
    answer = client.post("/predict", json=body) if body is not None else client.post("/predict", data="x")
    assert answer.status_code == 400
    assert words in answer.get_json()["error"]


def test_webhook_events_are_counted_and_handed_to_training_in_the_background() -> None:
    seen: list[str] = []
    done = threading.Event()

    def train(event: dict[str, Any]) -> None:
        seen.append(event["action"])
        done.set()

    app = create_app(RulePredictor(), on_annotation=train)
    client = app.test_client()
    assert (
        client.post("/webhook", json={"action": "ANNOTATION_CREATED", "annotation": {"id": 1}}).status_code
        == 201
    )
    assert client.post("/webhook", json={"action": "PROJECT_UPDATED"}).get_json()["status"] == "ignored"
    assert client.post("/webhook", json=[1]).status_code == 400
    assert done.wait(5)
    assert seen == ["ANNOTATION_CREATED"]
    assert client.get("/metrics").get_json() == {"webhook_events": {"ANNOTATION_CREATED": 1}}


def test_a_model_folder_without_the_tagger_installed_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from claimbank.io.labelstudio.command import _ls_backend

    assert main(["ls", "backend", "--model", str(tmp_path / "nope")]) == 2
    monkeypatch.setitem(sys.modules, "claimbank.tagger", None)  # an installation without the tagger
    with pytest.raises(PredictorUnavailable, match=r"claimbank\.tagger"):
        load_predictor(tmp_path)
    assert _ls_backend(argparse.Namespace(model=tmp_path, host="127.0.0.1", port=0)) == 2
    err = capsys.readouterr().err
    assert "needs the learned tagger" in err
    assert "no such folder" in err
    assert "Traceback" not in err


def test_backend_help_explains_how_to_connect_it(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ls", "backend", "--help"])
    out = capsys.readouterr().out
    for words in ("ML backend", "Settings -> Model", "--model", "--port", "ml.create"):
        assert words in out, words


def test_the_backend_command_serves_until_stopped(tmp_path: Path) -> None:
    import json
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "claimbank", "ls", "backend", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert f"http://127.0.0.1:{port}" in line
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                    assert json.loads(answer.read())["status"] == "UP"
                    break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _env_cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "claimbank", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "LABEL_STUDIO_API_KEY": "t0ken-sentinel-9", **env},
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


def test_a_url_without_http_is_refused_at_once(tmp_path: Path) -> None:
    started = time.monotonic()
    done = _env_cli(["ls", "pull", "--url", "localhost:8080"], tmp_path)
    assert time.monotonic() - started < 20  # the interpreter's start-up; no connection is tried
    assert done.returncode == 2
    assert "is not an http:// or https:// URL" in done.stderr
    assert "Traceback" not in done.stderr


def test_push_with_a_set_no_document_has_is_an_error_and_sends_nothing(tmp_path: Path) -> None:
    # The URL points at a closed port: the check must come before any connection.
    done = _env_cli(
        ["ls", "push", "--url", "http://127.0.0.1:9", "--predictions", "glod", str(SEED)], tmp_path
    )
    assert done.returncode == 1
    assert "no annotation set 'glod'" in done.stdout
    assert "nothing sent" in done.stderr


def test_without_the_sdk_ls_push_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "label_studio_sdk", None)  # an installation without the extra
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "t0ken-sentinel-9")
    args = ["--url", "http://127.0.0.1:9", "--project", "ClaimBank"]
    assert main(["ls", "push", *args, str(SEED)]) == 2
    assert main(["ls", "pull", *args, "--annotations", str(ROOT / "annotations")]) == 2
    err = capsys.readouterr().err
    assert err.count("pip install 'claimbank[labelstudio]'") == 2
    assert "Traceback" not in err
    assert "t0ken-sentinel-9" not in err


class ByLength:
    """A predictor that is surer of longer texts: each span's confidence grows with the text's length."""

    model_version = "by-length-1"

    def __call__(self, text: str) -> dict[str, Any]:
        made = annotation_set(text, created_at="2026-12-01T00:00:00Z")
        for span in made["spans"]:
            span["confidence"] = min(1.0, len(text) / 10_000)
        return made


def test_uncertainty_first_puts_the_least_certain_document_first() -> None:
    seed = canonical(load_document(SEED))
    short = {**seed, "id": "short", "text": "Officials said the bridge was closed."}
    pairs = uncertainty_first(ByLength(), [seed, short])
    assert [d["id"] for d, _ in pairs] == ["short", seed["id"]]
    assert pairs[0][1]["score"] < pairs[1][1]["score"]
    assert [d["id"] for d, _ in uncertainty_first(RulePredictor(), [seed, short])] == [seed["id"], "short"]


def test_refusals_quote_the_servers_reason() -> None:
    from label_studio_sdk.core.api_error import ApiError

    from claimbank.io.labelstudio.client import reason

    refused = {
        "id": "71a4",
        "status_code": 400,
        "detail": "Validation error",
        "validation_errors": {"title": ["Ensure this field has at least 3 characters."]},
    }
    assert reason(ApiError(status_code=400, body=refused)) == (
        'Label Studio answered 400: {"title": ["Ensure this field has at least 3 characters."]}'
    )
    assert reason(ApiError(status_code=403, body={"detail": "no"})) == "Label Studio answered 403: no"
    assert reason(ApiError(status_code=502, body="x" * 1000)).endswith("x…")


def test_a_taggers_confidences_are_read_from_its_note() -> None:
    from claimbank.io.labelstudio.backend import confidences

    assert confidences("confidence: s1=0.930 s2=0.710 a1=0.640") == {"s1": 0.93, "s2": 0.71, "a1": 0.64}
    assert confidences("adjudicated by hand") == {}
    assert confidences(None) == {}
    assert confidences("confidence: s1=x s2=0.5") == {"s2": 0.5}


def test_a_predictor_that_fails_is_a_500_naming_the_task() -> None:
    class Broken:
        model_version = "broken-1"

        def __call__(self, text: str) -> dict[str, Any]:
            raise ValueError(f"cannot read {len(text)} characters")

    answer = (
        create_app(Broken())
        .test_client()
        .post("/predict", json={"tasks": [{"id": 9, "data": {"text": "abc"}}]})
    )
    assert answer.status_code == 500
    assert answer.get_json()["error"] == "task 9: the predictor failed: ValueError: cannot read 3 characters"


def test_a_trained_tagger_is_served_with_its_confidences_as_scores(tmp_path: Path) -> None:
    """A real model folder from `claimbank train` (on 30 generated articles): scores from its confidences."""
    from claimbank.tagger import Settings, train
    from claimbank.testing.synth import write_project

    project = write_project(tmp_path / "corpus", 30, seed=1)
    assert (
        main(["build", str(project / "annotations"), "--out", str(tmp_path / "dataset"), "--no-progress"])
        == 0
    )
    train(tmp_path / "dataset", tmp_path / "model", settings=Settings(iterations=40))
    predictor = load_predictor(tmp_path / "model")
    text = "Officials said the bridge was closed on Monday. According to the police, nobody was hurt."
    answer = (
        create_app(predictor)
        .test_client()
        .post("/predict", json={"tasks": [{"id": 1, "data": {"text": text}}]})
    )
    (made,) = answer.get_json()["results"]
    regions = [r for r in made["result"] if r["type"] == "labels"]
    assert regions
    assert all(0 <= r["score"] <= 1 for r in regions)
    assert made["score"] == pytest.approx(min(r["score"] for r in regions))
    assert made["score"] != RULES_SCORE
    assert made["model_version"] == predictor.model_version != RulePredictor().model_version
    with pytest.raises(PredictorUnavailable, match="--model"):
        load_predictor(tmp_path / "corpus")  # a folder, but no model

    # Many tasks: predicted BATCH at a time through the model's annotation_sets, the same as one by one.
    texts = [f"{text} The mayor said {n} roads were shut." for n in range(BATCH + 3)] + ["", "No one spoke."]
    batches: list[int] = []
    together = predictor.model.annotation_sets

    def counted(texts: list[str], **options: Any) -> Any:
        batches.append(len(texts))
        return together(texts, **options)

    predictor.model.annotation_sets = counted
    tasks = [{"id": n, "data": {"text": t}} for n, t in enumerate(texts)]
    answer = create_app(predictor).test_client().post("/predict", json={"tasks": tasks})
    assert answer.status_code == 200
    assert batches == [BATCH, len(texts) - BATCH]
    one_by_one = [prediction(predictor, t) for t in texts]
    assert answer.get_json()["results"] == one_by_one
    assert [
        d["id"] for d, _ in uncertainty_first(predictor, [{"id": n, "text": t} for n, t in enumerate(texts)])
    ] == [n for n, _ in sorted(enumerate(one_by_one), key=lambda pair: pair[1]["score"])]


def test_a_batch_that_fails_is_predicted_one_by_one_to_name_the_task() -> None:
    class FailsOnOne(Confident):
        """``many`` fails on any batch that holds the bad text; one by one only that text fails."""

        def many(self, texts: list[str]) -> list[dict[str, Any]]:
            if "bad" in texts:
                raise ValueError("one text of the batch cannot be read")
            return [self(text) for text in texts]

        def __call__(self, text: str) -> dict[str, Any]:
            if text == "bad":
                raise ValueError("cannot read 'bad'")
            return super().__call__(text)

    client = create_app(FailsOnOne([0.7])).test_client()
    good = [{"id": n, "data": {"text": "Officials said the bridge was closed."}} for n in range(3)]
    answer = client.post("/predict", json={"tasks": [*good, {"id": 42, "data": {"text": "bad"}}]})
    assert answer.status_code == 500
    assert answer.get_json()["error"] == "task 42: the predictor failed: ValueError: cannot read 'bad'"
    fine = client.post("/predict", json={"tasks": good})
    assert fine.status_code == 200
    assert len(fine.get_json()["results"]) == 3
