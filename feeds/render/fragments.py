"""An entry → its Atom ``<entry>``, RSS ``<item>`` and JSON Feed item, as bytes. Pure.

Every document that holds an entry carries the same bytes for it, so each is
built once per run (feedgen builds it, lxml serialises it as it would inside the
document) and, through the cache beside the store, kept for later runs:
``feeds.render.documents`` puts them between a document's head and tail.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import feedgen.version
from feedgen.entry import FeedEntry
from feedgen.ext.dc import DcEntryExtension
from lxml import etree

from feeds.address import MEDIA_TYPES, entry_page_path, sections_folder
from feeds.records import Entry, Site
from feeds.render.check import check_entry

ATOM_NS = "{http://www.w3.org/2005/Atom}"
_ATOM_ONLY: dict[str | None, str] = {None: "http://www.w3.org/2005/Atom"}
HTML_TYPE = MEDIA_TYPES["html"]
# Bump when the bytes of an entry fragment change for the same entry and site: fragments
# kept from earlier runs are then built again. The libraries' versions count too.
FRAGMENT_VERSION = "1"
_LIBRARIES = f"feedgen {feedgen.version.version_str} lxml {etree.__version__}"
Made = tuple[str, str, str, str, bytes]  # fmt, entry id, variant, digest, compressed bytes


def entry_html(entry: Entry) -> str:
    """The article body as HTML paragraphs (escaped text)."""
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in entry.story.paragraphs)


class EntryFragments:
    """Each entry's Atom ``<entry>``, RSS ``<item>`` and JSON Feed item, as the bytes every
    document holding it carries: built by feedgen and serialised once per run, or taken
    from an earlier run's (``offer``).

    An entry appears in several documents (all, its section, each author, and
    their archive pages); a document is its head, from feedgen, with these
    fragments put in place. Bounded, so a cold publish of a large corpus does
    not hold every entry at once. Fragments kept from earlier runs are offered
    keyed by (format, entry id, variant) with the digest of what they were made
    from; one whose digest is this entry's is used as it is, and every fragment
    built here is listed in ``made`` for the caller to keep.
    """

    def __init__(self, site: Site, size: int = 20_000, keep: bool = False) -> None:
        """Hold up to ``size`` fragments; with ``keep``, use those ``offer``-ed and list
        each one built in ``made`` (compressed), for a cache across runs."""
        self.site = site
        self._size = size
        self._keep = keep
        self._cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._kept: dict[tuple[str, str, str], tuple[str, bytes]] = {}
        self._entries: dict[str, str] = {}  # entry id → digest: 64 bytes an entry
        # Everything a fragment's bytes depend on besides its entry and format.
        self._basis = hashlib.sha256(f"{FRAGMENT_VERSION}|{_LIBRARIES}|{site!r}".encode())
        self.made: list[Made] = []
        self.reused = 0

    def offer(self, kept: Mapping[tuple[str, str, str], tuple[str, bytes]]) -> None:
        """Fragments kept from earlier runs (compressed), for the entries about to be rendered;
        replaces the last offer, so only a batch's worth is held."""
        self._kept = dict(kept)

    def take_made(self) -> list[Made]:
        """The fragments built since the last call: (fmt, entry id, variant, digest,
        compressed bytes)."""
        made, self.made = self.made, []
        return made

    def fragment(
        self, fmt: str, entry: Entry, nsmap: Mapping[str | None, str], path: str | None
    ) -> bytes:
        """The entry in ``fmt``, indented as in a document whose root declares ``nsmap``;
        checked (``path`` names the document) the first time it is built."""
        if fmt == "atom":
            # An Atom entry uses no prefix: the history and tombstone namespaces that some
            # documents declare cannot change its bytes, so every document shares one.
            nsmap = _ATOM_ONLY
        variant = "" if fmt == "json" else _variant(nsmap)
        key = (fmt, entry.id, variant)
        found = self._cache.get(key)
        if found is None:
            found = self._build(fmt, entry, variant, lambda: self._make(fmt, entry, nsmap, path))
            self._cache[key] = found
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return found

    def page(self, entry: Entry, variant: str, render: Callable[[Entry], bytes]) -> bytes:
        """The entry's HTML page: ``render(entry)``, or the page kept from an earlier run
        when ``variant`` (the templates' fingerprint) and the entry are the same. Each page is
        needed once a run, so none is held here."""
        return self._build("page", entry, variant, lambda: render(entry))

    def _build(self, fmt: str, entry: Entry, variant: str, make: Callable[[], bytes]) -> bytes:
        if not self._keep:
            return make()
        digest = self._basis.copy()
        digest.update(f"|{fmt}|{variant}|{self._entry_digest(entry)}".encode())
        hexdigest = digest.hexdigest()
        kept = self._kept.get((fmt, entry.id, variant))
        if kept is not None and kept[0] == hexdigest:
            try:
                data = zlib.decompress(kept[1])
            except zlib.error:  # a damaged cache: build it again
                pass
            else:
                self.reused += 1
                return data
        data = make()
        self.made.append((fmt, entry.id, variant, hexdigest, zlib.compress(data, 1)))
        return data

    def _entry_digest(self, entry: Entry) -> str:
        """A digest of everything in the entry (its repr: every field, the story's text
        included), computed once per entry id: a repr costs more than taking a kept
        fragment, and within one run (one instance) an id always has the same entry."""
        found = self._entries.get(entry.id)
        if found is None:
            found = hashlib.sha256(repr(entry).encode()).hexdigest()
            self._entries[entry.id] = found
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
            data = pretty_bytes(wrapper)
            return data[data.index(b"\n") + 1 : data.rindex(b"</feed>")]
        wrapper = etree.Element("rss", nsmap=dict(nsmap))
        etree.SubElement(wrapper, "channel").append(element)
        data = pretty_bytes(wrapper)
        return data[data.index(b"<channel>\n") + len(b"<channel>\n") : data.rindex(b"  </channel>")]


def _variant(nsmap: Mapping[str | None, str]) -> str:
    """A short name for the namespaces a document's root declares (an RSS item is
    serialised with the prefixes in scope)."""
    text = repr(sorted(nsmap.items(), key=str))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pretty_bytes(element: etree._Element) -> bytes:
    return bytes(
        etree.tostring(element, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    )


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
