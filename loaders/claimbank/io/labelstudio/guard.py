"""The HTTP transport under every request to Label Studio: each answer bounded in time and size, and JSON.

A socket time-out alone does not bound a request: a server that sends one byte every few seconds (its headers
or its body) never lets a read time out, and ``ls pull`` hung for ever on one. Here every request has a total
deadline (connecting, sending, waiting and reading the whole answer, headers included), enforced at each
socket read by a network backend that never waits past it; the answer is read whole inside that deadline, up to
a size cap. An answer that is not what Label Studio sends is refused before the SDK parses it (which raised
``RecursionError`` on deeply nested JSON and ``ValueError`` on a number of more than 4,300 digits, and the
command exited 3): a success that is not JSON (a proxy's login page), JSON nested too deep, a number too long.
Each refusal is a :class:`BadAnswer` with one clear line; it is not retried (the same server would answer the
same).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx


class BadAnswer(Exception):
    """An answer that is not one Label Studio gives: too slow in all, too large, not JSON, nested too deep."""


_local = (
    threading.local()
)  # this thread's request deadline (time.monotonic()), read by every socket operation


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the current request's deadline; ``error`` once it is past."""
    end: float | None = getattr(_local, "end", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A socket whose every read and write waits at most until the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(
            self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(super().connect_tcp(host, port, timeout, local_address, socket_options))


# httpcore's exceptions as httpx's, so that callers (and the SDK) see the exceptions they know.
_AS_HTTPX: list[tuple[type[Exception], type[httpx.HTTPError]]] = [
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProtocolError, httpx.ProtocolError),
]


def proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, less the hosts
    in ``NO_PROXY``, read as urllib reads them), or None."""
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    proxies = urllib.request.getproxies_environment()
    if not parts.hostname or urllib.request.proxy_bypass(parts.netloc.rpartition("@")[2]):
        return None
    return proxies.get(parts.scheme) or proxies.get("all")


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that gives each request ``deadline`` seconds in all and answers of at most
    ``max_bytes``, read whole, and refuses answers the SDK must not parse (:class:`BadAnswer`)."""

    def __init__(self, *, deadline: float, max_bytes: int, proxy: str | None = None) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes
        context = ssl.create_default_context()
        self._pool: httpcore.ConnectionPool
        if proxy is None:
            self._pool = httpcore.ConnectionPool(
                ssl_context=context, network_backend=_Backend(), max_connections=4
            )
        else:  # the same guard on the way through a proxy (httpx would give a proxy a transport of its own)
            url = httpx.URL(proxy)
            if url.scheme not in ("http", "https"):
                raise ValueError(
                    f"the proxy's scheme {url.scheme!r} is not supported (http:// or https:// only)"
                )
            auth = (url.username, url.password) if url.username else None
            self._pool = httpcore.HTTPProxy(
                proxy_url=str(url.copy_with(username=None, password=None)),
                proxy_auth=auth,
                ssl_context=context,
                network_backend=_Backend(),
                max_connections=4,
            )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # Uncompressed, so that the size cap is the size held in memory (a small gzip can unpack to gigabytes).
        request.headers["Accept-Encoding"] = "identity"
        _local.end = time.monotonic() + self.deadline
        try:
            answer = self._send(request)
        except httpcore.TimeoutException as error:
            if time.monotonic() >= _local.end:
                raise BadAnswer(
                    f"no whole answer within {self.deadline:g} s (a server sending it a little at a time?)"
                ) from None
            raise _as_httpx(error, request) from None
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.ProxyError) as error:
            raise _as_httpx(error, request) from None
        finally:
            _local.end = None
        check_json(answer.status_code, answer.content)
        return answer

    def _send(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        sent = self._pool.handle_request(
            httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=request.url.raw_scheme,
                    host=request.url.raw_host,
                    port=request.url.port,
                    target=request.url.raw_path,
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
        )
        try:
            assert isinstance(sent.stream, Iterable)
            raw = httpx.Response(
                sent.status, headers=sent.headers, stream=_Capped(sent.stream, self.max_bytes)
            )
            chunks, size = [], 0
            for chunk in raw.iter_bytes():  # decoded, should the server compress all the same
                size += len(chunk)
                if size > self.max_bytes:
                    raise BadAnswer(f"the answer is larger than {self.max_bytes:,} bytes; not read further")
                chunks.append(chunk)
        finally:
            sent.close()
        unpacked = {"content-encoding", "transfer-encoding", "content-length"}
        return httpx.Response(
            sent.status,
            headers=[(k, v) for k, v in sent.headers if k.decode("latin-1").lower() not in unpacked],
            content=b"".join(chunks),
            request=request,
            extensions={k: v for k, v in sent.extensions.items() if k in ("http_version", "reason_phrase")},
        )

    def close(self) -> None:
        self._pool.close()


class _Capped(httpx.SyncByteStream):
    """An answer's raw bytes, refused once they pass ``limit``."""

    def __init__(self, chunks: Iterable[bytes], limit: int) -> None:
        self._chunks, self._limit = chunks, limit

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._chunks:
            size += len(chunk)
            if size > self._limit:
                raise BadAnswer(f"the answer is larger than {self._limit:,} bytes; not read further")
            yield chunk


def _as_httpx(error: Exception, request: httpx.Request) -> httpx.HTTPError:
    for core, mapped in _AS_HTTPX:
        if isinstance(error, core):
            return mapped(str(error), request=request)  # type: ignore[call-arg]
    return httpx.TransportError(str(error))


def check_json(status: int, body: bytes) -> None:
    """Raise :class:`BadAnswer` for an answer the SDK must not parse: a success that is not JSON, or JSON (of any
    status) that Python's parser refuses for its depth (``RecursionError``) or its numbers (more than 4,300
    digits: ``ValueError``)."""
    if not body.strip():
        return
    try:
        json.loads(body)
    except RecursionError:
        raise BadAnswer("the answer is JSON nested too deep to read; not parsed") from None
    except json.JSONDecodeError as error:
        if not 200 <= status < 300:
            return  # an error's body may be any text: the SDK quotes it
        start = " ".join(body[:60].decode("utf-8", "replace").split())
        raise BadAnswer(
            f"answered {status} with something that is not JSON ({error.msg} at line {error.lineno}, column "
            f"{error.colno}; it starts {start!r}); is --url the address of Label Studio?"
        ) from None
    except UnicodeDecodeError as error:
        raise BadAnswer(f"the answer is not UTF-8 ({error.reason}); not parsed") from None
    except ValueError as error:  # an integer too long to convert: Python refuses beyond 4,300 digits
        raise BadAnswer(f"the answer holds a number too long to read ({error}); not parsed") from None
