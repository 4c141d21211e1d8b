"""``feeds check``: read the published feeds with feedparser, as a feed reader would.

Slow but faithful; the publish path uses the cheap lxml check in
``feeds.render.check`` instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]

from feeds.address import FEED_SUFFIXES, absolute_url
from feeds.render.check import json_feed_problem


def check_folder(folder: Path, base_url: str) -> tuple[list[str], int]:
    """Every problem found in the feeds under ``folder`` (one line each), and how many feeds."""
    problems: list[str] = []
    feeds = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in FEED_SUFFIXES and not any(part.startswith(".") for part in p.parts)
    )
    for path in feeds:
        rel = path.relative_to(folder).as_posix()
        problems.extend(
            f"{path}: {p}" for p in check_feed_bytes(path.read_bytes(), rel, folder, base_url)
        )
    return problems, len(feeds)


def check_feed_bytes(data: bytes, rel: str, folder: Path, base_url: str) -> list[str]:
    """What a reader would stumble on in one feed; ``rel`` is its path under ``folder``."""
    if rel.endswith(".json"):
        return _check_json_feed(data, rel, folder, base_url)
    parsed: Any = feedparser.parse(data)
    problems = []
    if parsed.bozo:
        problems.append(f"not a clean feed: {parsed.bozo_exception}")
    feed = parsed.feed
    if not feed.get("title"):
        problems.append("feed has no title")
    self_links = [link["href"] for link in feed.get("links", []) if link.get("rel") == "self"]
    expected = absolute_url(base_url, rel)
    if self_links != [expected]:
        problems.append(f"rel=self is {self_links}, expected [{expected!r}]")
    links = [link["href"] for link in feed.get("links", []) if link.get("rel") != "self"]
    seen: set[str] = set()
    for number, entry in enumerate(parsed.entries, start=1):
        entry_id = entry.get("id")
        where = f"entry {number}"
        if not entry_id:
            problems.append(f"{where} has no id")
        elif entry_id in seen:
            problems.append(f"{where} repeats id {entry_id}")
        else:
            seen.add(entry_id)
        if not (entry.get("published_parsed") or entry.get("updated_parsed")):
            problems.append(f"{where} ({entry_id}) has no date")
        if not entry.get("title"):
            problems.append(f"{where} ({entry_id}) has no title")
        links.extend(link["href"] for link in entry.get("links", []))
    for href in sorted(set(links)):
        problem = _link_problem(href, folder, base_url)
        if problem:
            problems.append(problem)
    return problems


def _link_problem(href: str, folder: Path, base_url: str) -> str | None:
    if not href.startswith(("http://", "https://")):
        return f"link {href!r} is not absolute"
    if not href.startswith(base_url):
        return None  # outside the site (a hub, say): not ours to resolve
    rel = href[len(base_url) :] or "index.html"
    if not (folder / rel).is_file():
        return f"link {href} resolves to no file under {folder}"
    return None


def _check_json_feed(data: bytes, rel: str, folder: Path, base_url: str) -> list[str]:
    # feedparser (6.0, the latest release) does not read JSON Feed; the spec's rules do.
    problem = json_feed_problem(data)
    if problem:
        return [problem]
    feed = json.loads(data)
    problems = []
    if feed.get("feed_url") != absolute_url(base_url, rel):
        problems.append(
            f"feed_url is {feed.get('feed_url')!r}, expected {absolute_url(base_url, rel)!r}"
        )
    links = [feed.get("home_page_url", "")] + [item.get("url", "") for item in feed["items"]]
    for href in sorted({link for link in links if link}):
        if found := _link_problem(href, folder, base_url):
            problems.append(found)
    return problems
