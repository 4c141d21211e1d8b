"""A cheap structural check of each rendered feed, run before it may replace the published one.

lxml only (microseconds per entry): well-formed, the elements RFC 4287 and
RSS 2.0 require, and ids unique within the document. feedparser, the reader's
view, is far slower and lives in ``feeds check``.
"""

from __future__ import annotations

from lxml import etree

from feeds.errors import PublishError

ATOM = "{http://www.w3.org/2005/Atom}"


def check_feed(fmt: str, data: bytes, path: str) -> None:
    """Raise ``PublishError`` naming ``path`` if the feed is not fit to publish."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as err:
        raise PublishError(f"{path}: not well-formed XML: {err}") from err
    problem = _atom_problem(root) if fmt == "atom" else _rss_problem(root)
    if problem:
        raise PublishError(f"{path}: {problem}")


def _one(parent: etree._Element, tag: str, where: str) -> str | None:
    found = parent.findall(tag)
    if len(found) != 1 or not (found[0].text or "").strip():
        name = tag.rsplit("}", 1)[-1]
        return f"{where} must have exactly one non-empty <{name}> (has {len(found)})"
    return None


def _atom_problem(root: etree._Element) -> str | None:
    if root.tag != f"{ATOM}feed":
        return f"root element is <{etree.QName(root).localname}>, not an Atom feed"
    for tag in ("id", "title", "updated"):
        if problem := _one(root, ATOM + tag, "feed"):
            return problem
    if not any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link")):
        return 'feed has no <link rel="self">'
    if root.find(f"{ATOM}author/{ATOM}name") is None:
        return "feed has no <author> (entries without a byline need one)"
    seen: set[str] = set()
    for entry in root.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated"):
            if problem := _one(entry, ATOM + tag, "entry"):
                return problem
        entry_id = entry.findtext(f"{ATOM}id") or ""
        if entry_id in seen:
            return f"duplicate entry id {entry_id}"
        seen.add(entry_id)
        if entry.find(f"{ATOM}content") is None and entry.find(f"{ATOM}link") is None:
            return f"entry {entry_id} has neither content nor a link"
    return None


def _rss_problem(root: etree._Element) -> str | None:
    if root.tag != "rss" or root.get("version") != "2.0":
        return 'root element is not <rss version="2.0">'
    channel = root.find("channel")
    if channel is None:
        return "no <channel>"
    for tag in ("title", "link", "description"):
        if problem := _one(channel, tag, "channel"):
            return problem
    seen: set[str] = set()
    for item in channel.findall("item"):
        if problem := _one(item, "guid", "item"):
            return problem
        guid = item.findtext("guid") or ""
        if guid in seen:
            return f"duplicate item guid {guid}"
        seen.add(guid)
        if item.find("title") is None and item.find("description") is None:
            return f"item {guid} has neither title nor description"
    return None
