"""Talking to a running Label Studio through ``label-studio-sdk``: find the project, push tasks idempotently,
export every annotation and prediction.

Tasks are keyed by ``data.document_id`` + ``data.sha256``: a push lists what the project already holds (every
page) and imports only what is missing, so a repeated or resumed push creates no duplicates, even when a POST
that had in fact gone through answered with an error. The SDK's own retries are switched off (they retried
a refused connection for ~27 s, and a retried POST can duplicate tasks); this module retries time-outs and 5xx
answers a bounded number of times, a refused connection once, and a 4xx never. Every refusal carries the
server's own reason (the body of its answer). The API token is never printed or put into an error message.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from claimbank.io.labelstudio.convert import labeling_config, task

T = TypeVar("T")
BATCH = 250  # tasks per import request
NO_RETRY = {"max_retries": 0}  # the SDK's request_options: this module does the retrying
REASON_CHARS = 300  # how much of a server's answer an error message quotes


class LabelStudioError(Exception):
    """Label Studio could not be reached or refused; the message says what was tried, never the token."""


@dataclass(frozen=True)
class Connection:
    url: str
    token: str
    attempts: int = 4
    backoff: float = 1.0
    timeout: float = 60.0  # for each wait on the socket
    connect_timeout: float = 3.0  # a host that does not answer at all is reported after this, not after 60 s
    deadline: float = 600.0  # for each request in all, its whole answer read (guard.GuardedTransport)
    max_answer_bytes: int = 2**30  # the largest answer read (an export of ~100,000 articles)
    page_size: int = 500  # tasks per page when listing a project

    def client(self) -> Any:
        import httpx
        from label_studio_sdk import LabelStudio

        from claimbank.io.labelstudio.guard import GuardedTransport, proxy_for

        timeout = httpx.Timeout(self.timeout, connect=self.connect_timeout)
        try:
            transport = GuardedTransport(
                deadline=self.deadline, max_bytes=self.max_answer_bytes, proxy=proxy_for(self.url)
            )
        except ValueError as error:
            raise LabelStudioError(
                f"cannot reach {self.url} through the environment's proxy: {error}"
            ) from None
        # trust_env=False: the environment's proxy goes through the guarded transport above, not one of httpx's.
        client = httpx.Client(timeout=timeout, follow_redirects=True, transport=transport, trust_env=False)
        return LabelStudio(base_url=self.url, api_key=self.token, httpx_client=client)


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be a Label Studio address (no http:// or https://, no host, not parsable, white space or
    a line break in it, a user name or password in it), or None if it can. The URL is not repeated: it may hold
    a password."""
    from urllib.parse import urlsplit

    if any(char.isspace() or ord(char) < 32 for char in url):
        return "holds white space or a control character (a line break?)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        return f"is not a URL ({error})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an http:// or https:// URL (e.g. http://localhost:8080)"
    if parts.username is not None or parts.password is not None:
        return (
            "holds a user name or password; give the token in the environment instead (it is never printed)"
        )
    return None


def reason(error: Any) -> str:
    """The server's reason for refusing, from an SDK ``ApiError``: its answer's body, shortened."""
    body = error.body
    if isinstance(body, dict):
        # Label Studio's refusals: {"id", "status_code", "version", "detail", "validation_errors", ...}
        body = body.get("validation_errors") or body.get("detail") or body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    if len(text) > REASON_CHARS:
        text = text[:REASON_CHARS] + "…"
    return (
        f"Label Studio answered {error.status_code}: {text}"
        if text
        else f"Label Studio answered {error.status_code}"
    )


