"""Facts of the annotation file format that the reader and the validation fast path share with the models.

Kept apart from ``model.py`` so that reading a file and validating a valid one load neither pydantic nor
jsonschema (``tests/test_cli.py`` checks that a run of ``claimbank validate`` on valid files does not).
"""

from __future__ import annotations

from typing import Final

# JSON numbers beyond 2**53 lose precision in most JSON readers (JavaScript, orjson), so offsets stay below it.
MAX_SAFE_INT: Final[int] = 2**53 - 1

# What an id of a set, span, attribution or claim looks like (claimbank.validate.fastpath checks ids against it in bulk).
ID_PATTERN: Final[str] = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"

# The schema keyword that says what a reference field points at: the layer of the annotation set and the labels
# (spans) or kinds (attributions) it may name (none: any item of the layer). The models write it
# (``model.refers``); ``claimbank.format.fields`` reads it from the shipped schema for every reference check and
# converter.
REFERENCES_KEYWORD = "x-claimbank-references"

# What joins the fragments of a discontinuous span into one text (the dataset's attributions and claims configs,
# the HTML view): a space, an ellipsis, a space, so that a reader sees a gap was left out.
FRAGMENT_SEPARATOR: Final[str] = " \u2026 "
