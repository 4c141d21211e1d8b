"""A ``FeedSpec`` and its entries → Atom 1.0 or RSS 2.0 bytes. The only user of feedgen. Pure.

feedgen's defaults are unsafe for a publisher that runs forever: it stamps
"now" into every feed and entry, prepends entries, drops name-only authors
from RSS and embeds its own version in ``<generator>``. Every one of those is
set explicitly here, so the same entries always give the same bytes.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any, Protocol

from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feeds.address import (
    MEDIA_TYPES,
    archive_path,
    entry_page_path,
    feed_path,
    page_path,
    sections_folder,
)
from feeds.errors import PublishError
from feeds.ids import tag_uri
from feeds.records import Entry, FeedSpec, History, Site
from feeds.render.check import check_entry, check_feed, check_head

ATOM_NS = "{http://www.w3.org/2005/Atom}"
_ATOM_ONLY: dict[str | None, str] = {None: "http://www.w3.org/2005/Atom"}
FH_NS = "http://purl.org/syndication/history/1.0"
AT_NS = "http://purl.org/atompub/tombstones/1.0"
HTML_TYPE = MEDIA_TYPES["html"]
FEED_TYPES = {fmt: MEDIA_TYPES[fmt] for fmt in ("atom", "rss", "json")}
GENERATOR = "feeds"
# A feed with no entries still needs an <updated>; never "now", so it is stable.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_id(site: Site, spec: FeedSpec) -> str:
    """The permanent ``atom:id`` of a feed: the one stored for it, else minted from the site."""
    return spec.id or tag_uri(site.tag_authority, site.tag_date, f"feed/{spec.stem}")


def feed_updated(entries: Sequence[Entry]) -> datetime:
    """A feed changes when its newest entry does: never the build time."""
    return max((e.updated for e in entries), default=EPOCH)


def entry_html(entry: Entry) -> str:
    """The article body as HTML paragraphs (escaped text)."""
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in entry.story.paragraphs)


class KeptFragments(Protocol):
    """Fragments kept from earlier runs (``feeds.store.fragments.FragmentCache``)."""

    def get(self, fmt: str, entry: Entry, variant: str) -> bytes | None: ...

    def add(self, fmt: str, entry: Entry, variant: str, data: bytes) -> None: ...


class EntryFragments:
    """Each entry's Atom ``<entry>``, RSS ``<item>`` and JSON Feed item, as the bytes every
    document holding it carries: built by feedgen and serialised once per run.

    An entry appears in several documents (all, its section, each author, and
    their archive pages); a document is its head, from feedgen, with these
    fragments put in place. Bounded, so a cold publish of a large corpus does
    not hold every entry at once.
    """

    def __init__(self, site: Site, size: int = 20_000) -> None:
        self.site = site
        self._size = size
        self._cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self.kept: KeptFragments | None = None  # consulted before building one

    def fragment(
        self, fmt: str, entry: Entry, nsmap: Mapping[str | None, str], path: str | None
    ) -> bytes:
        """The entry in ``fmt``, indented as in a document whose root declares ``nsmap``;
        checked (``path`` names the document) the first time it is built."""
        if fmt == "atom":
            # An Atom entry uses no prefix: the history and tombstone namespaces that some
            # documents declare cannot change its bytes, so every document shares one.
            nsmap = _ATOM_ONLY
        variant = repr(sorted(nsmap.items(), key=str))
        key = (fmt, entry.id, variant)
        found = self._cache.get(key)
        if found is None:
            found = self.kept.get(fmt, entry, variant) if self.kept is not None else None
            if found is None:
                found = self._make(fmt, entry, nsmap, path)
                if self.kept is not None:
                    self.kept.add(fmt, entry, variant, found)
            self._cache[key] = found
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found

    def _make(
        self, fmt: str, entry: Entry, nsmap: Mapping[str | None, str], path: str | None
    ) -> bytes:
        if fmt == "json":
            text = json.dumps(_json_item(entry, self.site), ensure_ascii=False, indent=2)
            # An item sits two levels deep in the document; JSON strings hold no newline.
            return "\n".join("    " + line for line in text.split("\n")).encode("utf-8")
        fe = FeedEntry()
        fe.register_extension("dc", DcEntryExtension, atom=False, rss=True)
        _fill_entry(fe, entry, self.site)
        element = fe.atom_entry() if fmt == "atom" else fe.rss_entry()
        if path is not None:
            check_entry(fmt, element, path)
        # Serialised inside an empty document of the same shape, so lxml indents it as
        # it would inside the real one, then cut out.
        if fmt == "atom":
            wrapper = etree.Element(f"{ATOM_NS}feed", nsmap=dict(nsmap))
            wrapper.append(element)
            data = _pretty(wrapper)
            return data[data.index(b"\n") + 1 : data.rindex(b"</feed>")]
        wrapper = etree.Element("rss", nsmap=dict(nsmap))
        etree.SubElement(wrapper, "channel").append(element)
        data = _pretty(wrapper)
        return data[data.index(b"<channel>\n") + len(b"<channel>\n") : data.rindex(b"  </channel>")]


def _pretty(element: etree._Element) -> bytes:
    return bytes(
        etree.tostring(element, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    )


def render_feed(
    fmt: str,
    spec: FeedSpec,
    entries: Sequence[Entry],
    site: Site,
    history: History | None = None,
    fragments: EntryFragments | None = None,
    check_as: str | None = None,
) -> bytes:
    """The feed in ``fmt`` (``atom``, ``rss`` or ``json``), entries in ``spec.entry_ids`` order.

    With ``check_as`` (the file's path), the document is checked before it is
    serialised, and ``PublishError`` names that path if it is not fit to publish.
    """
    fragments = fragments or EntryFragments(site, size=len(entries) * 3)
    if check_as is not None:
        _check_ids(entries, check_as, "entry id" if fmt == "atom" else "item guid")
    if fmt == "json":
        data = render_json_feed(spec, entries, site, fragments)
        if check_as is not None:
            check_feed(fmt, data, check_as)
        return data
    history = history or History()
    self_path = feed_path(spec, fmt) if history.page is None else archive_path(spec, history.page)
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(feed_id(site, spec) + ("" if history.page is None else f"/archive/{history.page}"))
    fg.title(spec.title)
    fg.subtitle(spec.subtitle)
    # RFC 4287 4.1.1: a feed-level author, because teasers may have no byline.
    fg.author({"name": site.title})
    fg.link(href=site.url(self_path), rel="self", type=FEED_TYPES[fmt])
    for hub in site.hubs:
        fg.link(href=hub, rel="hub")
    # Last: feedgen uses the last link added as the RSS channel <link>.
    fg.link(href=site.url(page_path(spec)), rel="alternate", type=HTML_TYPE)
    fg.language(site.language)
    fg.generator(GENERATOR)
    updated = max(feed_updated(entries), history.updated or EPOCH)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    # The document without entries from feedgen, then each entry's fragment, in order.
    if fmt == "atom":
        root = _finish_atom(_tree(bytes(fg.atom_str())), spec, site, history)
        end = b"</feed>\n"
    else:
        root = _tree(bytes(fg.rss_str()))
        _finish_rss(root, site)
        end = b"  </channel>\n</rss>\n"
    if check_as is not None:
        check_head(fmt, root, check_as)
    head = _serialise(root, site)
    if not entries:
        return head
    prefix = _open_document(head, fmt)
    body = b"".join(fragments.fragment(fmt, e, root.nsmap, check_as) for e in entries)
    return prefix + body + end


def _open_document(head: bytes, fmt: str) -> bytes:
    """A serialised document without entries, cut where its entries go."""
    if fmt == "atom":
        assert head.endswith(b"</feed>\n")
        return head[: -len(b"</feed>\n")]
    # An RSS channel with no item closes like any other: "  </channel>\n</rss>\n".
    assert head.endswith(b"  </channel>\n</rss>\n")
    return head[: -len(b"  </channel>\n</rss>\n")]


def _check_ids(entries: Sequence[Entry], path: str, what: str) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise PublishError(f"{path}: duplicate {what} {entry.id}")
        seen.add(entry.id)


def _tree(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=True))


def _serialise(root: etree._Element, site: Site) -> bytes:
    if site.stylesheet:
        # Browsers render the feed through it; feed readers ignore processing instructions.
        pi = etree.ProcessingInstruction(
            "xml-stylesheet", f'type="text/xsl" href="{site.stylesheet}"'
        )
        root.addprevious(pi)
    tree = root.getroottree()
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _finish_atom(
    parsed: etree._Element, spec: FeedSpec, site: Site, history: History
) -> etree._Element:
    """Add what feedgen cannot write: RFC 5005 history and RFC 6721 tombstones.

    Both are extension elements, which RFC 4287 (Appendix B) puts before the first
    ``<entry>``; each namespace is declared only in documents that use it.
    """
    nsmap = dict(parsed.nsmap)
    if history.page is not None or history.complete:
        nsmap["fh"] = FH_NS
    if history.tombstones:
        nsmap["at"] = AT_NS
    root = etree.Element(parsed.tag, attrib=dict(parsed.attrib), nsmap=nsmap)
    root.extend(list(parsed))
    first_link = root.find(f"{ATOM_NS}link")
    assert first_link is not None  # render_feed always adds rel=self
    at = list(root).index(first_link) + 1
    extra: list[etree._Element] = []
    if history.page is not None:
        extra.append(etree.Element(f"{{{FH_NS}}}archive"))
        extra.append(
            etree.Element(f"{ATOM_NS}link", href=site.url(feed_path(spec, "atom")), rel="current")
        )
    elif history.complete:
        extra.append(etree.Element(f"{{{FH_NS}}}complete"))
    for rel, path in (
        ("prev-archive", history.prev_archive),
        ("next-archive", history.next_archive),
    ):
        if path:
            extra.append(etree.Element(f"{ATOM_NS}link", href=site.url(path), rel=rel))
    for offset, element in enumerate(extra):
        root.insert(at + offset, element)
    # feedgen builds entries without a namespace (they inherit Atom's default one when
    # serialised), so the first entry is found by its local name.
    children = [etree.QName(child).localname for child in root]
    before = children.index("entry") if "entry" in children else len(children)
    for offset, (ref, when) in enumerate(history.tombstones):
        tomb = etree.Element(f"{{{AT_NS}}}deleted-entry", ref=ref, when=when.isoformat())
        root.insert(before + offset, tomb)
    return root


def _finish_rss(root: etree._Element, site: Site) -> None:
    """Add ``<atom:link rel="hub">`` beside ``rel="self"`` (feedgen drops hub links from RSS)."""
    channel = root.find("channel")
    assert channel is not None  # feedgen always writes one
    self_link = channel.find(f"{ATOM_NS}link")
    assert self_link is not None  # render_feed always adds rel=self
    at = list(channel).index(self_link) + 1
    for offset, hub in enumerate(site.hubs):
        channel.insert(at + offset, etree.Element(f"{ATOM_NS}link", href=hub, rel="hub"))


def render_json_feed(
    spec: FeedSpec, entries: Sequence[Entry], site: Site, fragments: EntryFragments | None = None
) -> bytes:
    """JSON Feed 1.1, with the same ids as the Atom and RSS feeds."""
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": spec.title,
        "home_page_url": site.url(page_path(spec)),
        "feed_url": site.url(feed_path(spec, "json")),
        "description": spec.subtitle,
        "language": site.language,
        "authors": [{"name": site.title}],
    }
    if site.hubs:
        feed["hubs"] = [{"type": "WebSub", "url": hub} for hub in site.hubs]
    feed["items"] = []
    head = json.dumps(feed, ensure_ascii=False, indent=2).encode("utf-8")
    if not entries:
        return head + b"\n"
    fragments = fragments or EntryFragments(site, size=len(entries))
    items = b",\n".join(fragments.fragment("json", e, {}, None) for e in entries)
    assert head.endswith(b"[]\n}")
    return head[: -len(b"[]\n}")] + b"[\n" + items + b"\n  ]\n}\n"


def _json_item(entry: Entry, site: Site) -> dict[str, Any]:
    story = entry.story
    item: dict[str, Any] = {
        "id": entry.id,
        "url": site.url(entry_page_path(entry.slug)),
        "title": story.headline,
        "summary": story.summary,
    }
    if story.kind == "article":
        item["content_html"] = entry_html(entry)
    else:
        item["content_text"] = story.summary
    item["date_published"] = entry.published.isoformat()
    item["date_modified"] = entry.updated.isoformat()
    if story.authors:
        item["authors"] = [{"name": a.name} for a in story.authors]
    item["tags"] = [site.section_name(story.section.slug, story.section.name)]
    return item


def _fill_entry(fe: FeedEntry, entry: Entry, site: Site) -> None:
    story = entry.story
    fe.id(entry.id)  # also the RSS <guid isPermaLink="false">
    fe.title(story.headline)
    fe.link(href=site.url(entry_page_path(entry.slug)), rel="alternate", type=HTML_TYPE)
    names = [a.name for a in story.authors]
    for name in names:
        fe.author({"name": name})
    if names:
        # RSS <author> must be an e-mail address; names go in dc:creator.
        fe.dc.dc_creator(names)
    section = story.section
    fe.category(
        term=section.slug,
        label=site.section_name(section.slug, section.name),
        scheme=site.url(sections_folder()),
    )
    fe.published(entry.published)
    fe.updated(entry.updated)
    fe.summary(story.summary)
    if story.kind == "article":
        fe.content(entry_html(entry), type="html")
