"""Writing the output folder: atomic replace, skip-if-identical, nothing outside the folder.

Files are staged as hidden temporary files beside their target; ``commit()``
makes them durable, renames them all into place and syncs their folders. A
reader (or a crash, or a power cut) only ever sees a file's old bytes or its
new bytes, never a part.

Durability is batched when a publish writes many files: one ``syncfs`` of the
output's file system before the renames does what an ``fsync`` per file would,
at a fraction of the cost.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import secrets
from pathlib import Path

from feeds.address import is_safe_path
from feeds.errors import PublishError

log = logging.getLogger(__name__)

TEMP_MARK = ".feeds-tmp"
IN_PROGRESS = ".feeds-publishing"  # present while a writer has files staged
RENAMING = "renaming"  # the marker's text once files are being put in place
FSYNC_EACH_MAX = 64


class OutputWriter:
    """Stages changed files under ``root`` and puts them in place together."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._real_root = root.resolve()
        # Output paths only: each one's temporary file is named from it (temporary_path),
        # so a cold publish of 100,000 files holds 100,000 short strings, not pairs of paths.
        self._staged: set[str] = set()
        self._removals: list[str] = []
        self._safe_folders: set[str] = set()
        self._marked = False
        self._renaming = False
        self._tag = f"{os.getpid()}-{secrets.token_hex(2)}"
        self.unchanged = 0

    def target(self, relpath: str) -> Path:
        """The file ``relpath`` names, refusing any path that could leave the output folder."""
        if not is_safe_path(relpath):  # built from slugs: anything else is a bug or an attack
            raise PublishError(f"{relpath!r}: refusing an unsafe output path")
        path = self.root / relpath
        folder = relpath.rpartition("/")[0]
        if folder not in self._safe_folders:
            if not path.parent.resolve().is_relative_to(self._real_root):
                raise PublishError(f"{relpath}: its folder leads outside {self.root}")
            self._safe_folders.add(folder)
        return path

    @property
    def tag(self) -> str:
        """This run's mark in temporary file names (see ``stage_bytes``)."""
        return self._tag

    def put(self, relpath: str, data: bytes) -> bool:
        """Stage ``data`` for ``relpath``; False (nothing staged) when the file already holds it."""
        self.target(relpath)
        staged = stage_bytes(self.root, relpath, data, self._tag)
        self.adopt(relpath, staged)
        return staged

    def adopt(self, relpath: str, staged: bool) -> None:
        """Take over the file ``stage_bytes`` staged for ``relpath`` (False: it was unchanged)."""
        if relpath in self._staged:
            raise PublishError(f"{relpath}: two outputs map to the same path")
        if not staged:
            self.unchanged += 1
            return
        self._marked = True
        self._staged.add(relpath)

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
        # Every staged byte is on disk before any rename: a few files are fsynced one by
        # one; many at once, with one syncfs (cheaper than thousands of fsyncs, but it
        # flushes everything else dirty on that file system too).
        if len(self._staged) > FSYNC_EACH_MAX:
            sync_file_system(self.root)
        else:
            for relpath in self._staged:
                _fsync_file(temporary_path(self.root, relpath, self._tag))
        if self._staged or self._removals:
            # From here on the output changes before the store records it: a run cut
            # short now leaves files the store does not know of (see sweep_temporaries).
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / IN_PROGRESS).write_text(RENAMING)
            self._renaming = True
        # Files in folders first, the top level (all.*, index.html) last: once the main
        # feed shows an entry, its page and its section and author feeds already do.
        for relpath in sorted(self._staged, key=lambda p: ("/" not in p, p)):
            temp = temporary_path(self.root, relpath, self._tag)
            target = self.target(relpath)
            try:
                os.replace(temp, target)  # noqa: PTH105 - temp is a string
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
        # The marker stays until the caller has recorded these files (clear_marker).
        return written, removed

    def abort(self) -> None:
        """Delete every staged temporary file; the published files stay as they were."""
        for relpath in self._staged:
            discard_temporary(temporary_path(self.root, relpath, self._tag))
        self._staged.clear()
        self._removals.clear()
        if self._marked and not self._renaming:
            (self.root / IN_PROGRESS).unlink(missing_ok=True)


def temporary_path(root: Path, relpath: str, tag: str) -> str:
    """Where ``relpath`` is staged by the run tagged ``tag``: a hidden file beside it."""
    # One publisher at a time (the store lock), so a per-run tag cannot collide;
    # the tag is not random because random names make ext4 directory inserts slower.
    folder, _, name = relpath.rpartition("/")
    return (
        f"{root}/{folder}/.{name}.{tag}{TEMP_MARK}"
        if folder
        else f"{root}/.{name}.{tag}{TEMP_MARK}"
    )


def stage_bytes(root: Path, relpath: str, data: bytes, tag: str) -> bool:
    """Write ``data`` to ``relpath``'s temporary file; False (nothing written) if the file
    already holds it.

    ``relpath`` must have passed ``OutputWriter.target``. Runs in worker
    processes too: it leaves the in-progress marker before staging anything,
    so a run killed now has its temporary files swept by the next.
    """
    path = root / relpath
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as err:
        raise PublishError(f"{path}: cannot read: {err.strerror or err}") from err
    marker = root / IN_PROGRESS
    if (root, tag) not in _marked_roots:
        root.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            marker.touch()
        _marked_roots.add((root, tag))
    temp = temporary_path(root, relpath, tag)
    try:
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as err:
        discard_temporary(temp)
        raise PublishError(f"{path}: cannot write: {err.strerror or err}") from err
    return True


def discard_temporary(temp: str) -> None:
    """Delete a staged temporary file, if it is still there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)  # noqa: PTH108 - a plain string, see temporary_path


# (root, run tag) pairs this process has left the in-progress marker for.
_marked_roots: set[tuple[Path, str]] = set()


def sweep_temporaries(root: Path) -> bool:
    """Delete the temporary files a killed publisher left anywhere under ``root``.

    The whole tree is walked only when the marker a writer leaves while it has
    files staged is still there, so a normal run pays one ``stat``. Returns
    True when that run was cut short while putting files in place: the output
    then holds files its (rolled back) store transaction never recorded, and
    everything must be rendered again.
    """
    marker = root / IN_PROGRESS
    try:
        renaming = marker.read_text() == RENAMING
    except FileNotFoundError:
        return False
    count = 0
    # The marker itself stays until this run's store transaction has committed
    # (clear_marker): if this run dies too, the next one still knows.
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(TEMP_MARK):
                (Path(folder) / name).unlink(missing_ok=True)
                count += 1
    if not renaming:
        marker.unlink(missing_ok=True)
    if count:
        log.info("removed %d temporary files left by an interrupted publish", count)
    if renaming:
        log.warning("the last publish was interrupted while writing files: rendering all again")
    return renaming


def clear_marker(root: Path) -> None:
    """Call once the store has recorded a publish's files: the output is consistent again."""
    (root / IN_PROGRESS).unlink(missing_ok=True)


def sync_file_system(folder: Path) -> None:
    """Flush every dirty page of the file system holding ``folder`` (Linux ``syncfs``)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        # Looked up here: finding libc costs milliseconds, and most runs never sync.
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        syncfs = getattr(libc, "syncfs", None)
        if syncfs is None or syncfs(fd) != 0:
            os.sync()  # no syncfs here: the whole machine's, which is a superset
    finally:
        os.close(fd)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    # The renames are durable only once the folder itself is synced.
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
