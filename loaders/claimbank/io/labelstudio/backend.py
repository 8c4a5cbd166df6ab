"""A Label Studio ML backend: live pre-annotations from ClaimBank's rules or a learned tagger.

Label Studio calls an ML backend over HTTP (the protocol of HumanSignal's ``label-studio-ml-backend``):
``GET /health``, ``POST /setup`` (the project's labeling config; answers the model version), ``POST /predict``
(tasks; answers one prediction per task) and ``POST /webhook`` (annotation events). ``label-studio-ml`` 1.0.9,
the newest on PyPI, pins Flask 1.1.2 and Werkzeug 2.0.2 and imports redis and rq at start-up, so it cannot share
an environment with Flask 3; the protocol is served here with Flask instead.

A prediction is an annotation set turned into Label Studio regions by :func:`claimbank.io.labelstudio.convert.
to_results`: text regions whose ids are the span ids (stable: the same text gives the same ids), per-region
choices on those ids, and relations with ``from_id``/``to_id``; it carries a ``score`` and the predictor's
``model_version``. The score is the lowest confidence of its spans (the least sure region decides which task a
person should look at first) when the predictor gives spans a ``confidence`` (a field of the file format for
predicted sets), else :data:`RULES_SCORE`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from claimbank.io.labelstudio.convert import FROM_LABEL, TO_NAME, to_results
from claimbank.tagger.settings import BATCH

RULES_SCORE = 0.5  # the score of a prediction whose spans carry no confidence (the rules): "as unsure as any"
WEBHOOK_ACTIONS = ("ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED", "START_TRAINING")


class Predictor(Protocol):
    """Text in, a ClaimBank annotation set (a dict in the file format) out; spans may carry ``confidence``.

    A predictor may also offer ``many(texts)``: the sets of several texts, predicted together (the same sets as
    one by one); :func:`predictions` then gives it :data:`~claimbank.tagger.settings.BATCH` texts at a time."""

    model_version: str

    def __call__(self, text: str) -> dict[str, Any]: ...


class PredictorUnavailable(Exception):
    """The predictor asked for cannot be loaded; the message says why and what to do."""


class RulePredictor:
    """The rule-based pre-annotator (:mod:`claimbank.annotate.preannotate`) as a :class:`Predictor`."""

    def __init__(self) -> None:
        from claimbank.annotate.preannotate import MODEL_VERSION

        self.model_version = MODEL_VERSION

    def __call__(self, text: str) -> dict[str, Any]:
        from claimbank.annotate.preannotate import annotation_set

        return annotation_set(text, created_at=_now())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def confidences(note: str | None) -> dict[str, float]:
    """The confidences a tagger's set carries in its note (``confidence: s1=0.93 s2=0.71 a1=0.64``), by id."""
    found: dict[str, float] = {}
    if not note or not note.startswith("confidence:"):
        return found
    for item in note.removeprefix("confidence:").split():
        key, _, value = item.partition("=")
        try:
            found[key] = float(value)
        except ValueError:
            continue
    return found


