"""A cheap structural check of each rendered feed, run before it may replace the published one.

lxml only (microseconds per entry): well-formed, the elements RFC 4287 and
RSS 2.0 require, and ids unique within the document. feedparser, the reader's
view, is far slower and lives in ``feeds check``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from lxml import etree

from feeds.errors import PublishError

ATOM = "{http://www.w3.org/2005/Atom}"


def check_feed(fmt: str, data: bytes, path: str) -> None:
    """Raise ``PublishError`` naming ``path`` if the feed is not fit to publish."""
    if fmt == "json":
        problem = json_feed_problem(data)
        if problem:
            raise PublishError(f"{path}: {problem}")
        return
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as err:
        raise PublishError(f"{path}: not well-formed XML: {err}") from err
    check_tree(fmt, root, path)


def check_tree(fmt: str, root: etree._Element, path: str) -> None:
    """``check_feed`` for an Atom or RSS document still in memory, before it is serialised."""
    problem = _atom_problem(root) if fmt == "atom" else _rss_problem(root)
    if problem:
        raise PublishError(f"{path}: {problem}")


def _atom_children(parent: etree._Element, name: str) -> list[etree._Element]:
    """Children named ``name`` in Atom's namespace. In a tree still in memory, feedgen's
    entries (and their children) have no namespace: they take Atom's default one only when
    serialised, so those count too."""
    return list(parent.iterchildren(ATOM + name, name))


def _one(parent: etree._Element, tag: str, where: str) -> str | None:
    name = tag.rsplit("}", 1)[-1]
    found = _atom_children(parent, name) if tag.startswith(ATOM) else parent.findall(tag)
    if len(found) != 1 or not (found[0].text or "").strip():
        return f"{where} must have exactly one non-empty <{name}> (has {len(found)})"
    return None


def _atom_problem(root: etree._Element) -> str | None:
    return _atom_head_problem(root) or _duplicate(
        _atom_children(root, "entry"), atom_entry_problem, _atom_id, "entry id"
    )


def _atom_head_problem(root: etree._Element) -> str | None:
    if root.tag != f"{ATOM}feed":
        return f"root element is <{etree.QName(root).localname}>, not an Atom feed"
    for tag in ("id", "title", "updated"):
        if problem := _one(root, ATOM + tag, "feed"):
            return problem
    if not any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link")):
        return 'feed has no <link rel="self">'
    if root.find(f"{ATOM}author/{ATOM}name") is None:
        return "feed has no <author> (entries without a byline need one)"
    return None


def _atom_id(entry: etree._Element) -> str:
    found = _atom_children(entry, "id")
    return (found[0].text or "").strip() if found else ""


def atom_entry_problem(entry: etree._Element) -> str | None:
    """What makes one ``<entry>`` unfit to publish, if anything."""
    for tag in ("id", "title", "updated"):
        if problem := _one(entry, ATOM + tag, "entry"):
            return problem
    if not _atom_children(entry, "content") and not _atom_children(entry, "link"):
        return f"entry {_atom_id(entry)} has neither content nor a link"
    return None


def _duplicate(
    elements: list[etree._Element],
    problem_of: Callable[[etree._Element], str | None],
    id_of: Callable[[etree._Element], str],
    what: str,
) -> str | None:
    """The first element's problem, or the first id seen twice."""
    seen: set[str] = set()
    for element in elements:
        if problem := problem_of(element):
            return problem
        element_id = id_of(element)
        if element_id in seen:
            return f"duplicate {what} {element_id}"
        seen.add(element_id)
    return None


def _rss_problem(root: etree._Element) -> str | None:
    problem = _rss_head_problem(root)
    if problem is not None:
        return problem
    channel = root.find("channel")
    assert channel is not None  # checked with the head
    items = channel.findall("item")
    return _duplicate(items, rss_item_problem, lambda i: i.findtext("guid") or "", "item guid")


def _rss_head_problem(root: etree._Element) -> str | None:
    if root.tag != "rss" or root.get("version") != "2.0":
        return 'root element is not <rss version="2.0">'
    channel = root.find("channel")
    if channel is None:
        return "no <channel>"
    for tag in ("title", "link", "description"):
        if problem := _one(channel, tag, "channel"):
            return problem
    return None


def rss_item_problem(item: etree._Element) -> str | None:
    """What makes one ``<item>`` unfit to publish, if anything."""
    if problem := _one(item, "guid", "item"):
        return problem
    if item.find("title") is None and item.find("description") is None:
        return f"item {item.findtext('guid')} has neither title nor description"
    return None


def check_head(fmt: str, root: etree._Element, path: str) -> None:
    """The document-level half of ``check_tree``, for a document assembled from checked
    entries (``check_entry``); its ids are checked for duplicates by the caller."""
    problem = _atom_head_problem(root) if fmt == "atom" else _rss_head_problem(root)
    if problem:
        raise PublishError(f"{path}: {problem}")


def check_entry(fmt: str, element: etree._Element, path: str) -> None:
    """The entry-level half of ``check_tree``: one ``<entry>`` or ``<item>``."""
    problem = atom_entry_problem(element) if fmt == "atom" else rss_item_problem(element)
    if problem:
        raise PublishError(f"{path}: {problem}")


def json_feed_problem(data: bytes) -> str | None:
    """What breaks the JSON Feed 1.1 rules (https://jsonfeed.org/version/1.1), if anything."""
    try:
        feed = json.loads(data)
    except ValueError as err:
        return f"not JSON: {err}"
    if not isinstance(feed, dict):
        return "top level is not an object"
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        return "version must be https://jsonfeed.org/version/1.1"
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        return "title must be a non-empty string"
    items = feed.get("items")
    if not isinstance(items, list):
        return "items must be an array"
    for key in ("home_page_url", "feed_url", "description", "language"):
        if key in feed and not isinstance(feed[key], str):
            return f"{key} must be a string"
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            return f"item {number} is not an object"
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            return f"item {number}: id must be a non-empty string"
        if item_id in seen:
            return f"duplicate item id {item_id}"
        seen.add(item_id)
        if not any(isinstance(item.get(k), str) for k in ("content_html", "content_text")):
            return f"item {item_id}: needs content_html or content_text"
        for key in ("date_published", "date_modified"):
            if key in item and not _rfc3339(item[key]):
                return f"item {item_id}: {key} is not an RFC 3339 date-time"
        authors = item.get("authors", [])
        if not isinstance(authors, list) or not all(
            isinstance(a, dict) and isinstance(a.get("name"), str) for a in authors
        ):
            return f"item {item_id}: authors must be objects with a name"
        tags = item.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            return f"item {item_id}: tags must be strings"
    return None


def _rfc3339(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None
