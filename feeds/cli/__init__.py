"""The ``feeds`` command: options → config → library call → exit code.

Exit codes: 0 everything done; 1 some input rejected (the rest still done), a
check failed, or the deploy to object storage failed (the output is kept); 2
usage, config, store or lock error; 70 a bug in feeds (its traceback is printed).
"""

from __future__ import annotations

import sys
import traceback

import click

from feeds.cli import deploying, publishing, reporting  # noqa: F401 - they register the commands
from feeds.cli.common import EXIT_BUG, EXIT_REJECTED, EXIT_USAGE, cli, one_line
from feeds.errors import DeployError, DeployExtraMissing, FeedsError, SeedError

__all__ = ["cli", "main"]


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
    except DeployExtraMissing as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    except (SeedError, DeployError) as err:  # the rest was done; what failed is named
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_REJECTED)
    except FeedsError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as err:
        # The file system refused (read-only, full, gone): the file and the reason, no traceback.
        click.echo(f"error: {one_line(err)}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception:  # noqa: BLE001 - a bug: reported as one, with what is needed to fix it
        traceback.print_exc()
        click.echo(
            "error: an internal error in feeds (a bug): please report it with the traceback above",
            err=True,
        )
        sys.exit(EXIT_BUG)
