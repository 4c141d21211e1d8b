"""``feeds status`` and the server's health: what the store says about the last runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from feeds.config import Config
from feeds.store import Store

FEED_SUFFIXES = (".atom", ".rss")


@dataclass(frozen=True)
class Status:
    """Health of a publisher, from its store."""

    last_scan: str | None = None
    last_scan_error: str | None = None
    last_run: str | None = None
    last_publish: str | None = None
    entries: int = 0
    seeds: int = 0
    feeds: int = 0
    rejected: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejected"] = [{"path": p, "error": e} for p, e in self.rejected]
        data["problems"] = list(self.problems)
        data["healthy"] = self.healthy
        return data


def read_status(
    config: Config, now: datetime | None = None, stale_after: float | None = None
) -> Status:
    """The store's view; with ``now`` and ``stale_after``, an old last scan is a problem."""
    if not config.store.exists():
        return Status(problems=(f"{config.store}: no store yet; nothing has been published",))
    with Store.open(config.store) as store:
        values = store.status()
        rejected = tuple(store.rejected_seeds())
        counts = (store.entry_count(), store.seed_count(), store.output_count(FEED_SUFFIXES))
    problems = [f"rejected: {error}" for _, error in rejected]
    scan_error = values.get("last_scan_error") or None
    if scan_error:
        problems.append(f"last scan failed: {scan_error}")
    last_scan = values.get("last_scan")
    if now is not None and stale_after is not None and last_scan:
        age = now - datetime.fromisoformat(last_scan)
        if age > timedelta(seconds=stale_after):
            problems.append(f"last scan was {age.total_seconds():.0f} s ago: the watcher is stuck")
    return Status(
        last_scan=last_scan,
        last_scan_error=scan_error,
        last_run=values.get("last_run"),
        last_publish=values.get("last_publish"),
        entries=counts[0],
        seeds=counts[1],
        feeds=counts[2],
        rejected=rejected,
        problems=tuple(problems),
    )
