"""Keeping the bucket equal to the output folder, with the store's record in between.

After each publish (``deploy_pending``): the files published since the last
deploy (their size or mtime differ from the store's ``deployed`` rows) are
uploaded and the files no longer published are deleted; nothing is listed. The
first deploy to a target, and ``feeds deploy`` (``deploy_all``), list the bucket
instead and compare each object's size and ETag with the local file's MD5, so an
existing bucket is adopted without uploading what it holds, and a bucket changed
by hand is put right.

Every step is recorded only after the bucket took it, and ``deploy_needed``
stays set until a deploy finishes, so a failed or killed deploy is completed by
the next publish.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from feeds.config import Config
from feeds.deploy.bucket import Bucket
from feeds.deploy.plan import (
    DeployPlan,
    Upload,
    bucket_differences,
    changed_since_deploy,
    headers_fingerprint,
    plan_deploy,
)
from feeds.deploy.settings import DEPLOY_NEEDED, DeploySettings
from feeds.errors import DeployError
from feeds.publish.verify import COMPLETE
from feeds.store.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeployReport:
    """What one deploy did (or, with ``dry_run``, would do)."""

    target: str
    put: int = 0
    deleted: int = 0
    unchanged: int = 0  # objects already right (listed) or files with the same bytes
    listed: bool = False  # the bucket was listed and compared
    seconds: float = 0.0
    error: str = ""
    plan: tuple[str, ...] = ()  # the actions, in order
    dry_run: bool = False

    def summary(self) -> str:
        """One line: ``deploy to s3://b/p: 3 put, 1 deleted, 9 unchanged in 0.2 s``."""
        if self.dry_run:
            return (
                f"deploy to {self.target} (dry run): {self.put} to put, {self.deleted} to"
                f" delete, {self.unchanged} unchanged; nothing changed"
            )
        return (
            f"deploy to {self.target}: {self.put} put, {self.deleted} deleted,"
            f" {self.unchanged} unchanged in {self.seconds:.1f} s"
        )


def deploy_pending(store: Store, config: Config, now: datetime) -> DeployReport | None:
    """After a publish (under its lock): put in the bucket what the output gained or lost
    since the last deploy. ``None`` when there is no ``[deploy]`` or nothing to do; a
    failure is recorded and returned in the report's ``error``, never raised."""
    settings = config.deploy
    if settings is None:
        return None
    values = store.status()
    known = values.get("deploy_target") == settings.identity
    same_headers = values.get("deploy_headers") == headers_fingerprint(settings)
    if known and same_headers and values.get(DEPLOY_NEEDED) != "1":
        return None
    if values.get(COMPLETE) != "1":
        # A store from before file records were kept: its records may miss pages a listing
        # would then delete. The next publish that checks every file (cron's every run,
        # the watcher's every tenth scan) completes them, and deploys.
        return None
    started = time.perf_counter()
    try:
        bucket = Bucket(settings)
        if not known:
            report = _sync(store, config.output, bucket, settings.max_deletes, dry_run=False)
        else:
            report = _incremental(store, config.output, bucket, rewrite_all=not same_headers)
    except DeployError as err:
        _record_failure(store, now, str(err))
        return DeployReport(settings.target, error=str(err), seconds=time.perf_counter() - started)
    return _finished(store, settings, now, report, started)


def deploy_all(
    store: Store, config: Config, now: datetime, *, dry_run: bool, max_deletes: int | None
) -> DeployReport:
    """``feeds deploy``: list the bucket, upload what differs, delete what is not published.

    Refuses (``DeployError``) to delete more than ``max_deletes`` objects (default
    ``deploy.max_deletes``); with ``dry_run`` only plans. Raises ``DeployError`` on failure.
    """
    settings = config.deploy
    if settings is None:
        raise DeployError(f"{config.source}: deploy.target is not set: nowhere to deploy to")
    if store.status().get(COMPLETE) != "1":
        raise DeployError(
            f"{store.path}: the store does not know every published file yet: run feeds"
            " publish first"
        )
    started = time.perf_counter()
    bucket = Bucket(settings)
    limit = settings.max_deletes if max_deletes is None else max_deletes
    try:
        report = _sync(store, config.output, bucket, limit, dry_run)
    except DeployError as err:
        if not dry_run:
            _record_failure(store, now, str(err))
        raise
    return report if dry_run else _finished(store, settings, now, report, started)


def _incremental(store: Store, root: Path, bucket: Bucket, rewrite_all: bool) -> DeployReport:
    settings = bucket.settings
    local = store.file_stats()
    deployed = store.deployed()
    stats = {path: (size, mtime) for path, (size, mtime, _) in deployed.items()}
    if rewrite_all:  # the headers changed: every object again, whatever its bytes
        stats, md5s = {}, {}
    else:
        md5s = {path: md5 for path, (_, _, md5) in deployed.items()}
    puts, _ = changed_since_deploy(local, stats)
    deletes = sorted(set(deployed) - set(local))
    plan = plan_deploy(puts, (settings.object_key(p) for p in deletes), local, settings)
    sent = _execute(
        store, root, bucket, plan, local, md5s, dict(zip(plan.deletes, deletes, strict=True))
    )
    return DeployReport(settings.target, put=sent, deleted=len(deletes), unchanged=len(puts) - sent)


