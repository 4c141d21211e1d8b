"""``feeds deploy``: put the published output in object storage, or repair the bucket."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from feeds.cli.common import (
    EXIT_OK,
    build_config,
    cli,
    config_file_option,
    setup_logging,
    verbosity_options,
    wait_option,
)
from feeds.errors import ConfigError, StoreError


@cli.command()
@config_file_option("Config file with the [deploy] table (default: ./feeds.toml when it exists).")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The published folder (default: output).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print what would be put and deleted; change nothing."
)
@click.option(
    "--max-deletes",
    type=click.IntRange(min=0),
    help="Refuse a run that would delete more objects than this (default: deploy.max_deletes).",
)
@wait_option("Seconds to wait for a publish under way to finish.")
@verbosity_options
def deploy(
    config_path: Path | None,
    output: Path | None,
    dry_run: bool,
    max_deletes: int | None,
    wait: float,
    verbose: int,
    quiet: bool,
) -> None:
    """List the bucket and make it equal to the published output.

    Each object is compared with its file (size and MD5 against the ETag):
    what differs or is missing is uploaded (pages first, then feeds, then the
    lists), then objects that are no longer published are deleted. For the first
    upload to a bucket and for repair; every publish keeps the bucket current
    by itself. Hubs owed a ping are pinged after.

    Exit codes: 0 the bucket is current; 1 the deploy failed or was refused
    (too many deletions); 2 usage, config, store or lock error.

    Example: feeds deploy --dry-run
    """
    from feeds.deploy.run import deploy_all
    from feeds.store.db import Store
    from feeds.store.lock import publish_lock

    setup_logging(verbose, quiet)
    config = build_config(config_path, None, output)
    if config.deploy is None:
        raise ConfigError(config.source, "deploy.target", "is not set: nowhere to deploy to")
    if not config.store.is_file():
        raise StoreError(f"{config.store}: no store: run feeds publish first")
    now = datetime.now(UTC).replace(microsecond=0)
    with publish_lock(config.store, wait), Store.open(config.store) as store:
        if not store.status().get("last_run"):
            raise StoreError(f"{config.store}: nothing published yet: run feeds publish first")
        report = deploy_all(store, config, now, dry_run=dry_run, max_deletes=max_deletes)
        with store.transaction():
            pings = [] if dry_run else store.owe_pings(config.hubs, [])
    if dry_run:
        for line in report.plan:
            click.echo(line)
        click.echo(report.summary())
        sys.exit(EXIT_OK)
    if pings:
        from feeds.cli.publishing import ping_hubs

        for line in ping_hubs(config, tuple(pings)):
            if not quiet:
                click.echo(f"warning: {line}", err=True)
    if not quiet:
        click.echo(report.summary())
    sys.exit(EXIT_OK)