def _retrying(connection: Connection, what: str, call: Callable[[], T], *, not_found: T | None = None) -> T:
    """``call()``, retried on time-outs and 5xx answers, a refused connection once; a 4xx is final.

    ``not_found``: what a 404 answer means, if it is not an error (a page past the last one).
    """
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    from claimbank.io.labelstudio.guard import BadAnswer

    last = ""
    refused = 0
    for attempt in range(connection.attempts):
        try:
            return call()
        except BadAnswer as error:  # not retried: the same server would answer the same
            raise LabelStudioError(f"{what}: {connection.url} {error}") from None
        except ApiError as error:
            if error.status_code == 404 and not_found is not None:
                return not_found
            if error.status_code is not None and error.status_code < 500:
                raise LabelStudioError(f"{what}: {reason(error)}") from None
            last = reason(error)
        except httpx.ConnectError:
            refused += 1
            if refused > 1:
                raise LabelStudioError(
                    f"{what}: cannot connect to {connection.url} (is Label Studio running there?)"
                ) from None
            last = "connection refused"
        except httpx.HTTPError as error:
            last = type(error).__name__
        if attempt + 1 < connection.attempts:
            time.sleep(
                min(connection.backoff * 2**attempt, 0.5) if refused else connection.backoff * 2**attempt
            )
    raise LabelStudioError(f"{what}: {connection.url} failed {connection.attempts} times ({last})")


def find_project(connection: Connection, title: str, *, create: bool = False) -> int:
    """The id of the one project titled exactly ``title``; with ``create``, a new one if there is none.

    No project of that title is an error unless ``create``; two or more are an error that names their ids (a
    push or pull into the wrong one of them would go unnoticed). Label Studio trims titles, so a title with white
    space at an edge could never be found again: it is refused before anything is created.
    """
    if title != title.strip():
        raise LabelStudioError(
            f"project title {title!r} has white space at an edge, which Label Studio would trim away"
        )
    client = connection.client()
    projects = _projects(connection, client)
    matching = sorted(int(p.id) for p in projects if p.title == title)
    if len(matching) > 1:
        raise LabelStudioError(
            f"{len(matching)} projects are titled {title!r} (ids {', '.join(map(str, matching))}); "
            "rename all but one in Label Studio"
        )
    if matching:
        return matching[0]
    if not create:
        near = sorted(p.title for p in projects if str(p.title).casefold().strip() == title.casefold())
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise LabelStudioError(f"no project titled {title!r}{hint}; pass --create to create it")
    created = _retrying(
        connection,
        "creating the project",
        lambda: client.projects.create(title=title, label_config=labeling_config(), request_options=NO_RETRY),
    )
    if created.title != title:
        raise LabelStudioError(
            f"Label Studio saved the new project {created.id} as {created.title!r}, not {title!r}"
        )
    return int(created.id)


PROJECT_PAGE = 100  # projects per page when listing them


def _projects(connection: Connection, client: Any) -> list[Any]:
    """Every project, a page at a time, each page with its own retries.

    Walked here rather than by the SDK's pager, which asks for pages until one is empty: a server whose pages
    never end (or repeat) held it for ever. A page that holds only projects already listed, or more projects
    than the server's own count, is an error.
    """

    def fetch(number: int) -> Any:
        return client.projects.list(page=number, page_size=PROJECT_PAGE, request_options=NO_RETRY)

    found: dict[int, Any] = {}
    page = 1
    while True:
        listed: Any = _retrying(
            connection, f"listing projects (page {page})", partial(fetch, page), not_found=False
        )
        if listed is False:
            return list(found.values())  # Label Studio's 404 for a page past the last
        items = list(listed.items or [])
        if any(type(p.id) is not int for p in items):
            raise LabelStudioError(
                f"listing projects: {connection.url} answered a project without a numeric id"
            )
        fresh = {p.id: p for p in items if p.id not in found}
        count = getattr(listed.response, "count", None)
        if (items and not fresh) or (type(count) is int and len(found) + len(fresh) > count):
            raise LabelStudioError(
                f"listing projects: page {page} from {connection.url} repeats earlier pages or goes beyond its "
                "own count; that is not how Label Studio answers"
            )
        found |= fresh
        if not items or len(items) < PROJECT_PAGE or not getattr(listed.response, "next", None):
            return list(found.values())
        page += 1


