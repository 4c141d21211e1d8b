"""The store's record of what the bucket holds: every file deployed, as it was then.

A mixin of ``feeds.store.db.Store``. A row is written only after its object
was PUT (or found in the bucket with the same bytes), so a deploy that fails or
is killed leaves rows only for what did reach the bucket.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

DeployedRow = tuple[str, int, int, str]  # (path, size, mtime_ns, md5 of the object's body)


class DeployQueries:
    """Rows of ``deployed``: path → the published file's (size, mtime_ns) and the MD5."""

    def _q(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        raise NotImplementedError  # provided by Store

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError  # provided by Store

    def deployed(self) -> dict[str, tuple[int, int, str]]:
        """``path → (size, mtime_ns, md5)`` of every file the bucket holds, as deployed."""
        return {p: (size, mtime, md5) for p, size, mtime, md5 in self._q("SELECT * FROM deployed")}

    def record_deployed(self, rows: Iterable[DeployedRow]) -> None:
        self._many(
            "INSERT INTO deployed (path, size, mtime_ns, md5) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, md5 = excluded.md5",
            rows,
        )

    def forget_deployed(self, paths: Iterable[str]) -> None:
        self._many("DELETE FROM deployed WHERE path = ?", ((p,) for p in paths))
