"""Settings of the neural tagger, in a module with no imports (the command line reads the defaults at start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NeuralSettings:
    """The BiLSTM-CRF tagger's size and training schedule (Adam, dropout); recorded in the model.

    The defaults were chosen on PolNeAR train's validation + test hash splits (docs/tagger.md): with the word
    rates, 128 per direction scores 2.5-4 points above 64 on every role and predicts 1.35 times slower; chunks of
    100 tokens.
    """

    epochs: int = 10
    word_dim: int = 100
    char_dim: int = 25
    char_filters: int = 50
    hidden: int = 128
    chunk: int = 100
    batch: int = 16
    learning_rate: float = 0.002
    dropout: float = 0.5
    word_dropout: float = 0.05
    min_count: int = 2
    seed: int = 0
    threads: int = 1
    # Each token's learned rates of being in a CUE and in a SOURCE (from the training articles; out-of-fold,
    # ``rate_folds`` folds, for the articles trained on), and its neighbours' up to ``rates`` tokens away, as
    # extra inputs (-1: none; a model from before them has none).
    rates: int = 2
    rate_folds: int = 5
