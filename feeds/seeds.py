"""The seeds folder on disk: which files are seeds, their fingerprints, and reading them.

This is the file-system edge in front of the pure normaliser.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from feeds.errors import SeedError, SeedTooLarge
from feeds.normalise import DEFAULT_MAX_SEED_BYTES, decode_seed
from feeds.records import ParsedSeed, SeedFingerprint

SEED_SUFFIX = ".txt"


SeedStat = tuple[int, int]  # (size, mtime_ns): all a scan compares, and small at 100k seeds


def scan_seeds(folder: Path) -> dict[str, SeedStat]:
    """``name → (size, mtime_ns)`` of the seed files directly in ``folder``: one ``stat`` each.

    This is the whole cost of an idle scan, so it stays a tight loop.
    """
    found: dict[str, SeedStat] = {}
    with os.scandir(folder) as it:
        for entry in it:
            name = entry.name
            # A *.txt name can only be an editor leftover by starting with a dot.
            if name.endswith(SEED_SUFFIX) and name[0] != "." and entry.is_file():
                st = entry.stat()
                found[name] = (st.st_size, st.st_mtime_ns)
    return found


def read_seed(
    path: Path, name: str, max_bytes: int = DEFAULT_MAX_SEED_BYTES
) -> tuple[ParsedSeed, SeedFingerprint]:
    """Read, fingerprint and normalise one seed file.

    Stories carry ``name`` as their source; errors name ``path`` so a user
    can find the file. The size is checked before reading, so a huge file
    costs nothing.
    """
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if st.st_size > max_bytes:
                raise SeedTooLarge(
                    str(path), f"file is {st.st_size} bytes, over the limit of {max_bytes}"
                )
            data = f.read(max_bytes + 1)
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
