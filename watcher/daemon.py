"""``feeds watch``: a foreground daemon that republishes whatever changed in the seeds folder.

One APScheduler 3.x interval job runs a scan: ``feeds.publish.publish`` with
a settle cut-off, so the work done is in proportion to what changed (see
``feeds.ingest.scan``). The scheduler's traps are handled explicitly:

- ``misfire_grace_time=None`` with ``coalesce=True``: a late run is merged,
  never silently dropped (the default grace is one second);
- ``max_instances=1`` on a one-thread executor: scans never overlap, and the
  "maximum number of running instances" warning is demoted to debug;
- ``next_run_time=now``: interval jobs do not run at start on their own;
- an explicit UTC time zone, so no local zone is guessed;
- the store is opened inside each scan, on the job's thread;
- signal handlers only set events; a separate thread shuts the scheduler
  down (``shutdown()`` from a handler can deadlock), after the publish under
  way has finished.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from feeds.config import Config
from feeds.errors import FeedsError, StoreLockedError
from feeds.publish.run import (
    PublishReport,
    publish,
    record_scan_failure,
    refuse_lost_store,
    settled_before,
)
from feeds.status import record_hub_results
from feeds.store.db import Store
from feeds.store.lock import publish_lock
from feeds.websub import Pinger, PingResult, describe_failures, hub_failures

if TYPE_CHECKING:
    from feeds.serve.app import FeedServer

log = logging.getLogger(__name__)

JOB_ID = "scan"
# Every this many scans (the first included), the published files are checked too: one
# stat each, which an idle scan of a large site should not pay every time.
VERIFY_EVERY = 10


class _DemoteOverlapWarning(logging.Filter):
    """A slow scan makes APScheduler warn on every tick it skips; that is expected, not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances reached" in record.getMessage():
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


