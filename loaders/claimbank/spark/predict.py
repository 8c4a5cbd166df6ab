"""The pre-annotator a job runs on each article: the rules by default, or a trained model folder.

The driver checks that the predictor can be made (:func:`check`) and ships a model folder to the executors with
``SparkContext.addFile``; each executor's Python makes the predictor once (:func:`predictor`) from the picklable
:class:`PredictorSpec`, so a model is loaded once per worker process, not once per article.

A model folder is read by ``claimbank.tagger`` (the learned tagger; its module is loaded only when ``--model`` is
given), which must offer ``load(folder) -> tagger`` where ``tagger.annotation_set(text, created_at=...)`` returns an
annotation set (origin ``prediction``) as ``claimbank.annotate.preannotate.annotation_set`` does. A tagger that also
offers ``annotation_sets(texts, created_at=...)`` (``claimbank.tagger``'s model does: the same sets, predicted
together, about 1.5 times quicker) is given :data:`~claimbank.tagger.settings.BATCH` articles at a time, as
``claimbank preannotate`` gives it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast

TAGGER_MODULE = "claimbank.tagger"

# Texts in, their annotation sets out, in order: a predictor takes a batch of articles.
Predict = Callable[[list[str]], list[dict[str, Any]]]


class Tagger(Protocol):
    """What a loaded model offers."""

    def annotation_set(self, text: str, *, created_at: str) -> dict[str, Any]: ...


def _batched(tagger: Tagger, created_at: str) -> Predict:
    """The tagger's ``annotation_sets`` where it has one, else its ``annotation_set`` text by text."""
    many = getattr(tagger, "annotation_sets", None)
    if callable(many):
        return lambda texts: list(many(texts, created_at=created_at))
    return lambda texts: [tagger.annotation_set(text, created_at=created_at) for text in texts]


class PredictorUnavailable(Exception):
    """The predictor asked for cannot be made; the message is the one line to show."""


@dataclass(frozen=True)
class PredictorSpec:
    """What an executor needs to make the predictor: small and picklable (never the model itself)."""

    # The predicted sets' timestamp, fixed by the driver so that every executor writes the same.
    created_at: str
    # The model folder: its path on the driver; executors find it by its name among the job's shipped files.
    model: str | None = None
    # Mark the predicted set gold (silver data: the claims, attributions and tokens configs are built from it).
    gold: bool = False
    # The module whose load(folder) reads the model folder.
    loader: str = TAGGER_MODULE

    @property
    def shipped_name(self) -> str | None:
        return Path(self.model).name if self.model else None


def _tagger_loader(name: str) -> Callable[[Path], Tagger]:
    try:
        module = importlib.import_module(name)
    except ImportError as error:
        raise PredictorUnavailable(
            f"--model needs the learned tagger ({name}), which cannot be imported here: {error}"
        ) from None
    load = getattr(module, "load", None)
    if not callable(load):
        raise PredictorUnavailable(f"{name} has no load(folder) function")
    return cast("Callable[[Path], Tagger]", load)


def check(spec: PredictorSpec) -> None:
    """On the driver, before any work is shipped: raise :class:`PredictorUnavailable` if the predictor cannot be
    made (no such model folder, no tagger module)."""
    if spec.model is None:
        return
    if not Path(spec.model).is_dir():
        raise PredictorUnavailable(f"--model {spec.model}: not a folder")
    load = _tagger_loader(spec.loader)
    try:
        load(
            Path(spec.model)
        )  # opened (and its files' hashes checked) here, so a bad folder stops nothing later
    except Exception as error:  # the tagger's ModelError, or whatever a foreign loader raises
        raise PredictorUnavailable(f"--model {spec.model}: {error}") from None


def rules(created_at: str) -> Predict:
    """The rule-based pre-annotator (:mod:`claimbank.annotate.preannotate`)."""
    from claimbank.annotate import preannotate

    return lambda texts: [preannotate.annotation_set(text, created_at=created_at) for text in texts]


@cache
def predictor(spec: PredictorSpec) -> Predict:
    """The predictor of ``spec``, made once per process; on an executor, the model comes from the shipped files."""
    if spec.model is None:
        return rules(spec.created_at)
    folder = Path(spec.model)
    from pyspark import SparkFiles, TaskContext

    if TaskContext.get() is not None:  # in a task: the copy shipped to this executor, not the driver's path
        folder = Path(SparkFiles.get(str(spec.shipped_name)))
    return _batched(_tagger_loader(spec.loader)(folder), spec.created_at)
