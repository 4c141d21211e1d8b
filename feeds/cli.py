"""The ``feeds`` command: options → config → library call → exit code.

Exit codes: 0 everything done; 1 some input rejected (the rest still done) or
a check failed; 2 usage, config, store or lock error.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from feeds import __version__
from feeds.errors import FeedsError, SeedError

log = logging.getLogger("feeds")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


def setup_logging(verbose: int, quiet: bool, log_format: str = "text") -> None:
    """Route library logging to stderr: WARNING with --quiet, INFO by default, DEBUG with -v."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # APScheduler logs INFO on every run; only its warnings are news.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


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
