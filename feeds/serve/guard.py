"""Connection limits uvicorn does not have: a deadline for the request head, and a cap.

uvicorn (0.54, h11) closes an idle keep-alive connection, but any byte resets
that timer and a connection that never completes its first request is kept
forever: a few thousand half-open connections use up the process's file
descriptors and nothing else is served. This protocol, a small subclass of
uvicorn's own, adds two rules:

- A connection must deliver a complete request head within ``HEAD_TIMEOUT``
  seconds of opening (or of its last response), however slowly it trickles.
- At most ``max_connections`` are open at once, kept below the file limit.
  A new connection beyond it evicts the oldest one still waiting for its
  request head (as a web server reuses idle slots), so a real client is
  served at once, and a flood only evicts its own kind.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections import OrderedDict
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

HEAD_TIMEOUT = 5.0
# File descriptors kept for everything else: served files, the store, logs, the watcher.
_RESERVED_FDS = 64


def connection_cap() -> int:
    """How many connections fit under this process's open-file limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 10_000
    return max(16, min(10_000, soft - _RESERVED_FDS))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and a connection cap."""

    max_connections = connection_cap()
    # Connections waiting for a request head, oldest first (shared by all of them).
    _waiting: ClassVar[OrderedDict[GuardedH11Protocol, None]] = OrderedDict()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            oldest = next((p for p in self._waiting if p is not self), None)
            if oldest is None:
                transport.abort()  # every slot is serving a request: refuse this one
                return
            oldest._drop()
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:
            self._stop_waiting()  # a whole request head has arrived

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()  # the next request's head has the same deadline

    def send_400_response(self, msg: str) -> None:
        """A request head over the size limit gets 431 (h11 only knows it as an error)."""
        limit = self.config.h11_max_incomplete_event_size
        if limit is None or len(self.conn.trailing_data[0]) <= limit:
            super().send_400_response(msg)
            return
        body = b"Request Header Fields Too Large"
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        # As uvicorn's own 400: h11 still lets the server answer a request it could not read.
        response = h11.Response(status_code=431, headers=headers, reason=body)
        output = self.conn.send(response)
        output += self.conn.send(h11.Data(data=body))
        output += self.conn.send(h11.EndOfMessage())
        self.transport.write(output)
        self.transport.close()

    def _await_head(self) -> None:
        self._stop_waiting()
        self._head_deadline = self.loop.call_later(HEAD_TIMEOUT, self._drop)
        self._waiting[self] = None

    def _stop_waiting(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None
        self._waiting.pop(self, None)

    def _drop(self) -> None:
        """Close a connection that has not sent a whole request head in time."""
        self._stop_waiting()
        if not self.transport.is_closing():
            self.transport.abort()


class RateLimit(logging.Filter):
    """Let each distinct message through at most once per ``seconds``, without traceback.

    asyncio logs "socket.accept() out of system resource" with a traceback on every
    failed accept; under a flood that is megabytes a second of the same line.
    """

    def __init__(self, seconds: float = 60.0, keep_traceback: bool = False) -> None:
        super().__init__()
        self.seconds = seconds
        self.keep_traceback = keep_traceback
        self._last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = str(record.msg)
        now = time.monotonic()
        if now - self._last.get(key, -self.seconds) < self.seconds:
            return False
        self._last[key] = now
        if not self.keep_traceback:
            record.exc_info = None
            record.exc_text = None
        return True
