"""Settings of the neural tagger, in a module with no imports (the command line reads the defaults at start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NeuralSettings:
    """The BiLSTM-CRF tagger's size and training schedule (Adam, dropout); recorded in the model.

    The defaults were chosen on PolNeAR train's validation + test hash splits (docs/tagger.md): large enough to
    beat the CRF there, small enough to train PolNeAR train in under 20 minutes on 2 cores and to predict 50
    articles a second on one.
    """

    epochs: int = 10
    word_dim: int = 100
    char_dim: int = 25
    char_filters: int = 50
    hidden: int = 128
    chunk: int = 200
    batch: int = 16
    learning_rate: float = 0.002
    dropout: float = 0.5
    word_dropout: float = 0.05
    min_count: int = 2
    seed: int = 0
    threads: int = 1
