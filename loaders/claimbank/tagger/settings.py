"""Training settings, in a module with no imports (the command line reads the defaults at start-up)."""

from __future__ import annotations

from dataclasses import dataclass

# Articles a command gives the tagger at a time (`claimbank preannotate`, the Spark jobs, the Label Studio
# backend): the neural tagger shares its per-call costs among them (1.4-1.6 times the articles per CPU second of
# one at a time on PolNeAR; docs/tagger.md#prediction-speed); a batch's documents are all that is held.
BATCH = 16


@dataclass(frozen=True)
class Settings:
    """Training settings (crfsuite's L-BFGS with elastic-net regularization); recorded in the model."""

    iterations: int = 150
    c1: float = 0.05
    c2: float = 0.01
    linker_iterations: int = 200
    linker_c2: float = 1.0
