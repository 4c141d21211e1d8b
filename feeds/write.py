"""Writing the output folder: atomic replace, skip-if-identical, nothing outside the folder.

Files are staged as hidden temporary files beside their target and fsynced,
then all renamed into place by ``commit()``. A reader (or a crash) only ever
sees a file's old bytes or its new bytes, never a part.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from feeds.errors import PublishError

log = logging.getLogger(__name__)

TEMP_MARK = ".feeds-tmp"
# Output paths are built from slugs; anything else is a bug or an attack.
_SAFE_PATH = re.compile(r"^(?:[a-z0-9][a-z0-9._-]*/)*[a-z0-9][a-z0-9._-]*$")


class OutputWriter:
    """Stages changed files under ``root`` and puts them in place together."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = root.resolve()
        self._staged: dict[str, Path] = {}
        self._removals: list[str] = []
        self.unchanged = 0

    def target(self, relpath: str) -> Path:
        """The file ``relpath`` names, refusing any path that could leave the output folder."""
        if not _SAFE_PATH.match(relpath) or ".." in relpath.split("/"):
            raise PublishError(f"{relpath!r}: refusing an unsafe output path")
        path = self.root / relpath
        parent = path.parent.resolve()
        if not parent.is_relative_to(self._real_root):
            raise PublishError(f"{relpath}: its folder leads outside {self.root}")
        return path

    def put(self, relpath: str, data: bytes) -> bool:
        """Stage ``data`` for ``relpath``; False (nothing staged) when the file already holds it."""
        if relpath in self._staged:
            raise PublishError(f"{relpath}: two outputs map to the same path")
        path = self.target(relpath)
        try:
            if path.read_bytes() == data:
                self.unchanged += 1
                return False
        except FileNotFoundError:
            pass
        except OSError as err:
            raise PublishError(f"{path}: cannot read: {err.strerror or err}") from err
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_MARK}")
        try:
            with temp.open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except OSError as err:
            temp.unlink(missing_ok=True)
            raise PublishError(f"{path}: cannot write: {err.strerror or err}") from err
        self._staged[relpath] = temp
        return True

    def remove(self, relpath: str) -> None:
        """Delete ``relpath`` on commit (a feed or page that is no longer published)."""
        self._removals.append(relpath)

    @property
    def staged(self) -> list[str]:
        return sorted(self._staged)

    def commit(self) -> tuple[list[str], list[str]]:
        """Rename every staged file into place, then delete removals; returns both lists."""
        folders: set[Path] = set()
        written = []
        for relpath in sorted(self._staged):
            temp = self._staged[relpath]
            target = self.target(relpath)
            try:
                temp.replace(target)
            except OSError as err:
                raise PublishError(f"{target}: cannot replace: {err.strerror or err}") from err
            folders.add(target.parent)
            written.append(relpath)
        self._staged.clear()
        removed = []
        for relpath in sorted(set(self._removals)):
            target = self.target(relpath)
            try:
                target.unlink()
            except FileNotFoundError:
                pass
            except OSError as err:
                raise PublishError(f"{target}: cannot delete: {err.strerror or err}") from err
            folders.add(target.parent)
            removed.append(relpath)
        self._removals.clear()
        for folder in sorted(folders):
            _fsync_dir(folder)
        return written, removed

    def abort(self) -> None:
        """Delete every staged temporary file; the published files stay as they were."""
        for temp in self._staged.values():
            temp.unlink(missing_ok=True)
        self._staged.clear()
        self._removals.clear()


def sweep_temporaries(root: Path, folders: tuple[str, ...]) -> int:
    """Delete temporary files a killed publisher left in ``root`` and its ``folders``."""
    count = 0
    for folder in (root, *(root / f for f in folders)):
        try:
            with os.scandir(folder) as it:
                leftovers = [e.path for e in it if e.name.endswith(TEMP_MARK)]
        except FileNotFoundError:
            continue
        for path in leftovers:
            Path(path).unlink(missing_ok=True)
            count += 1
    if count:
        log.info("removed %d temporary files left by an interrupted publish", count)
    return count


def _fsync_dir(folder: Path) -> None:
    # The renames are durable only once the folder itself is synced.
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
