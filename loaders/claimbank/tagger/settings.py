"""Training settings, in a module with no imports (the command line reads the defaults at start-up)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Training settings (crfsuite's L-BFGS with elastic-net regularization); recorded in the model."""

    iterations: int = 150
    c1: float = 0.05
    c2: float = 0.01
    linker_iterations: int = 200
    linker_c2: float = 1.0
