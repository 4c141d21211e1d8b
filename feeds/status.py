"""``feeds status`` and the server's health: what the store says about the last runs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from feeds.address import FEED_SUFFIXES
from feeds.config import Config
from feeds.errors import FeedsError
from feeds.store.db import Store
from feeds.websub import PingResult, hub_failures

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """Health of a publisher, from its store."""

    last_scan: str | None = None
    last_scan_error: str | None = None
    last_publish_error: str | None = None
    last_run: str | None = None
    last_publish: str | None = None
    last_deploy: str | None = None  # with [deploy]: when the bucket was last made current
    last_deploy_result: str | None = None
    last_deploy_error: str | None = None
    entries: int = 0
    seeds: int = 0
    feeds: int = 0
    rejected: tuple[tuple[str, str], ...] = ()
    hub_failures: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = field(default=())
    failing: bool = False  # the last scan failed or stalled: worse than degraded

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rejected"] = [{"path": p, "error": e} for p, e in self.rejected]
        data["hub_failures"] = [{"hub": h, "error": e} for h, e in self.hub_failures]
        data["problems"] = list(self.problems)
        data["healthy"] = self.healthy
        return data


def read_status(
    config: Config, now: datetime | None = None, stale_after: float | None = None
) -> Status:
    """The store's view; with ``now`` and ``stale_after``, an old last scan is a problem."""
    if not config.store.exists():
        return Status(problems=(f"{config.store}: no store yet; nothing has been published",))
    try:
        with Store.open(config.store) as store:
            values = store.status()
            rejected = tuple(store.rejected_seeds())
            counts = (store.entry_count(), store.seed_count(), store.output_count(FEED_SUFFIXES))
    except FeedsError as err:  # the store itself is what fails: say so, from its error
        return Status(problems=(f"store: {err}",), failing=True)
    problems = [f"rejected: {error}" for _, error in rejected]
    hubs = tuple(sorted(json.loads(values.get("hub_failures") or "{}").items()))
    problems += [f"hub failing: {hub}: {error}" for hub, error in hubs]
    failing = False
    scan_error = values.get("last_scan_error") or None
    if scan_error:
        problems.append(f"last scan failed: {scan_error}")
        failing = True
    publish_error = values.get("last_publish_error") or None
    if publish_error:
        problems.append(f"last publish failed ({values.get('last_failure')}): {publish_error}")
        failing = True
    deploy_error = values.get("last_deploy_error") or None
    if deploy_error:
        problems.append(f"last deploy failed ({values.get('last_deploy_failure')}): {deploy_error}")
        failing = True
    last_scan = values.get("last_scan")
    if now is not None and stale_after is not None:
        age = now - datetime.fromisoformat(last_scan) if last_scan else None
        if age is None or age > timedelta(seconds=stale_after):
            ago = "never" if age is None else f"{age.total_seconds():.0f} s ago"
            problems.append(f"last scan {ago}: the watcher is stuck")
            failing = True
    return Status(
        last_scan=last_scan,
        last_scan_error=scan_error,
        last_publish_error=publish_error,
        last_run=values.get("last_run"),
        last_publish=values.get("last_publish"),
        last_deploy=values.get("last_deploy"),
        last_deploy_result=values.get("last_deploy_result"),
        last_deploy_error=deploy_error,
        entries=counts[0],
        seeds=counts[1],
        feeds=counts[2],
        rejected=rejected,
        hub_failures=hubs,
        problems=tuple(problems),
        failing=failing,
    )


def record_hub_results(config: Config, results: Iterable[PingResult]) -> None:
    """Keep each hub's last failure in the store (cleared by a success) for status and health."""
    results = list(results)
    latest = hub_failures(results)
    if not latest:
        return
    try:
        with Store.open(config.store) as store, store.transaction():
            store.pings_sent((r.hub, r.topic) for r in results if r.ok)
            failures = json.loads(store.status().get("hub_failures") or "{}")
            for hub, error in latest.items():
                if error is None:
                    failures.pop(hub, None)
                else:
                    failures[hub] = error
            store.set_status(hub_failures=json.dumps(failures, sort_keys=True))
    except FeedsError as err:
        log.warning("could not record hub results in the store: %s", err)
