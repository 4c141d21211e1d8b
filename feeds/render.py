"""A ``FeedSpec`` and its entries → Atom 1.0 or RSS 2.0 bytes. The only user of feedgen. Pure.

feedgen's defaults are unsafe for a publisher that runs forever: it stamps
"now" into every feed and entry, prepends entries, drops name-only authors
from RSS and embeds its own version in ``<generator>``. Every one of those is
set explicitly here, so the same entries always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from feedgen.feed import FeedGenerator
from lxml import etree

from feeds.ids import tag_uri
from feeds.records import Entry, FeedSpec, Site

ATOM_NS = "{http://www.w3.org/2005/Atom}"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
HTML_TYPE = "text/html"
FEED_TYPES = {"atom": ATOM_TYPE, "rss": RSS_TYPE}
GENERATOR = "feeds"
# A feed with no entries still needs an <updated>; never "now", so it is stable.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_path(spec: FeedSpec, fmt: str) -> str:
    """Where the feed is written, relative to the output folder: ``sections/x.atom``."""
    return f"{spec.stem}.{fmt}"


def page_path(spec: FeedSpec) -> str:
    """The HTML page that goes with a feed (its ``rel=alternate``)."""
    return "index.html" if spec.kind == "all" else f"{spec.stem}.html"


def entry_page_path(slug: str) -> str:
    """The HTML page of one entry."""
    return f"entries/{slug}.html"


def feed_id(site: Site, spec: FeedSpec) -> str:
    """The permanent ``atom:id`` of a feed."""
    return tag_uri(site.tag_authority, site.tag_date, f"feed/{spec.stem}")


def feed_updated(entries: Sequence[Entry]) -> datetime:
    """A feed changes when its newest entry does: never the build time."""
    return max((e.updated for e in entries), default=EPOCH)


def entry_html(entry: Entry) -> str:
    """The article body as HTML paragraphs (escaped text)."""
    return "\n".join(f"<p>{escape(p, quote=False)}</p>" for p in entry.story.paragraphs)


def render_feed(fmt: str, spec: FeedSpec, entries: Sequence[Entry], site: Site) -> bytes:
    """The feed in ``fmt`` (``atom`` or ``rss``); ``entries`` in the order of ``spec.entry_ids``."""
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(feed_id(site, spec))
    fg.title(spec.title)
    fg.subtitle(spec.subtitle)
    # RFC 4287 4.1.1: a feed-level author, because teasers may have no byline.
    fg.author({"name": site.title})
    fg.link(href=site.url(feed_path(spec, fmt)), rel="self", type=FEED_TYPES[fmt])
    for hub in site.hubs:
        fg.link(href=hub, rel="hub")
    # Last: feedgen uses the last link added as the RSS channel <link>.
    fg.link(href=site.url(page_path(spec)), rel="alternate", type=HTML_TYPE)
    fg.language(site.language)
    fg.generator(GENERATOR)
    updated = feed_updated(entries)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for entry in entries:
        _add_entry(fg, entry, site)
    if fmt == "atom":
        return bytes(fg.atom_str(pretty=True))
    rss = bytes(fg.rss_str(pretty=True))
    return _with_rss_hubs(rss, site.hubs) if site.hubs else rss


def _with_rss_hubs(data: bytes, hubs: Sequence[str]) -> bytes:
    """Add ``<atom:link rel="hub">`` beside ``rel="self"``: feedgen drops hub links from RSS."""
    root = etree.fromstring(data)
    channel = root.find("channel")
    assert channel is not None  # feedgen always writes one
    self_link = channel.find(f"{ATOM_NS}link")
    assert self_link is not None  # render_feed always adds rel=self
    at = list(channel).index(self_link) + 1
    for offset, hub in enumerate(hubs):
        link = etree.Element(f"{ATOM_NS}link", href=hub, rel="hub")
        link.tail = self_link.tail
        channel.insert(at + offset, link)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _add_entry(fg: FeedGenerator, entry: Entry, site: Site) -> None:
    story = entry.story
    fe = fg.add_entry(order="append")
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
        scheme=site.url("sections/"),
    )
    fe.published(entry.published)
    fe.updated(entry.updated)
    fe.summary(story.summary)
    if story.kind == "article":
        fe.content(entry_html(entry), type="html")
