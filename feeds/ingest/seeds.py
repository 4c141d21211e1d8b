"""The seeds folder on disk: which files are seeds, their fingerprints, and reading them.

This is the file-system edge in front of the pure normaliser.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from feeds.errors import SeedError, SeedTooLarge
from feeds.ingest.normalise import DEFAULT_MAX_SEED_BYTES, decode_seed
from feeds.records import ParsedSeed, SeedFingerprint

SEED_SUFFIX = ".txt"


SeedStat = tuple[int, int]  # (size, mtime_ns): all a scan compares, and small at 100k seeds


# What a seed's (size, mtime) is recorded as when it cannot be read at all: no real
# file has a negative mtime, so it is re-reported only once it changes.
UNREADABLE: SeedStat = (0, -1)
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def scan_seeds(folder: Path) -> tuple[dict[str, SeedStat], dict[str, str]]:
    """``name → (size, mtime_ns)`` of the seed files directly in ``folder``: one ``stat`` each,
    and ``name → why`` for the ``*.txt`` names that cannot be read as files.

    This is the whole cost of an idle scan, so it stays a tight loop. A file
    that vanishes while the folder is listed is simply not there.
    """
    found: dict[str, SeedStat] = {}
    refused: dict[str, str] = {}
    with os.scandir(folder) as it:
        for entry in it:
            name = entry.name
            # A *.txt name can only be an editor leftover by starting with a dot.
            if not name.endswith(SEED_SUFFIX) or name[0] == ".":
                continue
            try:
                st = entry.stat()  # follows a symlink, as reading it would
            except FileNotFoundError:
                # Gone since the listing; but a symlink whose target is missing (a mount
                # not there just now) is refused, so its entry stays published.
                if entry.is_symlink() and (target := _link_target(entry.path)) is not None:
                    refused[name] = f"cannot read: a symlink to a missing file ({target})"
                continue
            except OSError as err:  # a symlink loop, a permission denied
                refused[name] = f"cannot read: {err.strerror or err}"
                continue
            if stat.S_ISREG(st.st_mode):
                found[name] = (st.st_size, st.st_mtime_ns)
            else:
                kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a file")
                refused[name] = f"{kind}, not a seed file"
    return found, refused


def _link_target(path: str) -> str | None:
    """Where the symlink at ``path`` points, or None when the link itself is gone."""
    try:
        return str(Path(path).readlink())
    except OSError:
        return None


def read_seed(
    path: Path, name: str, max_bytes: int = DEFAULT_MAX_SEED_BYTES
) -> tuple[ParsedSeed, SeedFingerprint]:
    """Read, fingerprint and normalise one seed file.

    Stories carry ``name`` as their source; errors name ``path`` so a user
    can find the file. The size is checked before reading, so a huge file
    costs nothing.
    """
    try:
        # Non-blocking, so a named pipe put in a seed's place cannot hang the publish.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise SeedError(str(path), "not a regular file")
            if st.st_size > max_bytes:
                raise SeedTooLarge(
                    str(path), f"file is {st.st_size} bytes, over the limit of {max_bytes}"
                )
            # As much as fstat says, and a byte more to see a file that grew meanwhile: asking
            # for max_bytes at once allocates that much per seed (a third of a worker's time).
            data = f.read(st.st_size + 1)
            if len(data) > st.st_size:
                data += f.read(max_bytes + 1 - len(data))
    except OSError as err:
        raise SeedError(str(path), f"cannot read: {err.strerror or err}") from err
    fingerprint = SeedFingerprint(
        path=name, size=len(data), mtime_ns=st.st_mtime_ns, sha256=hashlib.sha256(data).hexdigest()
    )
    try:
        parsed = decode_seed(data, name, max_bytes)
    except SeedError as err:
        raise err.relocated(str(path)) from err
    return parsed, fingerprint
