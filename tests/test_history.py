"""Feed history (RFC 5005), JSON Feed 1.1, tombstones (RFC 6721) and the browser view."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feeds.config import Config
from feeds.publish.run import publish
from feeds.render.check import json_feed_problem
from tests.conftest import LATER, NOW, SEED_MTIME_NS, free_port, responds, running, wait_until

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
AT = "{http://purl.org/atompub/tombstones/1.0}"


def write_story(folder: Path, n: int) -> None:
    """Story ``n`` in section News, first seen ``n`` minutes after the others' epoch."""
    path = folder / f"story-{n:03d}.txt"
    path.write_text(
        f"NEWS\n\nStory {n}\n\nStandfirst {n}.\n\nBody {n}.\n\nPopular articles by Jo Bloggs"
    )
    mtime = SEED_MTIME_NS + n * 60_000_000_000
    os.utime(path, ns=(mtime, mtime))


def local(config: Config, href: str) -> Path:
    assert href.startswith(config.base_url), href
    return config.output / href.removeprefix(config.base_url)


def links(doc: etree._Element, rel: str) -> list[str]:
    return [link.get("href", "") for link in doc.findall(f"{ATOM}link") if link.get("rel") == rel]


def ids(doc: etree._Element) -> list[str]:
    return [e.findtext(f"{ATOM}id") or "" for e in doc.findall(f"{ATOM}entry")]


def follow(config: Config, feed: Path) -> list[str]:
    """Every entry id a client collects from ``feed`` by following prev-archive links."""
    doc = etree.parse(str(feed)).getroot()
    collected = ids(doc)
    while prev := links(doc, "prev-archive"):
        doc = etree.parse(str(local(config, prev[0]))).getroot()
        assert doc.find(f"{FH}archive") is not None
        assert links(doc, "current") == [config.base_url + "sections/news.atom"]
        collected += ids(doc)
    return collected


@pytest.fixture
def forty(tmp_path: Path) -> Config:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for n in range(1, 41):
        write_story(seeds, n)
    return Config(
        seeds=seeds,
        output=tmp_path / "output",
        store=tmp_path / "state.sqlite",
        max_entries=5,
        source="test",
    )


def test_archives_hold_every_entry_once_and_full_pages_never_change(forty: Config) -> None:
    publish(forty, NOW)
    section = forty.output / "sections/news.atom"
    first = follow(forty, section)
    assert len(first) == 40 and len(set(first)) == 40
    doc = etree.parse(str(section)).getroot()
    assert doc.find(f"{FH}complete") is None
    assert ids(doc) == [f"tag:localhost,2026:entry/story-{n}" for n in (40, 39, 38, 37, 36)]
    # Page 1 holds the five oldest entries, newest first like every feed document.
    page1 = etree.parse(str(forty.output / "archive/sections/news/1.atom")).getroot()
    assert ids(page1) == [f"tag:localhost,2026:entry/story-{n}" for n in range(5, 0, -1)]
    assert feedparser.parse((forty.output / "archive/sections/news/1.atom").read_bytes()).bozo == 0

    archive = forty.output / "archive/sections/news"
    before = {p.name: p.read_bytes() for p in archive.glob("*.atom")}
    full = {name for name, data in before.items() if data.count(b"<entry>") == 5}
    assert len(full) == 7  # 35 archived entries
    subscription = section.read_bytes()

    write_story(forty.seeds, 41)
    publish(forty, LATER)
    after = {p.name: p.read_bytes() for p in archive.glob("*.atom")}
    assert section.read_bytes() != subscription
    changed = {name for name in after if before.get(name) != after[name]}
    assert len(changed) <= 1
    assert all(after[name] == before[name] for name in full)
    collected = follow(forty, section)
    assert len(collected) == 41 and len(set(collected)) == 41


def test_a_feed_holding_every_entry_is_complete(config: Config) -> None:
    publish(config, NOW)
    for path in config.output.rglob("*.atom"):
        doc = etree.parse(str(path)).getroot()
        assert doc.find(f"{FH}complete") is not None, path
        assert not links(doc, "prev-archive") and not links(doc, "next-archive")
    assert not (config.output / "archive").exists()


