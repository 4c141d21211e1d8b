"""The incremental output against a cold publish of the same corpus, as a reader sees it."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from feeds.audit import check_folder
from feeds.config import Config
from feeds.publish.run import publish


def compare_with_cold(
    n: int, incremental: Config, site: Path, touched: set[str], touched_keys: set[str]
) -> dict[str, object]:
    """The incremental output against a cold publish of the same final corpus, and
    ``feeds check`` (feedparser's view) of the incremental output.

    Byte-identity cannot hold where the history matters (an edited entry's
    ``updated``, a deleted one's tombstone, archive pages that keep what they
    were given), so every entry is also compared as a reader sees it, and each
    difference is traced to the edits: to the seeds they ``touched``, or to a
    story those seeds held before or after an edit (``touched_keys``; a deleted
    teaser can change the date or byline of an article in another file). Any
    that is not is a bug, counted as ``unexplained``.
    """
    cold = Config(seeds=incremental.seeds, output=site / "output-cold", store=site / "cold.sqlite")
    shutil.rmtree(cold.output, ignore_errors=True)
    for path in site.glob("cold.sqlite*"):
        path.unlink()
    publish(cold, datetime.now(UTC))
    mine = _files(incremental.output)
    theirs = _files(cold.output)
    common = mine.keys() & theirs.keys()
    same = [p for p in common if mine[p] == theirs[p]]
    differ = sorted(common - set(same))
    problems, feeds = check_folder(incremental.output, incremental.base_url)
    ours, cold_views = entry_views(incremental.output), entry_views(cold.output)
    differing = {i for i in ours.keys() | cold_views.keys() if ours.get(i) != cold_views.get(i)}
    origins = entry_sources(incremental.store) | entry_sources(cold.store)

    def explained(entry_id: str) -> bool:
        key, sources = origins.get(entry_id, ("", set()))
        return key in touched_keys or bool(sources & touched)

    unexplained = sorted(i for i in differing if not explained(i))
    return {
        "size": n,
        "files incremental": len(mine),
        "files cold": len(theirs),
        "identical": len(same),
        "differ": len(differ),
        "only incremental": len(mine.keys() - theirs.keys()),
        "only cold": len(theirs.keys() - mine.keys()),
        "differing examples": differ[:5],
        "feeds checked": feeds,
        "feed problems": len(problems),
        "entries": len(ours),
        "entries differing": len(differing),
        "seeds edited": len(touched),
        "unexplained": len(unexplained),
        "unexplained examples": unexplained[:5],
    }


def entry_views(root: Path) -> dict[str, tuple[str | None, ...]]:
    """Every entry of ``all.atom`` and its archive pages: id → what a reader sees of it."""
    atom = "{http://www.w3.org/2005/Atom}"
    fields = ("title", "published", "updated", "summary", "content")
    views: dict[str, tuple[str | None, ...]] = {}
    for doc in [root / "all.atom", *(root / "archive" / "all").glob("*.atom")]:
        for entry in etree.parse(doc).getroot().iterfind(f"{atom}entry"):
            link = entry.find(f"{atom}link")
            authors = ", ".join(
                a.findtext(f"{atom}name") or "" for a in entry.iter(f"{atom}author")
            )
            views[entry.findtext(f"{atom}id") or ""] = (
                *(entry.findtext(f"{atom}{f}") for f in fields),
                link.get("href") if link is not None else None,
                authors,
            )
    return views


def entry_sources(store: Path) -> dict[str, tuple[str, set[str]]]:
    """Entry id → its story key and the seed files it came from, as the store has them."""
    with sqlite3.connect(store) as conn:
        rows = conn.execute("SELECT id, key, sources FROM entries")
        return {i: (k, set(json.loads(s))) for i, k, s in rows}


def story_keys(store: Path, seeds: list[str]) -> set[str]:
    """The story keys the store holds for ``seeds`` (their articles and teasers)."""
    marks = ",".join("?" * len(seeds))
    with sqlite3.connect(store) as conn:
        rows = conn.execute(f"SELECT key FROM stories WHERE source IN ({marks})", seeds)
        return {k for (k,) in rows}


def _files(root: Path) -> dict[str, str]:
    """``relative path → sha256`` of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