def find_or_create_project(connection: Connection, title: str) -> int:
    """:func:`find_project` with ``create=True`` (the name callers used before projects had to exist)."""
    return find_project(connection, title, create=True)


def _tasks(connection: Connection, project: int) -> Iterator[Any]:
    """Every task of ``project``, a page at a time, each page with its own retries.

    Pages are walked here rather than by the SDK's pager, which asks for one page past the last and fails on
    Label Studio's 404 ("Invalid page") for it.
    """
    client = connection.client()
    size = connection.page_size

    def fetch(number: int) -> list[Any]:
        listed = client.tasks.list(
            project=project, fields="all", page=number, page_size=size, request_options=NO_RETRY
        )
        return list(listed.items or [])

    page = 1
    seen: set[Any] = set()
    while True:
        items: list[Any] = _retrying(
            connection, f"listing tasks (page {page})", partial(fetch, page), not_found=[]
        )
        ids = {getattr(t, "id", None) for t in items}
        if items and ids <= seen:
            # A server whose pages never end would be listed for ever.
            raise LabelStudioError(
                f"listing tasks: page {page} from {connection.url} repeats earlier pages; that is not how Label "
                "Studio answers"
            )
        seen |= ids
        yield from items
        if len(items) < size:
            return
        page += 1


def _versions(item: Any) -> set[str]:
    """The model versions of a listed task's predictions (objects or plain dicts, depending on the listing)."""
    found = set()
    for prediction in getattr(item, "predictions", None) or []:
        version = prediction.get("model_version") if isinstance(prediction, dict) else None
        found.add(str(version if version is not None else getattr(prediction, "model_version", "")))
    return found


def _existing(connection: Connection, project: int) -> dict[tuple[str, str], tuple[int, set[str]]]:
    """(document id, sha256) -> (task id, model versions of its predictions) for every task of the project."""
    return {
        (str(t.data.get("document_id")), str(t.data.get("sha256"))): (int(t.id), _versions(t))
        for t in _tasks(connection, project)
        if isinstance(t.data, dict)
    }


@dataclass(frozen=True)
class PushResult:
    project: int
    imported: int
    already_there: int
    predictions_added: int = 0


