"""HTML pages (Jinja2, autoescaped) and the OPML subscription list (lxml). Pure.

Every link in a feed resolves to one of these: an entry's page, each feed's
listing page, and ``index.html`` with autodiscovery ``<link>`` tags.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from typing import NamedTuple

import jinja2
import markupsafe
from lxml import etree

from feeds.address import (
    INDEX,
    entry_page_path,
    feed_page_path,
    feed_path,
    feed_stem,
    page_path,
)
from feeds.records import Entry, FeedSpec, Site
from feeds.render.documents import FEED_TYPES, entry_html

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


_GROUPS = (("Everything", "all"), ("Sections", "section"), ("Authors", "author"))


class FeedLink(NamedTuple):
    """Enough of a feed to link to it."""

    stem: str
    title: str


def _day(value: datetime) -> str:
    # Spelled out here: strftime("%B") follows the process locale.
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between processes (a cron publish is a new one each minute),
    in Jinja2's per-user temporary folder; keyed by the template's source, so an edited
    template is compiled again. A cache that cannot be written is no cache, not an error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no safe temporary folder: compile each time
        return None


@functools.lru_cache(maxsize=4)
def _environment(site: Site) -> jinja2.Environment:
    # One per site, kept: the daemon renders every few seconds, and compiling the
    # templates again each time would cost more than rendering a change.
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("feeds.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # The templates ship with the package: never stat them again on each page.
        auto_reload=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["day"] = _day

    # A feed's alternate links are the same on every page that discovers it: built once
    # per feed, not once per page (they were most of an entry page's cost).
    @functools.lru_cache(maxsize=4096)
    def alternates(stem: str, title: str) -> markupsafe.Markup:
        return markupsafe.Markup(alternate_links.render(stem=stem, title=title))

    env.globals.update(
        site=site,
        feed_types=FEED_TYPES,
        feed_page=page_path,
        page_of=feed_page_path,
        entry_page=entry_page_path,
        index_page=INDEX,
    )
    alternate_links = env.get_template("_alternates.html")
    env.globals["alternates"] = alternates
    return env


class PageRenderer:
    """Renders the site's HTML pages from one template environment."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._env = _environment(site)

    def _render(self, template: str, **context: object) -> bytes:
        return self._env.get_template(template).render(**context).encode("utf-8")

    def index(self, specs: Sequence[FeedSpec], latest: Sequence[Entry]) -> bytes:
        """``index.html``: every feed, grouped, with autodiscovery tags, and the latest entries."""
        groups = [
            ("Everything", [s for s in specs if s.kind == "all"]),
            ("Sections", [s for s in specs if s.kind == "section"]),
            ("Authors", [s for s in specs if s.kind == "author"]),
        ]
        return self._render(
            "index.html", groups=[g for g in groups if g[1]], discover=specs, entries=latest
        )

    def listing(self, spec: FeedSpec, entries: Sequence[Entry]) -> bytes:
        """A section's or author's page: its feed links and entries."""
        return self._render("listing.html", feed=spec, discover=[spec], entries=entries)

    def stylesheet(self) -> bytes:
        """The XSLT that renders any of our Atom or RSS feeds as a page, for browsers."""
        return (resources.files("feeds.render") / "templates" / "feed.xsl").read_bytes()

    def entry(self, entry: Entry) -> bytes:
        """One entry's page, discovering its section's and authors' feeds."""
        story = entry.story
        section_name = self.site.section_name(story.section.slug, story.section.name)
        discover = [
            FeedLink(
                feed_stem("section", story.section.slug), f"{section_name} · {self.site.title}"
            )
        ]
        discover += [
            FeedLink(feed_stem("author", a.slug), f"{a.name} · {self.site.title}")
            for a in story.authors
        ]
        # The body is the same escaped HTML the feeds carry, built once, not per paragraph here.
        body = markupsafe.Markup(entry_html(entry)) if story.kind == "article" else ""
        return self._render(
            "entry.html", entry=entry, section_name=section_name, discover=discover, body=body
        )


def render_opml(specs: Sequence[FeedSpec], site: Site, fmt: str) -> bytes:
    """An OPML 2.0 list with one outline per feed in ``fmt``, grouped, to import them all."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    title = site.title if fmt != "json" else f"{site.title} (JSON Feed)"
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(opml, "body")
    for group, kind in _GROUPS:
        members = [s for s in specs if s.kind == kind]
        if not members:
            continue
        outline = etree.SubElement(body, "outline", text=group, title=group)
        for spec in members:
            etree.SubElement(
                outline,
                "outline",
                type="rss",
                text=spec.title,
                title=spec.title,
                xmlUrl=site.url(feed_path(spec, fmt)),
                htmlUrl=site.url(page_path(spec)),
            )
    return bytes(etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True))
