"""Settings of the neural tagger, in a module with no imports (the command line reads the defaults at start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NeuralSettings:
    """The BiLSTM-CRF tagger's size and training schedule (Adam, dropout); recorded in the model.

    The defaults were chosen on PolNeAR train's validation + test hash splits (docs/tagger.md): 64 per direction
    and chunks of 100 tokens predict as fast as the CRF tagger and beat it on every role; 128 and 200 score 0.4-2
    points higher and predict 1.6 times slower.
    """

    epochs: int = 10
    word_dim: int = 100
    char_dim: int = 25
    char_filters: int = 50
    hidden: int = 64
    chunk: int = 100
    batch: int = 16
    learning_rate: float = 0.002
    dropout: float = 0.5
    word_dropout: float = 0.05
    min_count: int = 2
    seed: int = 0
    threads: int = 1
