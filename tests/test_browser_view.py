"""A browser opening a feed gets a page rendered by the server; readers keep the feed.

In process: the ASGI app behind httpx's ASGI transport, over a real published folder.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import feedparser
import httpx
import pytest
from lxml import etree, html

from feeds.config import Config
from feeds.publish.run import publish
from feeds.render.browser import prefers_html
from feeds.serve.app import FeedApp
from tests.conftest import NOW, synthetic_seed

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BROWSERS = [CHROME, FIREFOX, SAFARI, "text/html"]
# What readers send (feedparser's own header first), and clients that send nothing special.
READERS = [
    feedparser.http.ACCEPT_HEADER,
    "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/html;q=0.5",
    "application/rss+xml, text/html;q=0.9",
    "*/*",
    "",
    "text/html;q=0.8, */*",
]


@pytest.fixture
def published(tmp_path: Path) -> Config:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for i in range(1, 13):
        (seeds / f"story-{i:02}.txt").write_text(synthetic_seed(i))
    config = Config(
        seeds=seeds,
        output=tmp_path / "output",
        store=tmp_path / "state.sqlite",
        max_entries=5,
        source="test",
    )
    publish(config, NOW)
    return config


def get(config: Config, path: str, **headers: str) -> httpx.Response:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=FeedApp(config))
        async with httpx.AsyncClient(transport=transport, base_url="http://feeds.test") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(fetch())


def titles(page: bytes) -> list[str]:
    return [a.text_content() for a in html.fromstring(page).cssselect("li > a")]


def feed_titles(data: bytes) -> list[str]:
    return [entry.title for entry in feedparser.parse(data).entries]


@pytest.mark.parametrize("path", ["/all.atom", "/all.rss", "/sections/housing.atom"])
@pytest.mark.parametrize("accept", BROWSERS)
def test_a_browser_gets_the_feed_as_a_page(published: Config, path: str, accept: str) -> None:
    feed = (published.output / path.lstrip("/")).read_bytes()
    response = get(published, path, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["vary"] == "Accept-Encoding, Accept"
    assert response.text.startswith("<!DOCTYPE html>")
    assert "This is a web feed" in response.text
    # The page lists the feed's entries, in the feed's order.
    assert titles(response.content) == feed_titles(feed)
    # 12 stories in three sections, max_entries 5: housing holds stories 3, 6, 9, 12.
    assert len(titles(response.content)) == (4 if "housing" in path else 5)


@pytest.mark.parametrize("path", ["/all.atom", "/all.rss", "/sections/housing.atom"])
@pytest.mark.parametrize("accept", READERS)
def test_readers_get_the_feed_bytes(published: Config, path: str, accept: str) -> None:
    response = get(published, path, accept=accept)
    assert response.status_code == 200
    assert response.content == (published.output / path.lstrip("/")).read_bytes()
    assert response.headers["content-type"].startswith(
        "application/atom+xml" if path.endswith(".atom") else "application/rss+xml"
    )
    assert response.headers["vary"] == "Accept-Encoding, Accept"


def test_page_and_feed_are_separate_representations(published: Config) -> None:
    page = get(published, "/all.atom", accept=CHROME, **{"accept-encoding": "gzip"})
    feed = get(published, "/all.atom", accept="*/*", **{"accept-encoding": "gzip"})
    assert page.headers["etag"] != feed.headers["etag"]
    assert page.headers["content-encoding"] == "gzip"
    assert "This is a web feed" in page.text  # httpx decoded it
    # Each ETag revalidates only its own representation.
    plain = {"accept-encoding": "identity"}
    again = get(
        published, "/all.atom", accept=CHROME, **plain, **{"if-none-match": page.headers["etag"]}
    )
    assert again.status_code == 200  # not gzipped: another representation, another ETag
    tag = {"if-none-match": again.headers["etag"]}
    assert get(published, "/all.atom", accept=CHROME, **plain, **tag).status_code == 304
    assert get(published, "/all.atom", accept="*/*", **plain, **tag).status_code == 200


def test_an_archive_page_links_older_and_newer_pages(published: Config) -> None:
    archive = published.output / "archive" / "all"
    pages = sorted(archive.glob("*.atom"), key=lambda p: int(p.stem))
    assert len(pages) >= 2
    middle = "/" + pages[0].relative_to(published.output).as_posix()
    page = html.fromstring(get(published, middle, accept=FIREFOX).content)
    links = {a.text_content(): a.get("href") for a in page.cssselect("p > a")}
    assert (
        links["Newer entries"]
        == published.base_url + pages[1].relative_to(published.output).as_posix()
    )
    assert "Older entries" not in links  # page 1 is the oldest


def test_a_damaged_feed_file_is_still_served_to_a_browser(published: Config) -> None:
    (published.output / "all.atom").write_bytes(b"<feed><oops")
    response = get(published, "/all.atom", accept=CHROME)
    assert response.status_code == 200
    assert response.content == b"<feed><oops"
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"


def test_json_feeds_and_pages_are_not_negotiated(published: Config) -> None:
    feed = get(published, "/all.json", accept=CHROME)
    assert feed.headers["content-type"] == "application/feed+json; charset=utf-8"
    assert feed.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html", True),
        ("TEXT/HTML", True),
        ("text/*", False),  # text/xml matches text/* as well as text/html: a tie
        ("text/html;q=0.5, application/atom+xml;q=0.4", True),
        ("text/html;q=0.4, application/atom+xml;q=0.5", False),
        ("text/html, application/xml", False),  # a tie goes to the feed
        ("text/html;q=0, */*", False),
        ("text/html;q=oops, */*", False),
        ("text/html;level=1;q=0.9, */*;q=0.8", True),
        (",,;", False),
    ],
)
def test_prefers_html_follows_the_q_values(accept: str, expected: bool) -> None:
    assert prefers_html(accept, ".atom") is expected


def test_the_page_reads_no_other_file(published: Config, tmp_path: Path) -> None:
    # A feed that names an external entity: the page does not pull the file in.
    secret = tmp_path / "secret.txt"
    secret.write_text("do not show")
    (published.output / "all.atom").write_bytes(
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&s;</title></feed>'.encode()
    )
    response = get(published, "/all.atom", accept=CHROME)
    assert "do not show" not in response.text
    etree.fromstring(b"<ok/>")  # lxml state is untouched for the next test
