"""The type-confusion family: every value of a JSON document replaced, in turn, by a value of each JSON type.

Not a sample: the whole family is generated from a document, so every field the model has (every key of a valid
file, every item of every list) gets each of ``VALUES`` once. Tests send the family through each entry point and
require a clear answer (exit 0/1/2, problems with codes), never a crash.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

# Each JSON type in each place: empty and non-empty containers, numbers, null, booleans, a string.
VALUES: tuple[Any, ...] = ([], {}, 5, ["x"], {"a": 1}, None, True, "s", 1.5)


def places(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every value in ``node``, the root included, depth first."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from places(value, (*path, index))


def replaced(root: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A deep copy of ``root`` with the value at ``path`` replaced by ``value``."""
    if not path:
        return copy.deepcopy(value)
    out = copy.deepcopy(root)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = copy.deepcopy(value)
    return out


def family(root: Any, values: tuple[Any, ...] = VALUES) -> Iterator[tuple[str, Any]]:
    """(a name saying what was replaced by what, the mutant) for every place of ``root`` and every value."""
    for path in places(root):
        for value in values:
            if type(value) is type(_at(root, path)) and value == _at(root, path):
                continue  # the same value: not a mutant
            yield "/" + "/".join(map(str, path)) + f" = {value!r}", replaced(root, path, value)


def _at(root: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        root = root[part]
    return root


def sample(root: Any, values: tuple[Any, ...] = VALUES) -> Iterator[tuple[str, Any]]:
    """One mutant per place, the value taken in turn from ``values``: every place and every JSON type, in a
    ninth of the family (for entry points too slow for the whole of it in CI)."""
    for number, path in enumerate(places(root)):
        value = values[number % len(values)]
        yield "/" + "/".join(map(str, path)) + f" = {value!r}", replaced(root, path, value)