def push(
    connection: Connection,
    project: int,
    documents: list[dict[str, Any]],
    *,
    predictions: Mapping[str, dict[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> PushResult:
    """Import a task for every document the project does not hold yet (keyed by document id and text hash).

    ``predictions`` maps a document id to its Label Studio prediction (``result``, ``model_version``, and
    ``score`` when known); a task that is already there but lacks a prediction of that model version gets it.
    Tasks are imported in the order of ``documents`` (so that Label Studio's default order is the caller's).
    The SDK's own retries are off for imports (a retried POST that had gone through would duplicate tasks);
    this loop retries instead, and lists the project again before each retry so that nothing is sent twice.
    """
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    from claimbank.io.labelstudio.guard import BadAnswer

    predictions = predictions or {}
    client = connection.client()
    existing = _existing(connection, project)
    there = {key: value for key, value in existing.items()}
    missing = [d for d in documents if (d["id"], d["sha256"]) not in existing]
    added = 0
    for document in documents:
        key = (document["id"], document["sha256"])
        wanted = predictions.get(document["id"])
        if key in there and wanted is not None and str(wanted["model_version"]) not in there[key][1]:
            task_id = there[key][0]
            _retrying(
                connection,
                f"adding predictions to task {task_id}",
                partial(
                    client.predictions.create,
                    task=task_id,
                    result=wanted["result"],
                    model_version=str(wanted["model_version"]),
                    score=wanted.get("score"),
                    request_options=NO_RETRY,
                ),
            )
            added += 1
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
                    request=[_task(d, predictions.get(d["id"])) for d in pending],
                    request_options=NO_RETRY,
                )
            except BadAnswer as error:
                raise LabelStudioError(f"importing tasks: {connection.url} {error}") from None
            except ApiError as error:
                if error.status_code is not None and error.status_code < 500:
                    raise LabelStudioError(f"importing tasks: {reason(error)}") from None
                failure = reason(error)
            except httpx.HTTPError as error:
                failure = type(error).__name__
            else:
                existing |= {(d["id"], d["sha256"]): (0, set()) for d in pending}
                break
            time.sleep(connection.backoff * 2**attempt)
            existing = _existing(connection, project)  # the failed request may have gone through
        else:
            raise LabelStudioError(
                f"importing tasks: {connection.url} failed {connection.attempts} times ({failure})"
            )
        if progress:
            progress(len(batch))
    return PushResult(project, len(missing), len(documents) - len(missing), added)


def _task(document: dict[str, Any], prediction: dict[str, Any] | None) -> dict[str, Any]:
    made = task(document)
    if prediction is not None:
        made["predictions"] = [prediction]
    return made


UNCERTAIN_FIRST = "Uncertain first"  # the title of the data manager tab that sorts tasks by prediction score


def uncertainty_view(connection: Connection, project: int) -> int:
    """The id of the project's data manager tab that lists tasks by prediction score, lowest first (made once)."""
    client = connection.client()
    views = _retrying(
        connection,
        "listing views",
        lambda: list(client.views.list(project=project, request_options=NO_RETRY)),
    )
    for view in views:
        data = view.data if isinstance(view.data, dict) else {}
        if data.get("title") == UNCERTAIN_FIRST:
            return int(view.id)
    made = _retrying(
        connection,
        "creating the uncertainty-first tab",
        lambda: client.views.create(
            project=project,
            data={"title": UNCERTAIN_FIRST, "ordering": ["tasks:predictions_score"]},
            request_options=NO_RETRY,
        ),
    )
    return int(made.id)


def users(connection: Connection) -> dict[int, dict[str, Any]]:
    """User id -> {"id", "email", "username"} for every user the server lists (annotators by e-mail)."""
    client = connection.client()
    listed = _retrying(connection, "listing users", lambda: list(client.users.list(request_options=NO_RETRY)))
    return {
        int(u.id): {"id": int(u.id), "email": u.email or "", "username": u.username or ""}
        for u in listed
        if u.id is not None
    }


def export(connection: Connection, project: int, *, wait: float = 300.0) -> list[dict[str, Any]]:
    """Every task of the project with every annotation, draft and full prediction (Label Studio's JSON export).

    The quick export (``download_sync``) gives predictions as ids only; an export created with predictions
    serialised in full (and annotators as user objects) is made, waited for and downloaded instead.
    """
    client = connection.client()
    options = {"predictions": {"only_id": False}, "annotations_completed_by": {"only_id": False}}
    created = _retrying(
        connection,
        "creating an export",
        lambda: client.projects.exports.create(
            project, title="claimbank pull", serialization_options=options, request_options=NO_RETRY
        ),
    )
    deadline = time.monotonic() + wait
    status = str(getattr(created, "status", "") or "")
    while status != "completed":
        if status == "failed" or time.monotonic() > deadline:
            raise LabelStudioError(
                f"exporting the project: the export {created.id} is {status or 'not ready'}"
            )
        time.sleep(0.5)
        status = str(
            _retrying(
                connection,
                "waiting for the export",
                lambda: client.projects.exports.get(project, created.id, request_options=NO_RETRY),
            ).status
        )

    def download() -> list[dict[str, Any]]:
        chunks: Iterator[bytes] = client.projects.exports.download(
            project, created.id, export_type="JSON", request_options=NO_RETRY
        )
        exported: list[dict[str, Any]] = json.loads(b"".join(chunks))
        return exported

    try:
        return _retrying(connection, "downloading the export", download)
    finally:
        with contextlib.suppress(Exception):  # a leftover export on the server is harmless
            client.projects.exports.delete(project, created.id, request_options=NO_RETRY)
