"""``feeds inspect``, ``serve``, ``status`` and ``check``: looking at seeds and output."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from feeds.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    build_config,
    cli,
    config_file_option,
    setup_logging,
    verbosity_options,
)

log = logging.getLogger("feeds")


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
    from feeds.ingest.normalise import DEFAULT_MAX_SEED_BYTES
    from feeds.ingest.preview import inspect_paths

    result = inspect_paths(paths, max_seed_bytes or DEFAULT_MAX_SEED_BYTES)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for entry in result.entries:
        click.echo(json.dumps(entry, ensure_ascii=False))
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    sys.exit(EXIT_REJECTED if result.errors else EXIT_OK)


@cli.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to serve (default: output).",
)
@config_file_option()
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
    from feeds.serve.app import FeedServer

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
@config_file_option()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(config_path: Path | None, as_json: bool) -> None:
    """Report the last scan and publish, counts, and every rejected seed.

    Exit 0 when healthy; 1 when a seed is rejected, the last scan, publish or
    deploy failed, the store cannot be read, or nothing has been published yet, so
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
        if config.deploy is not None or report.last_deploy:
            result = f" ({report.last_deploy_result})" if report.last_deploy_result else ""
            click.echo(f"last deploy:  {report.last_deploy or 'never'}{result}")
        click.echo(f"entries: {report.entries}, seeds: {report.seeds}, feeds: {report.feeds}")
        for problem in report.problems:
            click.echo(problem)
        if warning := config.address_warning():
            click.echo(f"warning: {warning}")
        click.echo("healthy" if report.healthy else "unhealthy")
    sys.exit(EXIT_OK if report.healthy else EXIT_REJECTED)


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@config_file_option("Config file, for base_url (default: ./feeds.toml when it exists).")
def check(folder: Path | None, config_path: Path | None) -> None:
    """Read every published feed as a feed reader would, and report what it would trip over.

    Parses each .atom and .rss file under FOLDER (default: the configured
    output) with feedparser: not well-formed (bozo), entries without ids or
    dates, duplicate ids, and links into the site that resolve to no file.
    Exit 1 if anything is found.

    Example: feeds check output
    """
    from feeds.audit import check_folder

    config = build_config(config_path, None, folder)
    problems, count = check_folder(config.output, config.base_url)
    for problem in problems:
        click.echo(problem)
    click.echo(f"{count} feeds checked, {len(problems)} problems", err=True)
    sys.exit(EXIT_REJECTED if problems else EXIT_OK)
