"""What every ``feeds`` command shares: the group, exit codes, logging, options, config."""

from __future__ import annotations

import json
import logging
import math
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from feeds import __version__
from feeds.config import Config
from feeds.errors import FeedsError

log = logging.getLogger("feeds")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2
# sysexits' EX_SOFTWARE: a bug in feeds. Never 1, which monitoring reads as "seeds rejected".
EXIT_BUG = 70
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
    return config_file_option()(func)


def config_file_option(
    help: str = "Config file (default: ./feeds.toml when it exists).",
) -> Callable[[F], F]:
    """``--config FILE`` alone, for commands that do not take the seeds folder."""
    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help=help
    )


def wait_option(help: str) -> Callable[[F], F]:
    """``--wait SECONDS``: how long to wait for the publish lock (default 10)."""
    return click.option(
        "--wait", type=click.FloatRange(min=0), default=10.0, show_default=True, help=help
    )


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


def one_line(err: BaseException) -> str:
    """An error as ``main`` prints it."""
    if isinstance(err, OSError) and not isinstance(err, FeedsError):
        where = f"{err.filename}: " if err.filename else ""
        return f"{where}{err.strerror or err}"
    return str(err)


def finite_seconds(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
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
