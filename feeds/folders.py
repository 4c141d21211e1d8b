"""The folders and files a config names, refused where using them would do damage.

A publish writes and deletes files under ``output``; a wrong setting must not
turn that loose on ``/``, on the seeds, or on the store (nor publish the store).
"""

from __future__ import annotations

from pathlib import Path

from feeds.config import Config
from feeds.errors import ConfigError


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_folders(config: Config) -> None:
    """Raise ``ConfigError`` naming the key when the folders would clash or do damage."""
    output = config.output.resolve()
    seeds = config.seeds.resolve()
    store = config.store.resolve()

    def refuse(key: str, message: str) -> None:
        raise ConfigError(config.source, key, message)

    if output == Path(output.anchor) or output == Path.home().resolve():
        refuse("publish.output", f"{output} is not a folder feeds may fill and prune")
    if output.exists() and not output.is_dir():
        refuse("publish.output", f"{output} is a file, not a folder")
    if _inside(output, seeds) or _inside(seeds, output):
        refuse("publish.output", f"{output} and the seeds folder {seeds} must not overlap")
    # The store beside output/ (store = "state.sqlite") is a normal layout; the store
    # inside output/ would be published, and output/ as the store's folder is a mix-up.
    if _inside(store, output) or output == store.parent:
        refuse("publish.output", f"{output} must not hold the store {store}")
    if store.is_dir():
        refuse("publish.store", f"{store} is a folder; name the store's file, such as state.sqlite")
    if config.seeds.exists() and not seeds.is_dir():
        refuse("publish.seeds", f"{seeds} is a file, not a folder")
