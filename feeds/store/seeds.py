"""The store's queries about seed files: what each was when last read, and which are rejected.

A mixin of ``feeds.store.db.Store`` (it uses the store's ``_q`` and ``_many``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from feeds.records import SeedFingerprint


@dataclass(frozen=True)
class SeedState:
    """A seed as the store last saw it."""

    fingerprint: SeedFingerprint
    error: str | None


class SeedQueries:
    """Seeds' fingerprints and rejections."""

    def _q(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        raise NotImplementedError  # provided by Store

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError  # provided by Store

    def seed_states(self, paths: Iterable[str] | None = None) -> dict[str, SeedState]:
        """Known seeds by path: all of them, or those among ``paths``."""
        sql = "SELECT path, size, mtime_ns, sha256, error FROM seeds"
        if paths is None:
            rows = list(self._q(sql))
        else:
            chosen = json.dumps(sorted(paths))
            rows = list(self._q(f"{sql} WHERE path IN (SELECT value FROM json_each(?))", (chosen,)))
        return {
            path: SeedState(SeedFingerprint(path, size, mtime, sha), error)
            for path, size, mtime, sha, error in rows
        }

    def seed_stats(self) -> dict[str, tuple[int, int]]:
        """``path → (size, mtime_ns)`` of every known seed: all an idle scan compares."""
        return {
            path: (size, mtime)
            for path, size, mtime in self._q("SELECT path, size, mtime_ns FROM seeds")
        }

    def put_seed(self, fingerprint: SeedFingerprint, error: str | None) -> None:
        """Record a seed's current fingerprint and whether it is rejected."""
        self.put_seeds([(fingerprint, error)])

    def put_seeds(self, seeds: Iterable[tuple[SeedFingerprint, str | None]]) -> None:
        """Record seeds' current fingerprints and rejections (``None``: parsed fine)."""
        self._many(
            "INSERT INTO seeds (path, size, mtime_ns, sha256, error) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, error = excluded.error",
            ((fp.path, fp.size, fp.mtime_ns, fp.sha256, error) for fp, error in seeds),
        )

    def delete_seed(self, path: str) -> None:
        """Forget a seed and its stories."""
        self._q("DELETE FROM seeds WHERE path = ?", (path,))
        self._q("DELETE FROM stories WHERE source = ?", (path,))

    def rejected_seeds(self) -> list[tuple[str, str]]:
        """``(path, error)`` for every seed currently rejected."""
        rows = self._q("SELECT path, error FROM seeds WHERE error IS NOT NULL ORDER BY path")
        return [(p, e) for p, e in rows]
