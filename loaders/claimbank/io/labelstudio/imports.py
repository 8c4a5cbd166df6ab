"""Label Studio exports into annotation files: plan everything first, then write all of it or nothing.

:func:`plan_import` reads the annotation files, converts the export (:func:`claimbank.io.labelstudio.convert.import_export`)
and validates every updated document with the one validator (:func:`claimbank.validate.core.check_data`); nothing is
written. :func:`apply` writes the updated files, each atomically. :func:`import_tasks` does both while it
holds the annotation folder's lock, so two imports (or an import and any other locked writer) into the same files
run one after the other and neither loses the other's sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from claimbank.format.canonical import canonical
from claimbank.format.paths import find_seeds_dir
from claimbank.io.labelstudio.convert import import_export
from claimbank.util.jsonio import check_output, dumps, folder_lock, read_json, write_atomic
from claimbank.validate.core import ValidationFailed, check_data, internal_error, iter_sources, load_document
from claimbank.validate.problems import Problem, ProblemSink, Report


@dataclass
class ImportPlan:
    """What an import would write, and every problem that stops it (then it writes nothing)."""

    report: Report
    updated: dict[Path, dict[str, Any]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    new_sets: int = 0


def read_export(path: Path) -> tuple[list[Any] | None, Report]:
    """The tasks of a Label Studio JSON export file, or ``None`` and the report that says why not."""
    sink = ProblemSink(str(path))
    exported = read_json(path, sink).value
    if not sink.problems and not isinstance(exported, list):
        sink.add("ls-result-missing", "", "a Label Studio JSON export is a list of tasks")
    report = Report()
    report.extend(str(path), sink.problems)
    return (exported if report.ok else None), report


def plan_import(exported: list[Any], source: str, annotations: Path, *, drafts: bool = False) -> ImportPlan:
    """Convert ``exported`` into updates of the annotation files under ``annotations``; write nothing."""
    report = Report()
    documents: dict[str, dict[str, Any]] = {}
    paths: dict[str, Path] = {}
    for folder, name in iter_sources([annotations]):  # a link out of the folder is refused, as validate does
        path = Path(name)
        try:
            document = load_document(path, within=Path(folder) if folder else None)
        except ValidationFailed as failure:
            report.extend(str(path), failure.problems)
            continue
        documents[document.id], paths[document.id] = canonical(document), path
    if not report.ok:
        return ImportPlan(report)  # the files to import into must be valid before anything is added to them
    sink = ProblemSink(source)
    try:
        updated, notices = import_export(exported, documents, sink, include_drafts=drafts)
    except Exception as error:  # a bug: the export's problem, with exit 2, never a traceback
        report.extend(source, [*sink.problems, internal_error(source, error)])
        return ImportPlan(report)
    report.extend(source, sink.problems)
    plan = ImportPlan(report, notices=notices)
    for doc_id, data in updated.items():
        path = paths[doc_id]
        seeds = find_seeds_dir(path.parent)
        problems = check_data(data, name=str(path), path=path, seeds_dir=seeds)
        report.extend(str(path), [_at_source(p, data, documents[doc_id], exported, source) for p in problems])
        plan.updated[path] = data
        plan.new_sets += len(data["annotation_sets"]) - len(documents[doc_id]["annotation_sets"])
    return plan


def _at_source(
    problem: Problem, data: dict[str, Any], before: dict[str, Any], exported: list[Any], source: str
) -> Problem:
    """A problem in a set the import would add, told at its source: the export (``source``) and the JSON Pointer
    of the region it is about (``/<task>/annotations/<n>/result/<r>/value/start``), or of the annotation's
    result. Its pointer into the annotation file is kept in the message: that set is only in the file that
    would be written (before issue 16 the problem named only that pointer, into a file never written)."""
    parts = problem.pointer.split("/")
    if len(parts) < 3 or parts[1] != "annotation_sets" or not parts[2].isdigit():
        return problem
    index = int(parts[2])
    if index >= len(data["annotation_sets"]):
        return problem
    made = data["annotation_sets"][index]
    if made in before["annotation_sets"]:
        return problem
    where = _export_pointer(made, parts[3:], exported)
    if where is None:
        told = f"in set {made['id']} that this import would add ({made.get('imported_from')}): "
        return replace(problem, message=told + problem.message)
    inside = f" (set {made['id']} of {problem.file} at {problem.pointer})"
    return replace(problem, file=source, pointer=where, message=problem.message + inside)


_VALUE_FIELDS = {"start", "end", "text"}


def _export_pointer(made: dict[str, Any], parts: list[str], exported: list[Any]) -> str | None:
    """Where in ``exported`` the annotation that became ``made`` is (by its ``imported_from``, e.g.
    ``label-studio:task/7/annotation/11``), down to the region of the span, attribution (its cue) or claim (its
    span) that ``parts`` (``["spans", "0", "start"]``) names; None if it cannot be found."""
    task_id, _, rest = str(made.get("imported_from") or "").removeprefix("label-studio:task/").partition("/")
    kind, _, annotation_id = rest.partition("/")
    task_index = next(
        (n for n, item in enumerate(exported) if isinstance(item, dict) and str(item.get("id")) == task_id),
        None,
    )
    if task_index is None or kind not in ("annotation", "draft", "prediction"):
        return None
    listed = exported[task_index].get(f"{kind}s") or []
    position = next(
        (n for n, a in enumerate(listed) if isinstance(a, dict) and str(a.get("id")) == annotation_id), None
    )
    if position is None:
        return None
    at = f"/{task_index}/{kind}s/{position}/result"
    if len(parts) < 2 or parts[0] not in ("spans", "attributions", "claims") or not parts[1].isdigit():
        return at
    elements = made.get(parts[0]) or []
    if int(parts[1]) >= len(elements):
        return at
    element = elements[int(parts[1])]
    region = element.get({"spans": "id", "attributions": "cue", "claims": "span"}[parts[0]])
    results = listed[position].get("result") or []
    found = next(
        (
            n
            for n, r in enumerate(results)
            if isinstance(r, dict) and r.get("type") == "labels" and r.get("id") == region
        ),
        None,
    )
    if found is None:
        return at
    field = parts[2] if parts[0] == "spans" and len(parts) > 2 and parts[2] in _VALUE_FIELDS else None
    return f"{at}/{found}/value/{field}" if field else f"{at}/{found}"


def apply(plan: ImportPlan) -> None:
    """Write every updated file of a clean plan, each atomically."""
    if not plan.report.ok:
        raise ValueError("a plan with problems is not applied")
    for path in plan.updated:
        check_output(path)  # a link (or anything but a file) among them: refused before the first write
    for path, data in plan.updated.items():
        write_atomic(path, dumps(data))


def import_tasks(exported: list[Any], source: str, annotations: Path, *, drafts: bool = False) -> ImportPlan:
    """Plan and, if the plan is clean, apply, holding the folder's lock throughout."""
    with folder_lock(annotations):
        plan = plan_import(exported, source, annotations, drafts=drafts)
        if plan.report.ok:
            apply(plan)
    return plan