def test_json_feeds_follow_the_spec_and_share_the_atom_ids(config: Config) -> None:
    publish(replace(config, hubs=("https://hub.example/",)), NOW)
    for path in config.output.rglob("*.json"):
        data = path.read_bytes()
        assert json_feed_problem(data) is None, path
        feed = json.loads(data)
        atom = feedparser.parse(path.with_suffix(".atom").read_bytes())
        assert [item["id"] for item in feed["items"]] == [e.id for e in atom.entries]
        assert feed["feed_url"] == config.base_url + path.relative_to(config.output).as_posix()
        assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example/"}]
        assert feed["language"] == "en"
    feed = json.loads((config.output / "authors/william-eichler.json").read_bytes())
    article = feed["items"][0]
    assert article["authors"] == [{"name": "William Eichler"}]
    assert article["tags"] == ["Children's Services"]
    assert article["content_html"].startswith("<p>")
    assert article["date_published"] == "2026-01-01T00:00:00+00:00"
    index = (config.output / "index.html").read_text()
    assert 'type="application/feed+json"' in index
    assert "all.json" in (config.output / "feeds-json.opml").read_text()


def test_each_opml_list_names_every_feed_once(config: Config) -> None:
    publish(config, NOW)
    feeds = sorted(
        p.relative_to(config.output).with_suffix("").as_posix()
        for p in config.output.glob("**/*.atom")
        if "archive" not in p.parts
    )
    for name, suffix in (("feeds.opml", ".atom"), ("feeds-json.opml", ".json")):
        doc = etree.parse(str(config.output / name)).getroot()
        urls = [o.get("xmlUrl", "") for o in doc.iter("outline") if o.get("xmlUrl")]
        assert sorted(u.removeprefix(config.base_url) for u in urls) == [f + suffix for f in feeds]
        assert len(set(urls)) == len(urls)


def test_problems_the_json_checker_catches() -> None:
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": []}
    assert json_feed_problem(json.dumps(good).encode()) is None
    item = {"id": "a", "content_text": "x", "date_published": "2026-01-01T00:00:00+00:00"}
    bad_items = [
        {**item, "id": 3},
        {"id": "a"},
        {**item, "date_published": "yesterday"},
        {**item, "date_published": "2026-01-01T00:00:00"},
        {**item, "tags": [1]},
    ]
    for bad in bad_items:
        assert json_feed_problem(json.dumps({**good, "items": [bad]}).encode())
    assert json_feed_problem(json.dumps({**good, "items": [item, item]}).encode())
    assert json_feed_problem(json.dumps({**good, "version": "1"}).encode())
    assert json_feed_problem(b"not json")


def test_deleted_entries_leave_tombstones_in_atom_only(config: Config) -> None:
    publish(config, NOW)
    gone = {
        e.id
        for e in feedparser.parse((config.output / "all.atom").read_bytes()).entries
        if e.title
        in {
            "Councils defend child abuse approach after critical report",
            "Why chiefs need a framework",
        }
    }
    (config.seeds / "000_6213f4a63f5092ea.txt").unlink()
    publish(config, LATER)
    for stem in ("all", "sections/childrens-services"):
        doc = etree.parse(str(config.output / f"{stem}.atom")).getroot()
        tombs = {t.get("ref"): t.get("when") for t in doc.findall(f"{AT}deleted-entry")}
        assert len(tombs) == 5 and gone <= tombs.keys()
        assert set(tombs.values()) == {"2026-11-02T12:00:00+00:00"}
        assert not gone & set(ids(doc))
        rss = feedparser.parse((config.output / f"{stem}.rss").read_bytes())
        assert not gone & {e.id for e in rss.entries}
        items = json.loads((config.output / f"{stem}.json").read_bytes())["items"]
        assert not gone & {i["id"] for i in items}
    eichler = etree.parse(str(config.output / "authors/william-eichler.atom")).getroot()
    assert len(eichler.findall(f"{AT}deleted-entry")) == 1
    # After tombstone_days they go.
    later = LATER.replace(year=2027)
    (config.seeds / "poke.txt").write_text("NEWS\n\nPoke\n\nStand.")
    publish(config, later)
    doc = etree.parse(str(config.output / "all.atom")).getroot()
    assert doc.findall(f"{AT}deleted-entry") == []