class TaggerPredictor:
    """A model folder of ``claimbank.tagger`` (``claimbank train``) as a :class:`Predictor`.

    Spans and attributions keep the ``confidence`` the tagger gives them; where it gives none but writes the
    confidences into the set's note (``confidence: s1=0.93 a1=0.64``, its form before the file format had the
    field), they are read back from there. :func:`prediction` turns them into scores.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.model_version = str(model.version)

    def __call__(self, text: str) -> dict[str, Any]:
        return self._scored(self.model.annotation_set(text, created_at=_now()))

    def many(self, texts: list[str]) -> list[dict[str, Any]]:
        """The sets of ``texts`` predicted together (the model's ``annotation_sets``, where it has one)."""
        together = getattr(self.model, "annotation_sets", None)
        if not callable(together):
            return [self(text) for text in texts]
        return [self._scored(made) for made in together(texts, created_at=_now())]

    @staticmethod
    def _scored(made: dict[str, Any]) -> dict[str, Any]:
        known = confidences(made.get("note"))

        def scored(item: dict[str, Any]) -> dict[str, Any]:
            if item.get("confidence") is None and item["id"] in known:
                return {**item, "confidence": known[item["id"]]}
            return item

        layers = {name: [scored(i) for i in made.get(name, [])] for name in ("spans", "attributions")}
        return {**made, **layers}


def load_predictor(model: Path | None) -> Predictor:
    """The rules without ``model``; with it, the learned tagger saved in the folder ``model``.

    The tagger is the package ``claimbank.tagger`` (its ``load(folder)``, wrapped in :class:`TaggerPredictor`);
    an installation without it, a folder that is not there or one the tagger refuses is a
    :class:`PredictorUnavailable` error.
    """
    if model is None:
        return RulePredictor()
    if not model.is_dir():
        raise PredictorUnavailable(f"--model {model}: no such folder")
    try:
        tagger = importlib.import_module("claimbank.tagger")
    except ModuleNotFoundError as error:
        if error.name not in ("claimbank.tagger", "claimbank"):
            raise
        raise PredictorUnavailable(
            "--model needs the learned tagger (claimbank.tagger), which this installation does not have; "
            "leave out --model to serve the rules"
        ) from None
    try:
        return TaggerPredictor(tagger.load(model))
    except tagger.ModelError as error:
        raise PredictorUnavailable(f"--model {model}: {error}") from None


def score(annotation_set: dict[str, Any]) -> float:
    """A prediction's score: its spans' lowest ``confidence``; :data:`RULES_SCORE` when they carry none."""
    confidences = [
        float(s["confidence"]) for s in annotation_set.get("spans", []) if s.get("confidence") is not None
    ]
    return min(confidences) if confidences else RULES_SCORE


def prediction(predictor: Predictor, text: str) -> dict[str, Any]:
    """One Label Studio prediction for ``text``: regions, choices and relations, a ``score``, a model version.

    Spans' and attributions' ``confidence`` become the regions' and content relations' own scores
    (:func:`claimbank.io.labelstudio.convert.to_results`), which Label Studio shows on them.
    """
    return _as_prediction(predictor, predictor(text))


def predictions(predictor: Predictor, texts: list[str]) -> list[dict[str, Any]]:
    """:func:`prediction` of each of ``texts``, in order: through the predictor's ``many`` where it has one
    (the same predictions, quicker for the neural tagger), else text by text. Give it at most a batch
    (:data:`~claimbank.tagger.settings.BATCH`): its texts' sets are all held at once."""
    many = getattr(predictor, "many", None)
    made = list(many(texts)) if callable(many) and len(texts) > 1 else [predictor(text) for text in texts]
    if len(made) != len(texts):
        raise ValueError(f"the predictor gave {len(made)} sets for {len(texts)} texts")
    return [_as_prediction(predictor, one) for one in made]


def _as_prediction(predictor: Predictor, made: dict[str, Any]) -> dict[str, Any]:
    return {"result": to_results(made), "score": score(made), "model_version": predictor.model_version}


def uncertainty_first(
    predictor: Predictor, documents: Iterable[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every document with its prediction, the least certain first (ties keep the documents' order): pushed in
    this order, Label Studio's default task order is the order in which a person's answer teaches most. The
    documents are predicted :data:`~claimbank.tagger.settings.BATCH` at a time (:func:`predictions`)."""
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    # Drawn a batch at a time, so that a progress bar over the documents moves as they are predicted.
    remaining = iter(documents)
    while batch := list(islice(remaining, BATCH)):
        pairs += zip(batch, predictions(predictor, [item["text"] for item in batch]), strict=True)
    return sorted(pairs, key=lambda pair: float(pair[1]["score"]))


def config_problem(schema: str) -> str | None:
    """Why a project's labeling config cannot show ClaimBank's predictions, or None when it can."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(schema)
    except ET.ParseError as error:
        return f"the labeling config is not XML ({error})"
    labels = [e for e in root.iter("Labels") if e.get("name") == FROM_LABEL and e.get("toName") == TO_NAME]
    texts = [e for e in root.iter("Text") if e.get("name") == TO_NAME]
    if not labels or not texts:
        return (
            f'the labeling config has no <Labels name="{FROM_LABEL}" toName="{TO_NAME}"> over a <Text '
            f'name="{TO_NAME}">: use `claimbank ls config`'
        )
    return None


class Events:
    """What the webhook has been told: a count per action (for /metrics and the tests), and the training hook."""

    def __init__(self, on_annotation: Callable[[dict[str, Any]], None] | None) -> None:
        self.counts: dict[str, int] = {}
        self.on_annotation = on_annotation
        self.lock = threading.Lock()

    def record(self, event: dict[str, Any]) -> None:
        action = str(event.get("action"))
        with self.lock:
            self.counts[action] = self.counts.get(action, 0) + 1
        if self.on_annotation is not None:
            # Training can take long; Label Studio waits for the webhook's answer, so it runs in the background.
            threading.Thread(target=self.on_annotation, args=(event,), daemon=True).start()


def create_app(predictor: Predictor, *, on_annotation: Callable[[dict[str, Any]], None] | None = None) -> Any:
    """The Flask application that answers Label Studio's ML backend calls with ``predictor``'s predictions.

    ``on_annotation`` is called (in a background thread) with every webhook event about annotations; without it
    the events are only counted (the rules cannot learn).
    """
    from flask import Flask, jsonify, request

    app = Flask("claimbank.io.labelstudio.backend")
    events = Events(on_annotation)
    app.config["events"] = events

    def refuse(message: str, status: int = 400) -> Any:
        response = jsonify({"status": "ERROR", "error": message})
        response.status_code = status
        return response

    @app.get("/")
    @app.get("/health")
    def health() -> Any:
        return jsonify({"status": "UP", "model_class": "claimbank", "model_version": predictor.model_version})

    @app.post("/setup")
    def setup() -> Any:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return refuse("the body must be a JSON object")
        problem = config_problem(str(body.get("schema") or ""))
        if problem is not None:
            return refuse(problem)
        return jsonify({"model_version": predictor.model_version})

    @app.post("/predict")
    def predict() -> Any:
        body = request.get_json(silent=True)
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list):
            return refuse('the body must be a JSON object with a "tasks" list')
        texts = []
        for item in tasks:
            data = item.get("data") if isinstance(item, dict) else None
            text = data.get("text") if isinstance(data, dict) else None
            if not isinstance(text, str):
                task_id = item.get("id") if isinstance(item, dict) else None
                return refuse(f"task {task_id}: no data.text string to predict on")
            texts.append(text)
        results = []
        for first in range(0, len(texts), BATCH):
            try:
                results += predictions(predictor, texts[first : first + BATCH])
                continue
            except Exception:  # which task failed: one by one, as a predictor without `many` would go
                pass
            for item, text in zip(tasks[first : first + BATCH], texts[first : first + BATCH], strict=True):
                # The predictor's failure on one text is told to Label Studio as such.
                try:
                    results.append(prediction(predictor, text))
                except Exception as error:
                    app.logger.exception("task %s: the predictor failed", item.get("id"))
                    return refuse(
                        f"task {item.get('id')}: the predictor failed: {type(error).__name__}: {error}", 500
                    )
        return jsonify({"results": results, "model_version": predictor.model_version})

    @app.post("/webhook")
    def webhook() -> Any:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "action" not in body:
            return refuse('the body must be a JSON object with an "action"')
        if body["action"] not in WEBHOOK_ACTIONS:
            return jsonify({"status": "ignored", "action": body["action"]})
        events.record(body)
        return jsonify({"status": "ok", "action": body["action"]}), 201

    @app.get("/metrics")
    def metrics() -> Any:
        with events.lock:
            return jsonify({"webhook_events": dict(events.counts)})

    return app


def serve(app: Any, host: str, port: int, *, ready: Callable[[int], None] | None = None) -> None:
    """Serve ``app`` on ``host``:``port`` (0: any free port) with Werkzeug's threaded server until interrupted.

    ``ready`` is called with the port actually bound, once the socket listens.
    """
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    if ready is not None:
        ready(server.server_port)
    try:
        server.serve_forever()
    finally:
        server.server_close()