class Watcher:
    """Owns the scheduler, the signal-driven stop and reload, and the scan job."""

    def __init__(
        self, load_config: Callable[[], Config], serve: bool = False, new_store: bool = False
    ) -> None:
        self._load_config = load_config
        self.config = load_config()
        if self.config.deploy is not None:  # said at start, not at every scan
            from feeds.deploy.bucket import check_extra

            check_extra(self.config.deploy)
        self.new_store = new_store
        if not new_store:  # refused at start, before anything runs
            self._refuse_a_lost_store()
        self.stop = threading.Event()
        self.reload = threading.Event()
        self.scans = 0
        self.deploy_error = ""  # the last deploy failure logged, so each is logged once
        self.scan_error = ""  # the same for scans: a mount away fails every scan alike
        self.pinger = self._make_pinger(self.config)
        self.server: FeedServer | None = None
        if serve:
            from feeds.serve.app import FeedServer

            # Three missed scans and /healthz says the watcher is stuck.
            self.server = FeedServer(self.config, stale_after=3 * self.config.interval)
        self.scheduler = BlockingScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def _refuse_a_lost_store(self) -> None:
        """Refuse to start beside a published output whose store is gone or empty.

        Checked under the publish lock: a cron publish that is creating the store
        right now has put files in place but not yet committed its first run.
        """
        config = self.config
        if not config.store.exists():
            refuse_lost_store(config, None)
            return
        try:
            with publish_lock(config.store, wait=10), Store.open(config.store) as store:
                refuse_lost_store(config, store)
        except StoreLockedError:
            pass  # another publisher is at work; every scan checks again under the lock

    def scan(self) -> PublishReport | None:
        """One scan-and-republish; never raises, so the daemon outlives any bad input."""
        if self.stop.is_set():
            return None
        if self.reload.is_set():
            self._reload()
        config = self.config
        now = datetime.now(UTC).replace(microsecond=0)
        settled_before_ns = settled_before(config)
        started = time.perf_counter()
        self.scans += 1
        try:
            report = publish(
                config,
                now,
                wait=0,
                settled_before_ns=settled_before_ns,
                status={"last_scan": now.isoformat(), "last_scan_error": ""},
                verify=self.scans % VERIFY_EVERY == 1,
                new_store=self.new_store,
            )
        except StoreLockedError as err:
            log.debug("scan skipped: %s", err)
            return None
        except FeedsError as err:
            self._scan_failed(str(err))
            record_scan_failure(config, now, str(err))
            return None
        except OSError as err:  # read-only, full, gone: a line, and the next scan tries again
            line = f"{err.filename}: {err.strerror or err}" if err.filename else str(err)
            self._scan_failed(line)
            record_scan_failure(config, now, line)
            return None
        except Exception as err:
            log.exception("scan failed unexpectedly")
            record_scan_failure(config, now, f"{type(err).__name__}: {err}")
            return None
        ms = (time.perf_counter() - started) * 1000
        if self.scan_error:
            log.info("scans work again")
            self.scan_error = ""
        for warning in report.warnings:
            log.warning("%s", warning)
        if report.deploy is not None:  # the pings below were held back if it failed
            self._log_deploy(report.deploy.error, report.deploy.summary())
        if self.pinger is not None and report.pings:
            self.pinger.submit(report.pings)
        if report.written or report.deleted or report.added or report.changed or report.removed:
            log.info(
                "scan: %d added, %d changed, %d removed entries from %d seeds read;"
                " %d files written, %d deleted in %.0f ms",
                report.added,
                report.changed,
                report.removed,
                report.read,
                len(report.written),
                len(report.deleted),
                ms,
            )
            log.debug("written: %s", ", ".join(report.written))
        else:
            log.debug("idle scan in %.0f ms (%d deferred)", ms, len(report.deferred))
        return report

    def _scan_failed(self, error: str) -> None:
        """Log a failed scan: at error level when it first happens or changes, then at
        debug level (``feeds status`` shows it all along)."""
        if error != self.scan_error:
            log.error("scan failed: %s; each scan tries again", error)
        else:
            log.debug("scan failed: %s", error)
        self.scan_error = error

    def _log_deploy(self, error: str, summary: str) -> None:
        """A failing deploy is retried every scan: its error is logged when it first happens
        or changes (then at debug level), and its end once."""
        if error and error != self.deploy_error:
            log.error("%s; each scan tries again", error)
        elif error:
            log.debug("%s", error)
        elif self.deploy_error:
            log.info("deploys work again: %s", summary)
        else:
            log.info("%s", summary)
        self.deploy_error = error

    def _reload(self) -> None:
        self.reload.clear()
        try:
            new = self._load_config()
        except FeedsError as err:
            log.error("config not reloaded, keeping the old one: %s", err)
            return
        if new.interval != self.config.interval:
            self.scheduler.reschedule_job(JOB_ID, trigger=IntervalTrigger(seconds=new.interval))
        if (new.hubs, new.hub_timeout, new.hub_retries) != (
            self.config.hubs,
            self.config.hub_timeout,
            self.config.hub_retries,
        ):
            if self.pinger is not None:
                self.pinger.close()
            self.pinger = self._make_pinger(new)
        self.config = new
        log.info("config reloaded from %s", new.source)

    def _make_pinger(self, config: Config) -> Pinger | None:
        if not config.hubs:
            return None
        failing: set[str] = set()

        def record(results: list[PingResult]) -> None:
            record_hub_results(config, results)
            # Said once when a hub starts failing and once when it recovers, not every scan.
            for hub, error in sorted(hub_failures(results).items()):
                if error is not None and hub not in failing:
                    for line in describe_failures([r for r in results if r.hub == hub]):
                        log.warning("%s", line)
                    failing.add(hub)
                elif error is None and hub in failing:
                    log.info("hub %s takes pings again", hub)
                    failing.discard(hub)

        return Pinger(config.hub_retries, config.hub_timeout, record)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGHUP:
            self.reload.set()
        else:
            self.stop.set()

    def run(self) -> int:
        """Scan now, then every interval, until SIGTERM or SIGINT; returns the exit code."""
        logging.getLogger("apscheduler").addFilter(_DemoteOverlapWarning())
        logging.getLogger("apscheduler.scheduler").addFilter(_DemoteOverlapWarning())
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        self.scheduler.add_job(
            self.scan,
            IntervalTrigger(seconds=self.config.interval),
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
        )
        stopper = threading.Thread(target=self._stop_when_asked, name="stopper", daemon=True)
        stopper.start()
        log.info(
            "watching %s every %g s; publishing to %s",
            self.config.seeds,
            self.config.interval,
            self.config.output,
        )
        if warning := self.config.address_warning():
            log.warning("warning: %s", warning)
        if self.server is not None:
            self.server.start()
        self.scheduler.start()  # blocks until the stopper shuts it down
        if self.server is not None:
            self.server.stop()
        if self.pinger is not None:
            self.pinger.close(timeout=2.0)
        log.info("stopped after %d scans", self.scans)
        return 0

    def _stop_when_asked(self) -> None:
        self.stop.wait()
        log.info("stopping: finishing the scan under way")
        self.scheduler.shutdown(wait=True)


def run(load_config: Callable[[], Config], serve: bool = False, new_store: bool = False) -> int:
    """Run the watcher (and with ``serve`` the HTTP server) in the foreground."""
    return Watcher(load_config, serve, new_store).run()
