"""Talking to a running Label Studio through ``label-studio-sdk``: push tasks idempotently, pull every annotation.

Tasks are keyed by ``data.document_id`` + ``data.sha256``: a push lists what the project already holds (every
page) and imports only what is missing, so a repeated or resumed push creates no duplicates, even when the SDK's
client retried a POST that had in fact gone through. Calls get bounded retries with backoff on connection errors,
time-outs and 5xx answers, then a clear error. The API token is never printed or put into an error message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from claimbank.io.labelstudio.convert import labeling_config, task

T = TypeVar("T")
BATCH = 250  # tasks per import request


class LabelStudioError(Exception):
    """Label Studio could not be reached or refused; the message says what was tried, never the token."""


@dataclass(frozen=True)
class Connection:
    url: str
    token: str
    attempts: int = 4
    backoff: float = 1.0
    timeout: float = 60.0
    page_size: int = 500  # tasks per page when listing a project

    def client(self) -> Any:
        from label_studio_sdk import LabelStudio

        return LabelStudio(base_url=self.url, api_key=self.token, timeout=self.timeout)


def _retrying(connection: Connection, what: str, call: Callable[[], T], *, not_found: T | None = None) -> T:
    """``call()``, retried on connection errors, time-outs and 5xx answers; a 4xx is final.

    ``not_found``: what a 404 answer means, if it is not an error (a page past the last one).
    """
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    last = ""
    for attempt in range(connection.attempts):
        try:
            return call()
        except ApiError as error:
            if error.status_code == 404 and not_found is not None:
                return not_found
            if error.status_code is not None and error.status_code < 500:
                raise LabelStudioError(f"{what}: Label Studio answered {error.status_code}") from None
            last = f"answered {error.status_code}"
        except httpx.HTTPError as error:
            last = type(error).__name__
        if attempt + 1 < connection.attempts:
            time.sleep(connection.backoff * 2**attempt)
    raise LabelStudioError(f"{what}: {connection.url} failed {connection.attempts} times ({last})")


def find_or_create_project(connection: Connection, title: str) -> int:
    """The id of the project called ``title``, created with ClaimBank's labeling config if there is none."""
    client = connection.client()
    projects = _retrying(connection, "listing projects", lambda: list(client.projects.list()))
    for project in projects:
        if project.title == title:
            return int(project.id)
    created = _retrying(
        connection,
        "creating the project",
        lambda: client.projects.create(title=title, label_config=labeling_config()),
    )
    return int(created.id)


def _tasks(connection: Connection, project: int) -> Iterator[Any]:
    """Every task of ``project``, a page at a time, each page with its own retries.

    Pages are walked here rather than by the SDK's pager, which asks for one page past the last and fails on
    Label Studio's 404 ("Invalid page") for it.
    """
    client = connection.client()
    size = connection.page_size

    def fetch(number: int) -> list[Any]:
        listed = client.tasks.list(project=project, fields="all", page=number, page_size=size)
        return list(listed.items or [])

    page = 1
    while True:
        items: list[Any] = _retrying(
            connection, f"listing tasks (page {page})", partial(fetch, page), not_found=[]
        )
        yield from items
        if len(items) < size:
            return
        page += 1


def _existing_keys(connection: Connection, project: int) -> set[tuple[str, str]]:
    tasks = _tasks(connection, project)
    return {
        (str(t.data.get("document_id")), str(t.data.get("sha256"))) for t in tasks if isinstance(t.data, dict)
    }


@dataclass(frozen=True)
class PushResult:
    project: int
    imported: int
    already_there: int


def push(
    connection: Connection,
    project: int,
    documents: list[dict[str, Any]],
    *,
    predictions: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> PushResult:
    """Import a task for every document the project does not hold yet (keyed by document id and text hash).

    The SDK's own retries are off for imports (a retried POST that had gone through would duplicate tasks);
    this loop retries instead, and lists the project again before each retry so that nothing is sent twice.
    """
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    client = connection.client()
    existing = _existing_keys(connection, project)
    missing = [d for d in documents if (d["id"], d["sha256"]) not in existing]
    for first in range(0, len(missing), BATCH):
        batch = missing[first : first + BATCH]
        failure = ""
        for attempt in range(connection.attempts):
            pending = [d for d in batch if (d["id"], d["sha256"]) not in existing]
            if not pending:
                break
            try:
                client.projects.import_tasks(
                    id=project,
                    request=[task(d, _prediction(d, predictions)) for d in pending],
                    request_options={"max_retries": 0},
                )
            except ApiError as error:
                if error.status_code is not None and error.status_code < 500:
                    raise LabelStudioError(
                        f"importing tasks: Label Studio answered {error.status_code}"
                    ) from None
                failure = f"answered {error.status_code}"
            except httpx.HTTPError as error:
                failure = type(error).__name__
            else:
                existing |= {(d["id"], d["sha256"]) for d in pending}
                break
            time.sleep(connection.backoff * 2**attempt)
            existing = _existing_keys(connection, project)  # the failed request may have gone through
        else:
            raise LabelStudioError(
                f"importing tasks: {connection.url} failed {connection.attempts} times ({failure})"
            )
        if progress:
            progress(len(batch))
    return PushResult(project, len(missing), len(documents) - len(missing))


def _prediction(document: dict[str, Any], wanted: str | None) -> dict[str, Any] | None:
    if not wanted:
        return None
    for item in document["annotation_sets"]:
        if item.get("gold") if wanted == "gold" else item["id"] == wanted:
            return dict(item)
    return None


def export(connection: Connection, project: int) -> list[dict[str, Any]]:
    """Every task of the project with every annotation, draft and prediction (Label Studio's JSON export)."""
    client = connection.client()

    def download() -> list[dict[str, Any]]:
        chunks: Iterator[bytes] = client.projects.exports.download_sync(
            project, export_type="JSON", download_all_tasks=True
        )
        exported: list[dict[str, Any]] = json.loads(b"".join(chunks))
        return exported

    return _retrying(connection, "exporting the project", download)
