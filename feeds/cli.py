"""The ``feeds`` command: options → config → library call → exit code.

Exit codes: 0 everything done; 1 some input rejected (the rest still done) or
a check failed; 2 usage, config, store or lock error.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from feeds import __version__
from feeds.config import Config
from feeds.errors import FeedsError, SeedError, StoreError

log = logging.getLogger("feeds")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
PROGRESS_MIN_SEEDS = 2000


def setup_logging(
    verbose: int, quiet: bool, log_format: str = "text", timestamps: bool = False
) -> None:
    """Route library logging to stderr: WARNING with --quiet, INFO by default, DEBUG with -v."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    elif timestamps:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs INFO on every run; only its warnings are news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # httpx logs every request at INFO ("HTTP Request: ..."): the pings' outcome is ours to say.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
            },
            ensure_ascii=False,
        )


def verbosity_options(func: F) -> F:
    """``-v`` and ``-q/--quiet``, shared by every command that logs."""
    func = click.option(
        "-q", "--quiet", is_flag=True, help="Print nothing unless something is wrong (for cron)."
    )(func)
    func = click.option("-v", "--verbose", count=True, help="More detail (debug logging).")(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feeds")
def cli() -> None:
    """Publish scraped article files as Atom and RSS feeds, and keep them current."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--max-seed-bytes",
    type=click.IntRange(min=1),
    default=None,
    help="Reject seed files larger than this (default 5 MiB).",
)
def inspect(paths: tuple[Path, ...], max_seed_bytes: int | None) -> None:
    """Print the entries the seed files give, as JSON lines (after merging).

    Each rejected file gets one line on stderr, and the exit code is 1.

    Example: feeds inspect seeds/*.txt
    """
    from feeds.inspect import inspect_paths
    from feeds.normalise import DEFAULT_MAX_SEED_BYTES

    result = inspect_paths(paths, max_seed_bytes or DEFAULT_MAX_SEED_BYTES)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for entry in result.entries:
        click.echo(json.dumps(entry, ensure_ascii=False))
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    sys.exit(EXIT_REJECTED if result.errors else EXIT_OK)


def config_options(func: F) -> F:
    """``--config``, ``--seeds`` and ``--output``: where things are, over the config file."""
    func = click.option(
        "--output",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder to write feeds and pages to (default: output).",
    )(func)
    func = click.option(
        "--seeds",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of seed files (default: seeds).",
    )(func)
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Config file (default: ./feeds.toml when it exists).",
    )(func)
    return func


def build_config(
    config_path: Path | None, seeds: Path | None, output: Path | None, checked: bool = True
) -> Config:
    """The config file (or defaults) with command-line flags on top; ``checked``: its folders
    are refused where they would do damage (``feeds publish`` checks them itself)."""
    from feeds.config import load_config, with_overrides
    from feeds.folders import check_folders

    config = with_overrides(load_config(config_path, Path.cwd()), seeds=seeds, output=output)
    if checked:
        check_folders(config)
    return config


def _one_line(err: BaseException) -> str:
    """An error as ``main`` prints it."""
    if isinstance(err, OSError) and not isinstance(err, FeedsError):
        where = f"{err.filename}: " if err.filename else ""
        return f"{where}{err.strerror or err}"
    return str(err)


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Refuse ``nan``, which slips through every range check."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter("must be a finite number of seconds")
    return value


def parse_now(value: str | None) -> datetime:
    """The publish clock: now, or ``--now`` (hidden; for reproducible runs and tests)."""
    if value is None:
        return datetime.now(UTC).replace(microsecond=0)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time", param_hint="--now") from None
    if parsed.tzinfo is None:
        raise click.BadParameter(
            "needs a UTC offset, such as 2026-01-01T00:00:00Z", param_hint="--now"
        )
    return parsed


@cli.command()
@config_options
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Seconds to wait for another publisher to finish before giving up.",
)
@click.option("--rebuild", is_flag=True, help="Render every file again, even if unchanged.")
@click.option(
    "--new-store",
    is_flag=True,
    help="Start a new store even though the output folder was published to before.",
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
    now_text: str | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Publish the seeds as Atom and RSS feeds and HTML pages, writing only what changed.

    Safe to run from cron every minute: a run with nothing new writes nothing,
    and a second publisher waits for the first (see --wait).

    Exit codes: 0 all published; 1 some seeds rejected (the rest published);
    2 usage, config, store or lock error.

    Example: feeds publish --quiet
    """
    from feeds.publish import publish as run_publish
    from feeds.publish import record_publish_failure, settled_before

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
            )
    except StoreError:
        # Locked: another publisher is at work. Otherwise the store is what failed, and
        # cannot take a note; ``feeds status`` finds that out from the store itself.
        raise
    except (FeedsError, OSError) as err:
        record_publish_failure(config, now, _one_line(err))
        raise
    for name in report.deferred:
        log.info(
            "deferred: %s/%s is still being written; the next run takes it", config.seeds, name
        )
    for warning in report.warnings:
        log.warning("warning: %s", warning)
    for line in report.rejected:
        if line not in report.newly_rejected:  # those were logged as they happened
            log.error("rejected: %s", line)
    failures = _ping_hubs(config, report.pings) if report.pings else []
    if not quiet:
        for line in failures:
            click.echo(f"warning: {line}", err=True)
        if address := config.address_warning():
            click.echo(f"warning: {address}", err=True)
        click.echo(replace(report, seconds=time.perf_counter() - started).summary())
    sys.exit(EXIT_OK if report.ok else EXIT_REJECTED)


def _ping_hubs(config: Config, pings: tuple[tuple[str, str], ...]) -> list[str]:
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
    callback=_finite,
    help="Seconds between scans (default 30).",
)
@click.option(
    "--settle",
    type=click.FloatRange(min=0, max=3600),
    callback=_finite,
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


@cli.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to serve (default: output).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: ./feeds.toml when it exists).",
)
@click.option(
    "--host",
    help="Address to listen on (default 127.0.0.1: only this machine; 0.0.0.0 for every one).",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), help="Port (default 8080; 0 picks a free one)."
)
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text")
@verbosity_options
def serve(
    output: Path | None,
    config_path: Path | None,
    host: str | None,
    port: int | None,
    log_format: str,
    verbose: int,
    quiet: bool,
) -> None:
    """Serve the output folder to feed readers over HTTP until SIGTERM or SIGINT.

    Feeds get their content types, strong ETags and Last-Modified; conditional
    requests get 304; gzip when asked; WebSub Link headers when hubs are set.
    /healthz answers JSON: 200 ok or degraded, 503 when publishing is broken.

    Example: feeds serve --port 8080
    """
    import signal
    import threading

    from feeds.config import with_overrides
    from feeds.serve import FeedServer

    setup_logging(verbose, quiet, log_format, timestamps=True)
    config = with_overrides(build_config(config_path, None, output), host=host, port=port)
    try:
        server = FeedServer(config)
    except OSError as err:
        raise click.ClickException(f"cannot listen on {config.host}:{config.port}: {err}") from err
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    server.start()
    stop.wait()
    server.stop()
    log.info("stopped")
    sys.exit(EXIT_OK)


@cli.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: ./feeds.toml when it exists).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Report the last scan and publish, counts, and every rejected seed.

    Exit 0 when healthy; 1 when a seed is rejected, the last scan or publish
    failed, the store cannot be read, or nothing has been published yet, so
    monitoring can use it.

    Example: feeds status --json
    """
    from feeds.status import read_status

    config = build_config(config_path, None, None, checked=False)  # reads only
    report = read_status(config)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        if report.last_scan:  # a watcher has run; under cron alone there are no scans
            click.echo(f"last scan:    {report.last_scan}")
        click.echo(f"last run:     {report.last_run or 'never'}")
        click.echo(f"last publish: {report.last_publish or 'never'}")
        click.echo(f"entries: {report.entries}, seeds: {report.seeds}, feeds: {report.feeds}")
        for problem in report.problems:
            click.echo(problem)
        if warning := config.address_warning():
            click.echo(f"warning: {warning}")
        click.echo("healthy" if report.healthy else "unhealthy")
    sys.exit(EXIT_OK if report.healthy else EXIT_REJECTED)


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file, for base_url (default: ./feeds.toml when it exists).",
)
def check(folder: Path | None, config_path: Path | None) -> None:
    """Read every published feed as a feed reader would, and report what it would trip over.

    Parses each .atom and .rss file under FOLDER (default: the configured
    output) with feedparser: not well-formed (bozo), entries without ids or
    dates, duplicate ids, and links into the site that resolve to no file.
    Exit 1 if anything is found.

    Example: feeds check output
    """
    from feeds.feedcheck import check_folder

    config = build_config(config_path, None, folder)
    problems, count = check_folder(config.output, config.base_url)
    for problem in problems:
        click.echo(problem)
    click.echo(f"{count} feeds checked, {len(problems)} problems", err=True)
    sys.exit(EXIT_REJECTED if problems else EXIT_OK)


def main() -> None:
    """Entry point of the ``feeds`` console script."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(EXIT_USAGE)
    except SeedError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_REJECTED)
    except FeedsError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as err:
        # The file system refused (read-only, full, gone): the file and the reason, no traceback.
        click.echo(f"error: {_one_line(err)}", err=True)
        sys.exit(EXIT_USAGE)
