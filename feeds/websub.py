"""WebSub, publisher side: tell each hub which feeds were rewritten.

The W3C Recommendation leaves the publish request to the hub; the common
convention (Google's hub, Superfeedr, Switchboard) is a form-encoded POST of
``hub.mode=publish`` and ``hub.url=<topic>``, where the topic is the feed's
``rel=self`` URL.

A publish records the pings it owes in the store, in the same transaction as
its files (``pending_pings``: a hub needs only the latest ping per topic), and
they are sent afterwards: concurrently over one client, a bounded number in
flight to each hub, every attempt and retry inside one deadline for the whole batch
(``websub.timeout``), so a hub that hangs or refuses costs a publish at most
that long and never holds up the other hubs. What did not go out stays
pending and is sent by the next run or scan.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 0.5
IN_FLIGHT = 4  # pings under way at once to one hub: a hub that hangs holds only its own

Ping = tuple[str, str]  # (hub, topic)


@dataclass(frozen=True)
class PingResult:
    """How one hub took the news of one topic."""

    hub: str
    topic: str
    ok: bool
    attempts: int
    error: str = ""


async def ping_hub(
    client: httpx.AsyncClient, hub: str, topic: str, retries: int, deadline: float
) -> PingResult:
    """POST ``hub.mode=publish`` for ``topic``; retry a failure up to ``retries`` more times,
    with exponential backoff, as long as ``deadline`` (a ``time.monotonic()`` value) allows."""
    error, attempt = "", 0
    for attempt in range(1, retries + 2):
        left = deadline - time.monotonic()
        if left <= 0:
            error = error or "deadline passed"
            break
        try:
            response = await client.post(
                hub, data={"hub.mode": "publish", "hub.url": topic}, timeout=left
            )
        except httpx.HTTPError as err:
            error = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        else:
            if response.is_success:
                return PingResult(hub, topic, True, attempt)
            error = f"HTTP {response.status_code}"
        pause = BACKOFF_SECONDS * 2 ** (attempt - 1)
        if attempt <= retries and time.monotonic() + pause < deadline:
            await asyncio.sleep(pause)
        else:
            break
    return PingResult(hub, topic, False, attempt, error)


async def _ping_all(
    client: httpx.AsyncClient, pings: Sequence[Ping], retries: int, seconds: float
) -> list[PingResult]:
    deadline = time.monotonic() + seconds
    slots = {hub: asyncio.Semaphore(IN_FLIGHT) for hub, _ in pings}

    async def one(hub: str, topic: str) -> PingResult:
        async with slots[hub]:
            try:
                # httpx's timeouts bound each read, not a whole response dribbled slowly.
                return await asyncio.wait_for(
                    ping_hub(client, hub, topic, retries, deadline),
                    timeout=max(deadline - time.monotonic(), 0),
                )
            except TimeoutError:
                return PingResult(hub, topic, False, 0, "deadline passed")

    return list(await asyncio.gather(*(one(hub, topic) for hub, topic in pings)))


def send_pings(
    pings: Iterable[Ping],
    retries: int,
    seconds: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[PingResult]:
    """Send every ping within ``seconds`` in all; failures are returned, never raised."""
    pings = sorted(set(pings))
    if not pings:
        return []

    async def run() -> list[PingResult]:
        async with httpx.AsyncClient(
            transport=transport, follow_redirects=False, timeout=seconds
        ) as client:
            return await _ping_all(client, pings, retries, seconds)

    results = asyncio.run(run())
    for result in results:
        log.debug("hub %s %s %s", result.hub, "took" if result.ok else "failed", result.topic)
    return results


def hub_failures(results: Iterable[PingResult]) -> dict[str, str | None]:
    """Per hub: an error of its last batch if any ping failed, else ``None``."""
    latest: dict[str, str | None] = {}
    for result in results:
        if not result.ok:
            latest[result.hub] = result.error
        else:
            latest.setdefault(result.hub, None)
    return latest


def describe_failures(results: Sequence[PingResult]) -> list[str]:
    """One line per failing hub: how many pings did not go out, and why."""
    lines = []
    for hub, error in sorted(hub_failures(results).items()):
        if error is None:
            continue
        failed = sum(1 for r in results if r.hub == hub and not r.ok)
        total = sum(1 for r in results if r.hub == hub)
        lines.append(f"hub {hub}: {failed} of {total} pings not sent ({error}); kept for next run")
    return lines


class Pinger:
    """Sends pending pings from a background thread (the daemon's), a batch at a time.

    ``submit`` hands it everything pending after a publish; pings submitted while a
    batch is under way are merged into the next one, so a slow hub never queues
    up work, and a batch never takes longer than ``seconds``.
    """

    def __init__(
        self,
        retries: int,
        seconds: float,
        on_results: Callable[[list[PingResult]], None],
    ) -> None:
        self.retries = retries
        self.seconds = seconds
        self._on_results = on_results
        self._pending: set[Ping] = set()
        self._in_flight: set[Ping] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="websub", daemon=True)
        self._thread.start()

    def submit(self, pings: Iterable[Ping]) -> None:
        """Send these (hub, topic) pings soon."""
        with self._lock:
            # Still owed in the store while a batch sends them: not twice.
            self._pending.update(set(pings) - self._in_flight)
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop after the batch under way (bounded by its deadline); pending ones stay in the
        store for the next start."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                batch, self._pending = self._pending, set()
                self._in_flight = batch
            if not batch or self._stop.is_set():
                continue
            try:
                self._on_results(send_pings(batch, self.retries, self.seconds))
            except Exception:
                # A hub problem, or the store being busy, must never end the pinger.
                log.exception("WebSub pings failed unexpectedly")
            finally:
                with self._lock:
                    self._in_flight = set()