def _sync(
    store: Store, root: Path, bucket: Bucket, max_deletes: int, dry_run: bool
) -> DeployReport:
    settings = bucket.settings
    local = store.file_stats()
    remote = bucket.listing()
    headers = store.status().get("deploy_headers")
    # Objects uploaded with other headers are uploaded again, whatever their bytes.
    rewrite_all = bool(headers) and headers != headers_fingerprint(settings)
    deployed = store.deployed()
    recorded = deployed if headers == headers_fingerprint(settings) else {}
    fingerprints = {
        path: _fingerprint(root, path, settings.gzip, recorded.get(path))
        for path in local
        if not rewrite_all and settings.object_key(path) in remote
    }
    puts, delete_keys = bucket_differences(local, fingerprints, remote, settings)
    if len(delete_keys) > max_deletes:
        raise DeployError(
            f"deploy to {settings.target} refused: it would delete {len(delete_keys)} objects,"
            f" over the limit of {max_deletes} (--max-deletes, deploy.max_deletes);"
            f" check that {root} is the right output folder"
        )
    plan = plan_deploy(puts, delete_keys, local, settings)
    unchanged = len(local) - len(puts)
    if dry_run:
        return DeployReport(
            settings.target,
            len(puts),
            len(delete_keys),
            unchanged,
            listed=True,
            plan=tuple(plan.describe()),
            dry_run=True,
        )
    # What the bucket holds now, as it is, recorded before any upload: rows for the
    # objects found right, none for the rest (written as each upload succeeds).
    right = {p: (*local[p], fingerprints[p][1]) for p in set(local) - set(puts)}
    with store.transaction():
        store.forget_deployed(p for p in deployed if p not in right)
        store.record_deployed(
            (p, *row) for p, row in sorted(right.items()) if deployed.get(p) != row
        )
    sent = _execute(store, root, bucket, plan, local, {}, {})
    return DeployReport(settings.target, sent, len(delete_keys), unchanged, True)


def _execute(
    store: Store,
    root: Path,
    bucket: Bucket,
    plan: DeployPlan,
    local: Mapping[str, tuple[int, int]],
    known_md5: Mapping[str, str],
    deleted_paths: Mapping[str, str],
) -> int:
    """Run the plan, recording each stage and each batch of deletions as it completes;
    returns the number of objects PUT."""
    sent = 0

    def done(finished: list[tuple[Upload, str, bool]]) -> None:
        nonlocal sent
        sent += sum(1 for _, _, put in finished if put)
        with store.transaction():
            store.record_deployed((u.path, *local[u.path], md5) for u, md5, _ in finished)

    def deleted(keys: list[str]) -> None:
        with store.transaction():
            store.forget_deployed(deleted_paths[k] for k in keys if k in deleted_paths)

    bucket.execute(plan, lambda u: _body(root, u.path, u.gzip), done, deleted, known_md5)
    return sent


def _body(root: Path, path: str, compress: bool) -> bytes:
    data = (root / path).read_bytes()
    # mtime=0: the same file always gives the same bytes, so the same ETag.
    return gzip.compress(data, compresslevel=9, mtime=0) if compress else data


def _fingerprint(
    root: Path, path: str, compress: bool, record: tuple[int, int, str] | None
) -> tuple[int | None, str]:
    """(size, MD5) of the object a file becomes; the MD5 recorded when it was uploaded if
    the file has not moved since (size and mtime), with the size then unknown (``None``)."""
    try:
        st = os.stat(f"{root}/{path}")  # noqa: PTH116 - a string per file, for 100,000 files
        if record is not None and (st.st_size, st.st_mtime_ns) == record[:2]:
            return None, record[2]
        body = _body(root, path, compress)
    except OSError as err:
        raise DeployError(
            f"{root / path}: {err.strerror or err}: the output is not as published;"
            " run feeds publish first"
        ) from None
    return len(body), hashlib.md5(body, usedforsecurity=False).hexdigest()


def _finished(
    store: Store, settings: DeploySettings, now: datetime, report: DeployReport, started: float
) -> DeployReport:
    report = DeployReport(
        report.target,
        report.put,
        report.deleted,
        report.unchanged,
        report.listed,
        time.perf_counter() - started,
    )
    with store.transaction():
        store.set_status(
            deploy_target=settings.identity,
            deploy_headers=headers_fingerprint(settings),
            last_deploy=now.isoformat(),
            last_deploy_result=report.summary(),
            last_deploy_error="",
            **{DEPLOY_NEEDED: ""},
        )
    log.debug("%s", report.summary())
    return report


def _record_failure(store: Store, now: datetime, error: str) -> None:
    with store.transaction():
        store.set_status(last_deploy_error=error, last_deploy_failure=now.isoformat())
    log.debug("deploy failed: %s", error)
