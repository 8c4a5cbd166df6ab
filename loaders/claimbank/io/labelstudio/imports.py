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
        report.extend(str(path), [_named(p, data, documents[doc_id]) for p in problems])
        plan.updated[path] = data
        plan.new_sets += len(data["annotation_sets"]) - len(documents[doc_id]["annotation_sets"])
    return plan


def _named(problem: Problem, data: dict[str, Any], before: dict[str, Any]) -> Problem:
    """A problem in a set the import would add, told by that set's origin: its pointer's set index exists only
    in the file that would be written, so the message names the set and the Label Studio annotation it is."""
    parts = problem.pointer.split("/")
    if len(parts) < 3 or parts[1] != "annotation_sets" or not parts[2].isdigit():
        return problem
    index = int(parts[2])
    if index >= len(data["annotation_sets"]):
        return problem
    made = data["annotation_sets"][index]
    if made in before["annotation_sets"]:
        return problem
    origin = made.get("imported_from") or ""
    told = f"in set {made['id']} that this import would add ({origin}, by {made['annotator']}): "
    return replace(problem, message=told + problem.message)


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
