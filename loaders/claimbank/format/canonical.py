"""The one form every ClaimBank writer uses for an annotation file (``claimbank fmt`` rewrites files into it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimbank.util.jsonio import dumps

if TYPE_CHECKING:
    from claimbank.format.model import Document


def canonical(document: Document) -> dict[str, Any]:
    """The JSON form ClaimBank writes: optional fields that are null are left out."""
    data: dict[str, Any] = document.model_dump(mode="json", exclude_none=True)
    return data


def canonical_text(document: Document) -> str:
    """The file's text: :func:`canonical` as two-space indented UTF-8 JSON with a final newline."""
    return dumps(canonical(document))
