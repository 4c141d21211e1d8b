"""The page a browser sees when it opens a feed: ``feed.xsl`` applied on the server.

Feeds carry an ``xml-stylesheet`` instruction so that a browser shows a page
instead of raw XML, but browsers are removing XSLT (Chromium already puts a
warning banner over such pages). ``feeds serve`` therefore applies the same
stylesheet itself when a request prefers HTML to the feed's own media type,
and feed readers, which ask for feeds, keep getting the feed's bytes.
"""

from __future__ import annotations

import hashlib
import io
from importlib import resources

from lxml import etree

from feeds.errors import FeedsError

# The feeds a browser may be shown as a page.
_SUFFIXES = (".atom", ".rss")
# A client that ranks any of these at least as high as HTML is a feed reader, whichever
# format it opened: it gets the feed.
_FEED_TYPES = (
    "application/atom+xml",
    "application/rss+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
_HTML = "text/html"


def _media_ranges(accept: str) -> dict[str, float]:
    """``Accept`` as {media range: q} (RFC 9110 12.5.1); a bad ``q`` counts as 0."""
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        if not name:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges[name.lower()] = q
    return ranges


def _quality(ranges: dict[str, float], media: str) -> float:
    """The q a request gives ``media``: from the most specific range that matches it."""
    major = media.split("/")[0]
    for candidate in (media, f"{major}/*", "*/*"):
        if candidate in ranges:
            return ranges[candidate]
    return 0.0


def prefers_html(accept: str, suffix: str) -> bool:
    """True when ``Accept`` ranks ``text/html`` above every feed and XML type.

    Browsers send ``text/html`` first; feed readers name feed types first (or send
    ``*/*``, or nothing), and a tie goes to the feed.
    """
    if suffix not in _SUFFIXES or not accept:
        return False
    ranges = _media_ranges(accept)
    html = _quality(ranges, _HTML)
    feed = max(_quality(ranges, media) for media in _FEED_TYPES)
    return html > feed


class FeedPageError(FeedsError):
    """A published feed file that is not XML the stylesheet can read."""


class FeedPage:
    """``feed.xsl``, compiled once, turning feed bytes into an HTML page."""

    SUFFIXES = _SUFFIXES

    def __init__(self) -> None:
        source = (resources.files("feeds.render") / "templates" / "feed.xsl").read_bytes()
        self.version = hashlib.sha256(source).hexdigest()[:8]
        self._parser = etree.XMLParser(resolve_entities=False, no_network=True)
        # Our own stylesheet over our own files: still, it may read nothing else.
        self._transform = etree.XSLT(
            etree.fromstring(source, self._parser),
            access_control=etree.XSLTAccessControl.DENY_ALL,
        )

    def render(self, feed: bytes) -> bytes:
        """The HTML page for one Atom or RSS document (UTF-8)."""
        try:
            page = self._transform(etree.fromstring(feed, self._parser))
        except (etree.XMLSyntaxError, etree.XSLTApplyError) as exc:
            raise FeedPageError(str(exc)) from exc
        out = io.BytesIO()
        page.write_output(out)  # serialised as <xsl:output> says: HTML, UTF-8
        return out.getvalue()
