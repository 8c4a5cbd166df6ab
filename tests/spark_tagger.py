"""A tiny tagger for test_spark: the shape of claimbank.tagger's API (``load(folder)`` → ``annotation_set``), shipped
to the executors with ``SparkContext.addPyFile`` as a user's own predictor would be. Not a model of anything: it
marks every word of the folder's ``cues.json`` as a CUE span."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


class WordTagger:
    def __init__(self, folder: Path) -> None:
        settings = json.loads((folder / "cues.json").read_text(encoding="utf-8"))
        self.version = settings["version"]
        self.pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, settings["cues"])) + r")\b")

    def annotation_set(self, text: str, *, created_at: str) -> dict[str, Any]:
        spans = [
            {
                "id": f"s{number}",
                "label": "CUE",
                "start": match.start(),
                "end": match.end(),
                "text": match.group(),
                "cue_type": "verb_of_saying",
            }
            for number, match in enumerate(self.pattern.finditer(text), start=1)
        ]
        return {
            "id": "tagger",
            "annotator": "spark_tagger",
            "origin": "prediction",
            "created_at": created_at,
            "model_version": f"spark_tagger {self.version}",
            "spans": spans,
            "attributions": [],
            "claims": [],
        }


def load(folder: Path) -> WordTagger:
    return WordTagger(folder)
