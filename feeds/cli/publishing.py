"""``feeds publish`` and ``feeds watch``: the two ways feeds publish."""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feeds.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    PROGRESS_MIN_SEEDS,
    build_config,
    cli,
    config_options,
    finite_seconds,
    one_line,
    parse_now,
    setup_logging,
    verbosity_options,
    wait_option,
)
from feeds.config import Config
from feeds.errors import FeedsError, StoreError

if TYPE_CHECKING:
    from feeds.publish.run import PublishReport

log = logging.getLogger("feeds")


@cli.command()
@config_options
@wait_option("Seconds to wait for another publisher to finish before giving up.")
@click.option("--rebuild", is_flag=True, help="Render every file again, even if unchanged.")
@click.option(
    "--new-store",
    is_flag=True,
    help="Start a new store even though the output folder was published to before.",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Go on when the seeds folder is found empty after seeds were published from it"
    " (every entry is then deleted).",
)
@click.option("--now", "now_text", hidden=True, help="Publish as if at this ISO 8601 time.")
@verbosity_options
def publish(
    config_path: Path | None,
    seeds: Path | None,
    output: Path | None,
    wait: float,
    rebuild: bool,
    new_store: bool,
    allow_empty: bool,
    now_text: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Publish the seeds as Atom and RSS feeds and HTML pages, writing only what changed.

    Safe to run from cron every minute: a run with nothing new writes nothing,
    and a second publisher waits for the first (see --wait).

    With a [deploy] table, the files written and deleted then go to the bucket,
    and hubs are pinged once the bucket has the feeds.

    Exit codes: 0 all published; 1 some seeds rejected (the rest published) or
    the deploy failed (the output is kept; the next run uploads what is missing);
    2 usage, config, store or lock error; 70 a bug in feeds.

    Example: feeds publish --quiet
    """
    from feeds.publish.run import publish as run_publish
    from feeds.publish.run import record_publish_failure, settled_before

    started = time.perf_counter()
    setup_logging(verbose, quiet)
    config = build_config(config_path, seeds, output, checked=False)  # publish() checks
    now = parse_now(now_text)
    try:
        with _progress_bar(quiet) as progress:
            report = run_publish(
                config,
                now,
                wait=wait,
                rebuild=rebuild,
                progress=progress,
                settled_before_ns=settled_before(config),
                new_store=new_store,
                allow_empty=allow_empty,
            )
    except StoreError:
        # Locked: another publisher is at work. Otherwise the store is what failed, and
        # cannot take a note; ``feeds status`` finds that out from the store itself.
        raise
    except (FeedsError, OSError) as err:
        record_publish_failure(config, now, one_line(err))
        raise
    except Exception as err:  # a bug: ``feeds status`` says the publish failed all the same
        record_publish_failure(config, now, f"{type(err).__name__}: {err}")
        raise
    sys.exit(_tell(config, report, quiet, started))


def _tell(config: Config, report: PublishReport, quiet: bool, started: float) -> int:
    """Log and print what the publish did and ping the hubs it owes (the summary's time
    includes the pings); returns the exit code."""
    _log_report(config, report)
    deploy_error = report.deploy.error if report.deploy is not None else ""
    if deploy_error:  # the output is whole; the next run uploads what is missing
        click.echo(f"error: {deploy_error}", err=True)
    failures = ping_hubs(config, report.pings) if report.pings else []
    if not quiet:
        for line in failures:
            click.echo(f"warning: {line}", err=True)
        if address := config.address_warning():
            click.echo(f"warning: {address}", err=True)
        click.echo(replace(report, seconds=time.perf_counter() - started).summary())
        if report.deploy is not None and not deploy_error:
            click.echo(report.deploy.summary())
    return EXIT_OK if report.ok and not deploy_error else EXIT_REJECTED


def _log_report(config: Config, report: PublishReport) -> None:
    """What the run left for later, warned about or rejected: a line each."""
    for name in report.deferred:
        log.info(
            "deferred: %s/%s is still being written; the next run takes it", config.seeds, name
        )
    for warning in report.warnings:
        log.warning("warning: %s", warning)
    for line in report.rejected:
        if line not in report.newly_rejected:  # those were logged as they happened
            log.error("rejected: %s", line)


def ping_hubs(config: Config, pings: tuple[tuple[str, str], ...]) -> list[str]:
    """After the files are in place and the lock is released: every ping owed, within
    ``websub.timeout`` in all. A hub's failure never fails the publish: the pings it
    missed stay owed for the next run. Returns a line per failing hub."""
    from feeds.status import record_hub_results
    from feeds.websub import describe_failures, send_pings

    results = send_pings(pings, config.hub_retries, config.hub_timeout)
    record_hub_results(config, results)
    return describe_failures(results)


@contextlib.contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal, shown only once a run has many seeds to read."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total >= PROGRESS_MIN_SEEDS:
            bar = click.progressbar(length=total, label="reading seeds", file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(1)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


@cli.command()
@config_options
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1, max=86400),
    callback=finite_seconds,
    help="Seconds between scans (default 30).",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0, max=3600),
    callback=finite_seconds,
    help="Leave files modified less than this many seconds ago for the next scan (default 2).",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per line, for log shippers.",
)
@click.option("--serve", "serve_too", is_flag=True, help="Also serve the output over HTTP.")
@click.option(
    "--new-store",
    is_flag=True,
    help="Start a new store even though the output folder was published to before.",
)
@click.option("--host", help="With --serve: address to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="With --serve: port (default 8080).")
@verbosity_options
def watch(
    config_path: Path | None,
    seeds: Path | None,
    output: Path | None,
    interval: float | None,
    settle: float | None,
    log_format: str,
    serve_too: bool,
    new_store: bool,
    host: str | None,
    port: int | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Watch the seeds folder and republish what changes, until SIGTERM or SIGINT.

    Runs in the foreground (for systemd or a terminal). Scans at start and then
    every --interval seconds; only changed seeds are read and only the feeds
    and pages they touch are rewritten. SIGHUP re-reads the config file. With
    --serve, the same process serves the output (see feeds serve).

    Example: feeds watch --interval 10 --serve
    """
    from feeds.config import with_overrides
    from watcher.daemon import run

    setup_logging(verbose, quiet, log_format, timestamps=True)

    def load() -> Config:
        config = build_config(config_path, seeds, output)
        return with_overrides(config, interval=interval, settle=settle, host=host, port=port)

    sys.exit(run(load, serve=serve_too, new_store=new_store))
