"""A learned attribution tagger: trained from a built dataset (``claimbank train``), used by
``claimbank preannotate --model``.

``features`` makes token features from the text alone, ``tags`` maps spans to BIO tags and back, ``link``
assembles spans into attributions, ``data`` reads the dataset with ``datasets.load_dataset``, ``train`` trains and
scores, ``predict`` opens a model folder and predicts, ``folder`` writes and checks model folders, ``card``
writes the model card. The span tagger is ``neural`` (a BiLSTM-CRF in torch, the optional ``neural`` extra, and
``claimbank train``'s default) or crfsuite's CRF; the linker and attribute classifiers are crfsuite's.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from claimbank.tagger.data import DatasetError
    from claimbank.tagger.folder import ModelError
    from claimbank.tagger.predict import Model
    from claimbank.tagger.settings import Settings
    from claimbank.tagger.training import train

# Loaded on first use (PEP 562): the command line imports claimbank.tagger.settings at start-up, and that must
# not bring in the rest.
_WHERE = {
    "DatasetError": "claimbank.tagger.data",
    "ModelError": "claimbank.tagger.folder",
    "Model": "claimbank.tagger.predict",
    "Settings": "claimbank.tagger.settings",
    "train": "claimbank.tagger.training",
}

__all__ = ["DatasetError", "Model", "ModelError", "Settings", "load", "train"]


def load(folder: Path) -> Model:
    """The model in ``folder`` (written by ``claimbank train``, either architecture: ``model.json`` says which),
    checked and opened; :class:`ModelError` if it is not one. What the Label Studio backend and the Spark jobs
    call."""
    from claimbank.tagger.predict import Model

    return Model(folder)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
