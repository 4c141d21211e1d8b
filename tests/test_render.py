"""Rendering: feedgen's unsafe defaults (now, prepend, dropped authors, version) never leak."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import feedparser
import pytest
from lxml import etree

from feeds.errors import PublishError
from feeds.publish.plan import feed_spec
from feeds.records import Author, Entry, FeedSpec, History, MergedStory, Section, Site
from feeds.render.documents import feed_updated, render_feed

SITE = Site("Site", "https://example.org/", "example.org", "2019", "en", ("atom", "rss"))
SECTION = Section("News", "news")


def entry(n: int, updated_day: int, authors: tuple[Author, ...] = ()) -> Entry:
    story = MergedStory(
        kind="article" if n % 2 else "teaser",
        key=f"k{n}",
        headline=f"Headline {n} <&>",
        section=SECTION,
        authors=authors,
        date=date(2020, 1, n),
        summary=f"Summary {n}",
        paragraphs=(f"Para {n} <b>",) if n % 2 else (),
        sources=("a.txt",),
        origin="a.txt" if n % 2 else None,
    )
    when = datetime(2020, 1, n, tzinfo=UTC)
    return Entry(
        id=f"tag:example.org,2019:entry/e{n}",
        slug=f"e{n}",
        story=story,
        content_hash=str(n),
        first_seen=when,
        published=when,
        updated=datetime(2020, 2, updated_day, tzinfo=UTC),
    )


ENTRIES = [entry(1, 5, (Author("Ann", "ann"), Author("Bo", "bo"))), entry(2, 9), entry(3, 7)]


def spec_for(entries: list[Entry]) -> FeedSpec:
    # Newest updated first: e2 (9 Feb), e3 (7 Feb), e1 (5 Feb).
    ordered = [entries[1], entries[2], entries[0]]
    return feed_spec(
        "all",
        "all",
        "",
        3,
        site_title="Site",
        section_name=lambda slug, name: name,
        entry_ids=[e.id for e in ordered],
    )


def test_entries_in_spec_order_and_dates_from_data_only() -> None:
    spec = spec_for(ENTRIES)
    by_id = {e.id: e for e in ENTRIES}
    for fmt in ("atom", "rss"):
        data = render_feed(fmt, spec, [by_id[i] for i in spec.entry_ids], SITE)
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0
        assert [e.id for e in parsed.entries] == list(spec.entry_ids)
        # No build time anywhere: every date in the document is one we set (2020).
        assert b"2026" not in data and str(datetime.now(UTC).year).encode() not in data
    atom = feedparser.parse(render_feed("atom", spec, [by_id[i] for i in spec.entry_ids], SITE))
    assert atom.feed.updated == "2020-02-09T00:00:00+00:00"
    assert [e.updated for e in atom.entries] == [
        "2020-02-09T00:00:00+00:00",
        "2020-02-07T00:00:00+00:00",
        "2020-02-05T00:00:00+00:00",
    ]


def test_generator_has_no_dependency_version() -> None:
    spec = spec_for(ENTRIES)
    root = etree.fromstring(render_feed("atom", spec, ENTRIES, SITE))
    (generator,) = root.findall("{http://www.w3.org/2005/Atom}generator")
    assert generator.text == "feeds" and generator.attrib == {}


def test_name_only_authors_survive_in_rss() -> None:
    spec = spec_for(ENTRIES)
    root = etree.fromstring(render_feed("rss", spec, ENTRIES, SITE))
    creators = root.findall(".//item/{http://purl.org/dc/elements/1.1/}creator")
    assert [c.text for c in creators] == ["Ann", "Bo"]
    assert root.find(".//item/author") is None  # RSS <author> must be an e-mail


def test_teaser_has_summary_and_link_but_no_content() -> None:
    spec = spec_for(ENTRIES)
    parsed = feedparser.parse(render_feed("atom", spec, ENTRIES, SITE))
    teaser = next(e for e in parsed.entries if e.id.endswith("/e2"))
    assert "content" not in teaser
    assert teaser.summary == "Summary 2"
    assert teaser.link == "https://example.org/entries/e2.html"
    article = next(e for e in parsed.entries if e.id.endswith("/e1"))
    assert article.content[0].value == "<p>Para 1 &lt;b&gt;</p>"  # text escaped in the HTML


def test_empty_feed_is_stable() -> None:
    spec = FeedSpec("all", "all", "Site", "Nothing yet", ())
    assert render_feed("atom", spec, [], SITE) == render_feed("atom", spec, [], SITE)
    assert feed_updated([]).year == 1970
    assert feedparser.parse(render_feed("atom", spec, [], SITE)).bozo == 0


def test_the_pre_publish_check_sees_the_entries_of_a_tree_in_memory() -> None:
    """feedgen's entries have no namespace until serialised: the check must still see them."""
    twin = replace(ENTRIES[2], slug="e3-copy")  # a second entry with e3's id
    entries = [*ENTRIES, twin]
    spec = replace(spec_for(ENTRIES), entry_ids=(*spec_for(ENTRIES).entry_ids, twin.id))
    for fmt in ("atom", "rss"):
        with pytest.raises(PublishError, match="duplicate"):
            render_feed(fmt, spec, [entries[i] for i in (1, 2, 0, 3)], SITE, check_as="x")
    # A document without the twin passes.
    render_feed("atom", spec_for(ENTRIES), [ENTRIES[i] for i in (1, 2, 0)], SITE, check_as="x")


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_assembled_documents_are_what_lxml_writes_for_the_whole_tree(fmt: str) -> None:
    """Documents are assembled from per-entry fragments: they must be byte for byte the
    pretty-printed document lxml writes for the same tree (hubs, history, tombstones,
    non-ASCII and markup in the text included)."""
    site = replace(SITE, hubs=("https://hub.example/",), stylesheet="/feed.xsl")
    history = History(
        page=2,
        prev_archive="archive/all/1.atom",
        next_archive="archive/all/3.atom",
        tombstones=(("tag:example.org,2019:entry/gone", datetime(2020, 3, 1, tzinfo=UTC)),),
    )
    headline = "Zo\u00eb\u2019s <budget> & \u201cmore\u201d"
    unicode = replace(ENTRIES[0], story=replace(ENTRIES[0].story, headline=headline))
    entries = [ENTRIES[1], ENTRIES[2], unicode]
    data = render_feed(fmt, spec_for(ENTRIES), entries, site, history, check_as="x")
    parser = etree.XMLParser(remove_blank_text=True)
    tree = etree.fromstring(data, parser).getroottree()
    whole = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    assert data == whole
    assert data.count(b"<entry>" if fmt == "atom" else b"<item>") == 3
