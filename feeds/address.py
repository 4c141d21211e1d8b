"""Where each published file lives in the output folder. Pure.

Every path under ``output/`` is decided here; absolute URLs are ``base_url``
followed by one of these paths.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from feeds.records import FeedSpec

ENTRY_FOLDER = "entries"
ARCHIVE_FOLDER = "archive"
INDEX = "index.html"
STYLESHEET = "feed.xsl"
# Files every publish writes at the top of the output folder (whatever the formats).
PUBLISHED_SIGNS = (INDEX, "all.atom", "all.rss", "all.json", "feeds.opml")
FEED_SUFFIXES = (".atom", ".rss", ".json")
# Media types by format (and suffix without its dot); served with "; charset=utf-8".
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
    "html": "text/html",
    "opml": "text/x-opml",
    "xsl": "text/xsl",
}
# What a file is served (and uploaded) as, by suffix with its dot: every file is UTF-8.
CONTENT_TYPES = {f".{suffix}": f"{media}; charset=utf-8" for suffix, media in MEDIA_TYPES.items()}
# Every path the publisher writes is built from slugs: lower-case segments that start
# with a letter or digit. The writer refuses anything else, and the server serves
# nothing else (checked on the raw request target, before any decoding).
_SEGMENT = r"[a-z0-9][a-z0-9._-]*"
_SAFE_PATH = re.compile(rf"^(?:{_SEGMENT}/)*{_SEGMENT}$")
SERVABLE_TARGET = re.compile(rf"^/(?:{_SEGMENT}/)*(?:{_SEGMENT})?$".encode())


def is_safe_path(path: str) -> bool:
    """Whether ``path`` (relative to the output folder) is one the publisher may write."""
    return bool(_SAFE_PATH.match(path)) and ".." not in path.split("/")


def absolute_url(base_url: str, path: str) -> str:
    """The URL readers use for a file of the output folder (``base_url`` ends in ``/``)."""
    return base_url + path


def feed_stem(kind: str, slug: str) -> str:
    """A feed's path without its suffix: ``all``, ``sections/x``, ``authors/y``."""
    return "all" if kind == "all" else f"{kind}s/{slug}"


def sections_folder() -> str:
    """Where section feeds live (``sections/``): the scheme of entries' categories."""
    return feed_stem("section", "")


def feed_path(spec: FeedSpec, fmt: str) -> str:
    """Where the feed is written, relative to the output folder: ``sections/x.atom``."""
    return f"{spec.stem}.{fmt}"


def page_path(spec: FeedSpec) -> str:
    """The HTML page that goes with a feed (its ``rel=alternate``)."""
    return feed_page_path(spec.kind, spec.slug)


def feed_page_path(kind: str, slug: str) -> str:
    """The HTML page of the feed of that kind and slug: ``index.html`` for the main feed."""
    return INDEX if kind == "all" else f"{feed_stem(kind, slug)}.html"


def entry_page_path(slug: str) -> str:
    """The HTML page of one entry."""
    return f"{ENTRY_FOLDER}/{slug}.html"


def entry_pages(names: Sequence[str]) -> set[str]:
    """The entry pages among the names of the files in the entries folder."""
    return {f"{ENTRY_FOLDER}/{name}" for name in names if name.endswith(".html")}


def entry_page_slug(path: str) -> str | None:
    """``entries/x.html`` → ``x``; ``None`` for any other path."""
    folder, _, name = path.partition("/")
    if folder != ENTRY_FOLDER or "/" in name or not name.endswith(".html"):
        return None
    return name.removesuffix(".html")


def archive_path(spec: FeedSpec, page: int) -> str:
    """Archive page ``page`` (1 is the oldest) of a feed: ``archive/sections/x/3.atom``."""
    return f"{ARCHIVE_FOLDER}/{spec.stem}/{page}.atom"


def archive_place(path: str) -> tuple[str, int] | None:
    """``archive/sections/x/3.atom`` → ``("sections/x", 3)``; ``None`` for other paths."""
    if not path.startswith(f"{ARCHIVE_FOLDER}/") or not path.endswith(".atom"):
        return None
    stem, _, page = path.removeprefix(f"{ARCHIVE_FOLDER}/").removesuffix(".atom").rpartition("/")
    return (stem, int(page)) if stem and page.isdigit() else None


def opml_files(formats: Sequence[str]) -> dict[str, str]:
    """The OPML lists to write, each with the one format it lists: ``feeds.opml`` the
    Atom (else RSS) feeds, and ``feeds-json.opml`` the JSON Feeds when there are any.

    One outline per feed in each: a reader importing a list subscribes to each feed
    once, and OPML readers expect XML feeds behind ``type="rss"``.
    """
    files: dict[str, str] = {}
    xml = [f for f in formats if f != "json"]
    if xml:
        files["feeds.opml"] = xml[0]
    if "json" in formats:
        files["feeds-json.opml"] = "json"
    return files


def content_type(path: str) -> str:
    """The ``Content-Type`` a published file is served and uploaded with."""
    suffix = path[path.rfind(".") :] if "." in path.rpartition("/")[2] else ""
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def output_kind(path: str) -> str:
    """What a published file is to a reader following links, for the order of an upload
    and its caching: ``entry`` and ``archive`` pages (linked from feeds), ``feed``
    (subscription documents), ``list`` (the HTML pages and OPML lists that link feeds),
    ``asset`` (the stylesheet feeds name)."""
    if entry_page_slug(path) is not None:
        return "entry"
    if archive_place(path) is not None:
        return "archive"
    if path.endswith(FEED_SUFFIXES):
        return "feed"
    if path == STYLESHEET:
        return "asset"
    return "list"