def test_a_deletion_dates_the_feed_and_its_date_never_goes_back(config: Config) -> None:
    """Feed ``<updated>`` (RSS ``lastBuildDate``) is the feed's newest change: deleting its
    newest entry moves it on to the deletion, and it stays when the tombstone expires;
    readers that skip a feed whose date did not move would otherwise miss the deletion."""
    shutil.rmtree(config.seeds)
    config.seeds.mkdir()
    for n in (1, 2):
        write_story(config.seeds, n)
    publish(config, NOW)
    write_story(config.seeds, 3)
    publish(config, NOW + timedelta(hours=1))

    def dates(stem: str) -> tuple[datetime, datetime]:
        atom = feedparser.parse((config.output / f"{stem}.atom").read_bytes()).feed
        rss = feedparser.parse((config.output / f"{stem}.rss").read_bytes()).feed
        return (
            datetime.fromisoformat(atom.updated),
            parsedate_to_datetime(rss.published if "published" in rss else rss.updated),
        )

    story_3 = datetime.fromtimestamp(SEED_MTIME_NS // 10**9 + 3 * 60, UTC)  # first seen
    assert dates("all") == (story_3, story_3)  # the newest entry's
    (config.seeds / "story-003.txt").unlink()
    publish(config, LATER)
    for stem in ("all", "sections/news", "authors/jo-bloggs"):
        assert dates(stem) == (LATER, LATER), stem
    publish(config, LATER + timedelta(days=config.tombstone_days + 1))
    doc = etree.parse(str(config.output / "all.atom")).getroot()
    assert doc.findall(f"{AT}deleted-entry") == []  # the tombstone expired...
    assert dates("all") == (LATER, LATER)  # ...and the date stayed


def test_an_archive_page_keeps_its_date_when_its_entries_are_deleted(forty: Config) -> None:
    """Its newest entry deleted, a page keeps that entry's date (it never moves back);
    emptied by deletions, it keeps it too, rather than falling back to 1970."""
    publish(forty, NOW)
    page = forty.output / "archive/sections/news/1.atom"

    def page_date() -> datetime:
        return datetime.fromisoformat(feedparser.parse(page.read_bytes()).feed.updated)

    doc = etree.parse(str(page)).getroot()
    on_page = sorted(int(i.rsplit("-", 1)[1]) for i in ids(doc))  # story-N
    dated = page_date()
    newest = datetime.fromtimestamp(SEED_MTIME_NS // 10**9 + on_page[-1] * 60, UTC)
    assert dated == newest  # first seen N minutes after the epoch of the others
    (forty.seeds / f"story-{on_page[-1]:03d}.txt").unlink()
    publish(forty, LATER)
    assert len(ids(etree.parse(str(page)).getroot())) == len(on_page) - 1
    assert page_date() == dated
    for n in on_page[:-1]:
        (forty.seeds / f"story-{n:03d}.txt").unlink()
    publish(forty, LATER + timedelta(hours=1))
    assert ids(etree.parse(str(page)).getroot()) == []  # emptied, and still there
    assert page_date() == dated


def test_a_feed_that_never_held_an_entry_is_dated_when_first_published(config: Config) -> None:
    shutil.rmtree(config.seeds)
    config.seeds.mkdir()
    publish(config, NOW)
    main_feed = config.output / "all.atom"
    first = main_feed.read_bytes()
    assert datetime.fromisoformat(feedparser.parse(first).feed.updated) == NOW  # not 1970
    publish(config, LATER)
    assert main_feed.read_bytes() == first  # nothing changed: nothing written
    write_story(config.seeds, 1)
    publish(config, LATER + timedelta(hours=1))
    # Its first entry, first seen long before, came now: the feed says so.
    updated = feedparser.parse(main_feed.read_bytes()).feed.updated
    assert datetime.fromisoformat(updated) == LATER + timedelta(hours=1)


def test_an_article_that_arrives_late_dates_the_feeds_it_joins(config: Config) -> None:
    """A new entry older than a feed's newest (a late article, dated by its byline or its
    file) still moves the feed's date to when it came, so a reader that skips a feed whose
    date did not move does not miss it; a new feed is dated by its entries, as ever."""
    shutil.rmtree(config.seeds)
    config.seeds.mkdir()
    for n in (5, 6):
        write_story(config.seeds, n)
    publish(config, NOW)
    story_6 = datetime.fromtimestamp(SEED_MTIME_NS // 10**9 + 6 * 60, UTC)
    rss = feedparser.parse((config.output / "all.rss").read_bytes()).feed
    assert parsedate_to_datetime(rss.updated) == story_6
    write_story(config.seeds, 1)  # first seen before stories 5 and 6
    publish(config, LATER)
    for stem in ("all", "sections/news", "authors/jo-bloggs"):
        atom = feedparser.parse((config.output / f"{stem}.atom").read_bytes()).feed
        rss = feedparser.parse((config.output / f"{stem}.rss").read_bytes()).feed
        assert datetime.fromisoformat(atom.updated) == LATER, stem
        assert parsedate_to_datetime(rss.updated) == LATER, stem
    before = (config.output / "all.atom").read_bytes()
    publish(config, LATER + timedelta(hours=1))
    assert (config.output / "all.atom").read_bytes() == before  # nothing new: unchanged


def test_feeds_carry_a_stylesheet_that_readers_ignore(config: Config) -> None:
    publish(config, NOW)
    for name in ("all.atom", "all.rss"):
        data = (config.output / name).read_bytes()
        assert b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>' in data
        assert feedparser.parse(data).bozo == 0
    xsl = etree.XSLT(etree.parse(str(config.output / "feed.xsl")))
    for name in ("all.atom", "all.rss"):
        page = str(xsl(etree.parse(str(config.output / name))))
        assert "This is a web feed" in page
        assert "Why chiefs need a framework" in page


def _chromium() -> str | None:
    found = shutil.which("chromium")
    if found is None and os.environ.get("CI"):
        pytest.fail("chromium is not installed; .ci/run installs it")
    return found


def test_a_browser_shows_the_page_without_xslt(tmp_path: Path, config: Config) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (CI installs it)")
    publish(config, NOW)
    port = free_port()
    serve = [sys.executable, "-m", "feeds", "serve", "--port", str(port)]
    with running(serve, tmp_path, tmp_path / "serve.log"):
        url = f"http://127.0.0.1:{port}/"
        assert wait_until(lambda: responds(url))
        for name in ("sections/childrens-services.atom", "all.rss"):
            dom = subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    f"--user-data-dir={tmp_path / 'chromium'}",
                    "--dump-dom",
                    url + name,
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout
            assert "This is a web feed" in dom, dom[:500]
            assert "Why chiefs need a framework" in dom
            assert "&lt;feed" not in dom and "&lt;rss" not in dom
            # Rendered by the server: Chromium ran no XSLT, so it shows no warning banner.
            assert "xslt-warning-banner" not in dom


def test_feed_ids_are_minted_once_and_the_default_address_is_named(
    tmp_path: Path, seeds_dir: Path
) -> None:
    def feed_ids() -> dict[str, str]:
        out = {}
        for path in sorted((tmp_path / "output").rglob("*.atom")):
            doc = etree.parse(str(path)).getroot()
            out[path.relative_to(tmp_path / "output").as_posix()] = doc.findtext(f"{ATOM}id") or ""
        return out

    feeds = [sys.executable, "-m", "feeds", "publish"]
    first = subprocess.run(feeds, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    (warning,) = first.stderr.splitlines()
    assert warning.startswith("warning: site.base_url is not set: ids are being minted for")
    quiet = subprocess.run([*feeds, "--quiet"], cwd=tmp_path, capture_output=True, text=True)
    assert (quiet.returncode, quiet.stderr) == (0, "")
    before = feed_ids()
    assert before["all.atom"] == "tag:localhost,2026:feed/all"
    (tmp_path / "feeds.toml").write_text('[site]\nbase_url = "https://news.example.org/"\n')
    moved = subprocess.run(feeds, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert (moved.returncode, moved.stderr) == (0, "")
    assert feed_ids() == before  # every feed keeps its id, like its entries
    text = (tmp_path / "output/all.atom").read_text()
    assert 'href="https://news.example.org/all.atom" rel="self"' in text
