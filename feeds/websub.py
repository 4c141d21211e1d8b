"""WebSub, publisher side: tell each hub which feeds were rewritten.

The W3C Recommendation leaves the publish request to the hub; the common
convention (Google's hub, Superfeedr, Switchboard) is a form-encoded POST of
``hub.mode=publish`` and ``hub.url=<topic>``, where the topic is the feed's
``rel=self`` URL. One POST per rewritten feed and hub, with a timeout and a
bounded number of retries with exponential backoff. Pings never run on the
publish path: ``Pinger`` sends them from its own thread.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.5


@dataclass(frozen=True)
class PingResult:
    """How one hub took the news of one topic."""

    hub: str
    topic: str
    ok: bool
    attempts: int
    error: str = ""


def ping_hub(
    client: httpx.Client,
    hub: str,
    topic: str,
    retries: int,
    sleep: Callable[[float], None] = time.sleep,
) -> PingResult:
    """POST ``hub.mode=publish`` for ``topic``; retry a failure up to ``retries`` more times."""
    error = ""
    for attempt in range(1, retries + 2):
        try:
            response = client.post(hub, data={"hub.mode": "publish", "hub.url": topic})
        except httpx.HTTPError as err:
            error = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        else:
            if response.is_success:
                return PingResult(hub, topic, True, attempt)
            error = f"HTTP {response.status_code}"
        if attempt <= retries:
            sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
    return PingResult(hub, topic, False, retries + 1, error)


def ping_hubs(
    client: httpx.Client,
    hubs: Sequence[str],
    topics: Iterable[str],
    retries: int,
    sleep: Callable[[float], None] = time.sleep,
) -> list[PingResult]:
    """Ping every hub about every topic; failures are returned, not raised."""
    results = []
    for topic in topics:
        for hub in hubs:
            result = ping_hub(client, hub, topic, retries, sleep)
            _log_result(result)
            results.append(result)
    return results


def _log_result(result: PingResult) -> None:
    if result.ok:
        log.debug("hub %s took %s", result.hub, result.topic)
    else:
        log.warning(
            "hub %s failed for %s after %d attempts: %s",
            result.hub,
            result.topic,
            result.attempts,
            result.error,
        )


def hub_failures(results: Iterable[PingResult]) -> dict[str, str | None]:
    """Per hub: its last error, or ``None`` when its last ping succeeded."""
    latest: dict[str, str | None] = {}
    for result in results:
        latest[result.hub] = None if result.ok else result.error
    return latest


class Pinger:
    """Sends pings from a background thread, so a slow or dead hub never delays a publish."""

    def __init__(
        self,
        hubs: Sequence[str],
        timeout: float,
        retries: int,
        on_results: Callable[[list[PingResult]], None],
        client: httpx.Client | None = None,
    ) -> None:
        self.hubs = tuple(hubs)
        self.retries = retries
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._on_results = on_results
        self._queue: queue.Queue[tuple[str, ...] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="websub", daemon=True)
        self._thread.start()

    def submit(self, topics: Iterable[str]) -> None:
        """Queue a ping of every hub for each topic."""
        topics = tuple(topics)
        if topics and self.hubs:
            self._queue.put(topics)

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the pings under way; pending ones are dropped once ``timeout`` passes."""
        self._queue.put(None)
        self._stop.set()  # no more backoff sleeps: retries are abandoned
        self._thread.join(timeout)
        self._client.close()

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _run(self) -> None:
        while (topics := self._queue.get()) is not None:
            for topic in topics:
                for hub in self.hubs:
                    if self._stop.is_set():
                        return
                    try:
                        result = ping_hub(self._client, hub, topic, self.retries, self._sleep)
                        _log_result(result)
                        # Recorded as it happens, so status shows a failing hub at once.
                        self._on_results([result])
                    except Exception:
                        # A hub problem, or the store being busy, must never end the pinger.
                        log.exception("WebSub ping to %s failed unexpectedly", hub)
