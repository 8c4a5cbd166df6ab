"""The shape of a Label Studio JSON export, checked before anything is converted.

The converters in :mod:`claimbank.io.labelstudio.convert` read an export as Label Studio writes it (a task's
``data`` an object, ``annotations`` a list of objects, a region's ``value`` an object with a list of labels, …).
An export edited by hand or written by another tool can hold anything in those places; each such place is one
``ls-malformed`` problem here, with its JSON Pointer, and the task is not converted. Two regions of one annotation
with the same id (Label Studio keys a region's choices and relations by it) are ``ls-duplicate-region``.
"""

from __future__ import annotations

from typing import Any

from claimbank.validate.problems import ProblemSink, pointer

# Where a task keeps its annotations of each kind.
TASK_LISTS = ("annotations", "drafts", "predictions")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def check_task(task: Any, index: int, sink: ProblemSink) -> bool:
    """Report every place of one exported task whose JSON type the converters cannot read; True when none."""
    return _Shape(index, sink).task(task)


def _type(value: Any) -> str:
    return (
        "null"
        if value is None
        else {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
            type(value), "a number"
        )
    )


class _Shape:
    def __init__(self, index: int, sink: ProblemSink) -> None:
        self.index, self.sink, self.found = index, sink, 0

    def bad(self, where: tuple[str | int, ...], message: str, code: str = "ls-malformed") -> None:
        self.sink.add(code, pointer(self.index, *where), message)
        self.found += 1

    def task(self, task: Any) -> bool:
        if not isinstance(task, dict):
            self.bad((), f"a task is an object, not {_type(task)}")
            return False
        if "data" not in task and ("document_id" in task or "text" in task):
            self.bad(
                (),
                "a task of a JSON_MIN or CSV export (no data, no result lists): export the project as JSON",
                "ls-result-missing",
            )
            return False
        if not isinstance(task.get("data"), dict):
            self.bad(("data",), f"a task's data is an object, not {_type(task.get('data'))}")
        for name in TASK_LISTS:
            items = task.get(name)
            if items is None:
                continue
            if not isinstance(items, list):
                self.bad((name,), f"{name} is a list, not {_type(items)}")
                continue
            for position, annotation in enumerate(items):
                if not isinstance(annotation, dict):
                    if name not in (
                        "predictions",
                        "drafts",
                    ):  # exported as bare ids unless asked for in full: skipped
                        self.bad((name, position), f"an annotation is an object, not {_type(annotation)}")
                elif isinstance(annotation.get("result"), list):
                    self.result(annotation["result"], (name, position, "result"))
        return self.found == 0

    def result(self, results: list[Any], at: tuple[str | int, ...]) -> None:
        regions: dict[str, int] = {}
        choices: list[tuple[int, str]] = []
        for position, item in enumerate(results):
            if isinstance(item, dict):  # any other item: check_results reports it (ls-result-missing)
                self.item(item, (*at, position), regions, choices)
        for position, region in choices:
            if region not in regions:
                self.bad(
                    (*at, position, "id"), f"choices for region {region!r}, which is not in the annotation"
                )

    def item(
        self,
        item: dict[str, Any],
        where: tuple[str | int, ...],
        regions: dict[str, int],
        choices: list[tuple[int, str]],
    ) -> None:
        kind = item.get("type")
        for name in ("type", "from_name", "to_name"):
            if name in item and not isinstance(item[name], str):
                self.bad((*where, name), f"{name} is a string, not {_type(item[name])}")
        if kind == "relation":
            for name in ("from_id", "to_id"):
                if not isinstance(item.get(name), str):
                    self.bad(
                        (*where, name), f"a relation's {name} is a region id, not {_type(item.get(name))}"
                    )
            if "labels" in item and not _strings(item["labels"]):
                self.bad(
                    (*where, "labels"),
                    f"a relation's labels are a list of strings, not {_type(item['labels'])}",
                )
            return
        if kind not in ("labels", "choices"):
            return
        region = item.get("id")
        if not isinstance(region, str):
            self.bad((*where, "id"), f"a region's id is a string, not {_type(region)}")
        meta = item.get("meta")
        if "meta" in item and not isinstance(meta, dict):
            self.bad((*where, "meta"), f"a region's meta is an object, not {_type(meta)}")
        elif isinstance(meta, dict) and "text" in meta and not _strings(meta["text"]):
            self.bad((*where, "meta", "text"), f"meta.text is a list of strings, not {_type(meta['text'])}")
        value = item.get("value")
        if not isinstance(value, dict):
            self.bad((*where, "value"), f"a region's value is an object, not {_type(value)}")
            return
        if kind == "labels":
            labels = value.get("labels")
            if not _strings(labels) or not labels:
                self.bad(
                    (*where, "value", "labels"),
                    f"a region's labels are a list of one string, not {_type(labels)}",
                )
            if isinstance(region, str):
                if region in regions:
                    self.bad(
                        (*where, "id"),
                        f"region id {region!r} is also used by result item {regions[region]}; Label Studio keys "
                        "choices and relations by it",
                        "ls-duplicate-region",
                    )
                else:
                    regions[region] = int(where[-1])
        else:
            if "choices" in value and not _strings(value["choices"]):
                self.bad(
                    (*where, "value", "choices"),
                    f"choices are a list of strings, not {_type(value['choices'])}",
                )
            elif isinstance(region, str) and value.get("choices"):
                choices.append((int(where[-1]), region))
