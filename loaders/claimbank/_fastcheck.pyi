# Types of claimbank._fastcheck (loaders/claimbank/_fastcheck.c), the optional compiled steps of claimbank.fastpath.
from collections.abc import Callable

ID_PATTERN: str
LATE_PATTERNS: dict[str, str]

def setup(
    unset: object,
    fields: dict[type, tuple[tuple[str, ...], str | None, tuple[object, ...], tuple[int, ...]]],
    tags: dict[type, str],
    claimer_kind: dict[str, str],
    referents: frozenset[str],
    fromisoformat: Callable[[str], object],
    /,
) -> None: ...
def document_fine(
    document: object, data: bytes, encoded: bytes, seed_path: str, stem: str | None, /
) -> bool | None: ...
def matches(pattern_name: str, value: object, /) -> bool: ...
