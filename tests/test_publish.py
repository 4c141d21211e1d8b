"""Publishing: what lands in output/, and what a second, edited or broken run does to it."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from feeds import workers
from feeds.audit import check_folder
from feeds.config import Config
from feeds.errors import ConfigError, PublishError
from feeds.ingest import scan
from feeds.publish import reconcile, run
from feeds.publish.run import publish
from feeds.render import check as feeds_check
from feeds.render.check import json_feed_problem
from tests.conftest import LATER, NOW, synthetic_seed, tree_bytes, write_corpus

ATOM = "{http://www.w3.org/2005/Atom}"
AUTHOR_SLUGS = {
    "william-eichler",
    "dan-peters",
    "ann-mcgauran",
    "pam-parkes",
    "cory-berman",
    "rob-whiteman-cbe",
    "tracie-langley",
    "bramwell-blower",
}
# Byline dates read off the seeds, as midnight UTC (the default time zone).
TEASER_DATES = {
    "EXCLUSIVE: Home Office trying to restore sharing of asylum data": "2026-02-12",
    "The Top 10 councils powering ahead on productivity": "2026-02-05",
    "Why chiefs need a framework": "2026-02-03",
    "London needs fewer councils as part of a broader governance reset in the capital": (
        "2026-02-02"
    ),
    "Councils must speak out on increasing tax-raising powers": "2025-11-19",
    "Fixing the easiest win in care spending": "2025-11-18",
    "A new government front door for local impact": "2025-11-14",
    "Council leaders 'failing' on SEND amid soaring demand, CCN admits": "2025-11-14",
}


def parse(path: Path) -> feedparser.FeedParserDict:
    if path.suffix == ".json":
        # feedparser 6.0 cannot read JSON Feed: check it against the spec's rules instead.
        assert json_feed_problem(path.read_bytes()) is None, path
        return feedparser.FeedParserDict()
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


def test_real_seeds_give_every_feed(config: Config) -> None:
    report = publish(config, NOW)
    out = config.output
    assert report.ok and report.entries == 10 and report.seeds == 2
    expected = {"all", "sections/childrens-services"} | {f"authors/{s}" for s in AUTHOR_SLUGS}
    for stem in expected:
        for fmt in ("atom", "rss", "json"):
            parse(out / f"{stem}.{fmt}")
    feeds_on_disk = {p.relative_to(out).with_suffix("").as_posix() for p in out.rglob("*.atom")}
    assert feeds_on_disk == expected

    atom = parse(out / "all.atom")
    rss = parse(out / "all.rss")
    assert len(atom.entries) == 10
    assert [e.id for e in atom.entries] == [e.id for e in rss.entries]
    assert all(e.id.startswith("tag:localhost,2026:entry/") for e in atom.entries)
    assert all(e.guidislink is False for e in rss.entries)

    eichler = parse(out / "authors/william-eichler.atom")
    assert len(eichler.entries) == 2
    assert all(e.content[0].value.startswith("<p>") for e in eichler.entries)

    for entry in atom.entries:
        if entry.title in TEASER_DATES:
            assert entry.published == f"{TEASER_DATES[entry.title]}T00:00:00+00:00"
            assert "content" not in entry
        else:
            # Articles carry no date: first seen is the seed's mtime.
            assert entry.published == "2026-01-01T00:00:00+00:00"
    # The feed changes when its newest entry does, never at build time.
    assert atom.feed.updated == max(e.updated for e in atom.entries)
    # The newest entry is the Home Office teaser of 12 February 2026 (articles: 1 January).
    assert rss.feed.updated == "Thu, 12 Feb 2026 00:00:00 +0000"
    problems, count = check_folder(out, config.base_url)
    assert problems == [] and count == 30


def test_feed_structure_that_readers_need(config: Config) -> None:
    publish(config, NOW)
    atom = parse(config.output / "sections/childrens-services.atom")
    assert atom.feed.id == "tag:localhost,2026:feed/sections/childrens-services"
    assert atom.feed.title == "Children's Services · feeds"
    assert atom.feed.author == "feeds"  # a feed-level author for teasers without a byline
    assert atom.feed.generator == "feeds"
    links = {link.rel: link.href for link in atom.feed.links}
    assert links == {
        "self": "http://localhost:8080/sections/childrens-services.atom",
        "alternate": "http://localhost:8080/sections/childrens-services.html",
    }
    # Newest first, ties broken by id.
    keys = [(-datetime.fromisoformat(e.updated).timestamp(), e.id) for e in atom.entries]
    assert keys == sorted(keys)
    rss = parse(config.output / "sections/childrens-services.rss")
    assert rss.feed.link == "http://localhost:8080/sections/childrens-services.html"
    teaser = next(e for e in rss.entries if e.title == "Why chiefs need a framework")
    assert teaser.author == "Pam Parkes"  # dc:creator, since RSS <author> wants an e-mail
    assert teaser.tags[0].term == "Children's Services"


def test_entry_with_several_authors_is_in_each_authors_feed(config: Config) -> None:
    text = synthetic_seed(1).replace(
        "Popular articles by Dan Peters", "Popular articles by Ann McGauran and Pam Parkes"
    )
    (config.seeds / "joint.txt").write_text(text, encoding="utf-8")
    publish(config, NOW)
    headline = "Story number 1 about council \u2018budgets\u2019"
    for slug in ("ann-mcgauran", "pam-parkes"):
        for fmt in ("atom", "rss"):
            feed = parse(config.output / f"authors/{slug}.{fmt}")
            (entry,) = [e for e in feed.entries if e.title == headline]
            assert [a.name for a in entry.authors] == ["Ann McGauran", "Pam Parkes"]


def test_second_publish_writes_nothing(config: Config) -> None:
    first = publish(config, NOW)
    # 10 feeds in 3 formats, 9 section and author pages, index, OPML, XSLT, 10 entries.
    assert len(first.written) == 53
    mtimes = {p: p.stat().st_mtime_ns for p in config.output.rglob("*")}
    second = publish(config, LATER)
    assert second.written == () and second.deleted == ()
    assert second.unchanged == 53
    assert {p: p.stat().st_mtime_ns for p in config.output.rglob("*")} == mtimes


def test_touching_a_seed_is_not_a_change(config: Config) -> None:
    publish(config, NOW)
    os.utime(config.seeds / "000_6213f4a63f5092ea.txt")
    assert publish(config, LATER).written == ()


def _entries(config: Config) -> dict[str, feedparser.FeedParserDict]:
    return {e.title: e for e in parse(config.output / "all.atom").entries}


def test_editing_a_paragraph_changes_only_that_entry_and_its_feeds(config: Config) -> None:
    publish(config, NOW)
    before = _entries(config)
    seed = config.seeds / "003_710dfe4fad0154d6.txt"
    seed.write_text(seed.read_text().replace("£20m for the National", "£25m for the National"))
    report = publish(config, LATER)

    after = _entries(config)
    title = "£40m for CSE not enough - councils"
    assert after[title].id == before[title].id
    assert after[title].published == before[title].published
    assert after[title].updated == "2026-11-02T12:00:00+00:00"
    assert "£25m" in after[title].content[0].value
    for other in set(before) - {title}:
        assert after[other] == before[other]
    feeds = {"all", "sections/childrens-services", "authors/william-eichler"}
    must = {f"{f}.{fmt}" for f in feeds for fmt in ("atom", "rss", "json")}
    must |= {"entries/40m-for-cse-not-enough-councils.html"}
    # Listing pages show dates and summaries, not bodies: rewritten only if their
    # bytes change (here the order changes in the index and section page).
    may = {"index.html", "sections/childrens-services.html", "authors/william-eichler.html"}
    assert must <= set(report.written) <= must | may
    assert report.changed == 1 and report.added == 0 and report.removed == 0


def test_editing_a_headline_keeps_the_id(config: Config) -> None:
    publish(config, NOW)
    old = _entries(config)["Councils defend child abuse approach after critical report"]
    seed = config.seeds / "000_6213f4a63f5092ea.txt"
    seed.write_text(
        seed.read_text().replace(
            "Councils defend child abuse approach after critical report",
            "Councils defend their approach to child abuse",
        )
    )
    publish(config, LATER)
    entries = _entries(config)
    assert "Councils defend child abuse approach after critical report" not in entries
    new = entries["Councils defend their approach to child abuse"]
    assert new.id == old.id and new.published == old.published
    assert new.updated == "2026-11-02T12:00:00+00:00"
    assert len(entries) == 10


def test_an_edit_under_a_clock_set_back_still_moves_updated_forward(config: Config) -> None:
    publish(config, NOW)
    seed = config.seeds / "003_710dfe4fad0154d6.txt"
    title = "£40m for CSE not enough - councils"
    seed.write_text(seed.read_text().replace("£20m for the National", "£25m for the National"))
    publish(config, LATER)
    assert _entries(config)[title].updated == "2026-11-02T12:00:00+00:00"
    seed.write_text(seed.read_text().replace("£25m for the National", "£30m for the National"))
    publish(config, NOW)  # the clock was set back a day
    assert _entries(config)[title].updated == "2026-11-02T12:00:01+00:00"


def test_a_clock_set_back_never_moves_an_undated_entrys_published(config: Config) -> None:
    seed = config.seeds / "undated.txt"
    seed.write_text(
        "NEWS\n\nAn undated story\n\nStandfirst.\n\nBody.\n\nPopular articles by Jo Bloggs"
    )
    seen = int(LATER.timestamp() - 3600) * 1_000_000_000
    os.utime(seed, ns=(seen, seen))
    publish(config, LATER)
    assert _entries(config)["An undated story"].published == "2026-11-02T11:00:00+00:00"
    seed.write_text(seed.read_text().replace("Body.", "Body, corrected."))
    os.utime(seed, ns=(seen, seen))
    publish(config, NOW)  # the clock was set back a day
    entry = _entries(config)["An undated story"]
    assert entry.published == "2026-11-02T11:00:00+00:00"
    assert entry.updated == "2026-11-02T11:00:01+00:00"  # a second after its last updated


def test_deleting_a_seed_removes_its_entries_and_files(config: Config) -> None:
    publish(config, NOW)
    (config.seeds / "000_6213f4a63f5092ea.txt").unlink()
    report = publish(config, LATER)
    entries = _entries(config)
    assert len(entries) == 5  # the other file's article and its four teasers
    assert "Why chiefs need a framework" not in entries
    assert report.removed == 5
    assert not (config.output / "authors/dan-peters.atom").exists()
    assert not (config.output / "entries/why-chiefs-need-a-framework.html").exists()
    assert len(parse(config.output / "authors/william-eichler.atom").entries) == 1
    assert check_folder(config.output, config.base_url)[0] == []


def test_a_rebuild_deletes_entry_pages_no_entry_has(config: Config) -> None:
    publish(config, NOW)
    pages = sorted(p.name for p in (config.output / "entries").glob("*.html"))
    assert len(pages) == 10
    stale = config.output / "entries" / "an-entry-deleted-long-ago.html"
    stale.write_text("<p>left by an older version</p>")
    report = publish(config, LATER, rebuild=True)
    assert not stale.exists()
    assert "entries/an-entry-deleted-long-ago.html" in report.deleted
    assert sorted(p.name for p in (config.output / "entries").glob("*.html")) == pages


def test_a_bad_seed_is_reported_and_the_rest_published(config: Config) -> None:
    (config.seeds / "broken.txt").write_bytes(b"\xff\xfe binary \x00")
    report = publish(config, NOW)
    assert not report.ok
    (line,) = report.rejected
    assert line.startswith(f"{config.seeds / 'broken.txt'}") and "binary file" in line
    assert report.entries == 10
    # Still reported on the next run, while the file stays bad.
    assert publish(config, LATER).rejected == report.rejected


def test_a_published_seed_that_turns_bad_keeps_its_entries(config: Config) -> None:
    publish(config, NOW)
    before = (config.output / "all.atom").read_bytes()
    (config.seeds / "000_6213f4a63f5092ea.txt").write_text("CHILDREN'S SERVICES\n\nOnly a headline")
    report = publish(config, LATER)
    assert len(report.rejected) == 1 and "standfirst" in report.rejected[0]
    assert report.written == ()
    assert (config.output / "all.atom").read_bytes() == before
    # Fixed again: rejection cleared, nothing changed for readers.
    (config.seeds / "000_6213f4a63f5092ea.txt").write_bytes(
        (Path(__file__).parent.parent / "seeds/000_6213f4a63f5092ea.txt").read_bytes()
    )
    fixed = publish(config, LATER)
    assert fixed.ok and fixed.written == ()


def test_same_seeds_give_byte_identical_output(tmp_path: Path, config: Config) -> None:
    publish(config, NOW)
    other = replace(config, output=tmp_path / "output2", store=tmp_path / "store2.sqlite")
    publish(other, NOW)
    assert tree_bytes(config.output) == tree_bytes(other.output)


def test_teasers_can_be_left_out(config: Config) -> None:
    report = publish(replace(config, teasers=False), NOW)
    assert len(parse(config.output / "all.atom").entries) == 2
    assert not (config.output / "authors/dan-peters.atom").exists()
    assert report.entries == 10  # still stored, just not published


def test_max_entries_caps_every_feed(config: Config) -> None:
    write_corpus(config.seeds, 30)
    publish(replace(config, max_entries=5), NOW)
    for path in config.output.rglob("*.atom"):
        assert len(parse(path).entries) <= 5
    # Each entry still has its page, even when it has scrolled off the feeds.
    assert len(list((config.output / "entries").glob("*.html"))) == 10 + 32


def test_section_names_from_config_and_time_zone(config: Config) -> None:
    tuned = replace(
        config,
        section_names=(("childrens-services", "Children & Families"),),
        timezone="Europe/London",
        base_url="https://news.example.org/feeds/",
    )
    publish(tuned, NOW)
    atom = parse(config.output / "sections/childrens-services.atom")
    assert atom.feed.title == "Children & Families · feeds"
    assert (
        atom.feed.links[0].href == "https://news.example.org/feeds/sections/childrens-services.atom"
    )
    entry = next(e for e in atom.entries if e.title == "Why chiefs need a framework")
    # Midnight in London on 3 February is midnight UTC (GMT); in summer it would not be.
    assert entry.published == "2026-02-03T00:00:00+00:00"
    assert entry.tags[0].label == "Children & Families"


def test_dates_in_the_future_are_clamped(config: Config) -> None:
    future = config.seeds / "000_6213f4a63f5092ea.txt"
    ns = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp() * 1e9)
    os.utime(future, ns=(ns, ns))
    publish(config, NOW)
    for entry in parse(config.output / "all.atom").entries:
        assert datetime.fromisoformat(entry.published) <= NOW
        assert datetime.fromisoformat(entry.updated) <= NOW


def test_missing_output_file_is_rendered_again(config: Config) -> None:
    publish(config, NOW)
    (config.output / "authors/dan-peters.rss").unlink()
    report = publish(config, NOW)
    assert report.written == ("authors/dan-peters.rss",)


@pytest.mark.parametrize("count", [60])
def test_publish_many_seeds_all_links_resolve(config: Config, count: int) -> None:
    write_corpus(config.seeds, count)
    report = publish(config, NOW)
    assert report.ok
    problems, feeds = check_folder(config.output, config.base_url)
    assert problems == []
    # all; 3 sections (the real seeds' one is also a synthetic one); 8 real authors
    # plus the 2 synthetic ones not among them; each in Atom, RSS and JSON Feed. And
    # one archive page: "all" holds 10 + 62 entries, 50 in the feed and 22 archived.
    assert feeds == 3 * (1 + 3 + 10) + 1
    assert (config.output / "archive/all/1.atom").exists()


def test_a_feed_failing_the_check_is_not_published(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(config, NOW)
    before = tree_bytes(config.output)
    seed = config.seeds / "003_710dfe4fad0154d6.txt"
    seed.write_text(seed.read_text().replace("£20m for the National", "£25m for the National"))
    # A renderer bug that drops the section feed's <title>: the check must stop the run.
    # That feed is rendered after all.* and the author feed, which were already staged.
    real = feeds_check._atom_head_problem

    def broken(root: etree._Element) -> str | None:
        if (root.findtext(f"{ATOM}id") or "").endswith("feed/sections/childrens-services"):
            for title in root.findall(f"{ATOM}title"):
                root.remove(title)
        return real(root)

    monkeypatch.setattr(feeds_check, "_atom_head_problem", broken)
    with pytest.raises(PublishError, match=r"^sections/childrens-services\.atom: feed must"):
        publish(config, LATER)
    assert tree_bytes(config.output) == before
    assert not list(config.output.rglob("*.feeds-tmp"))
    monkeypatch.undo()
    report = publish(config, LATER)
    assert "all.atom" in report.written and report.changed == 1


def test_render_workers_give_the_same_bytes(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rendering on worker processes (a big run) and in-process (a small one) agree.

    On workers, seeds are parsed, entry pages rendered while entries are still being
    merged, then the documents rendered, all by one pool spawned once."""
    write_corpus(config.seeds, 60)
    publish(config, NOW)
    on_workers = replace(config, output=tmp_path / "workers", store=tmp_path / "w.sqlite")
    monkeypatch.setattr(scan, "PARALLEL_MIN_SEEDS", 1)
    monkeypatch.setattr(reconcile, "KEY_CHUNK", 7)  # pages go out between chunks
    monkeypatch.setenv("FEEDS_PARALLEL_MIN_DOCS", "1")
    monkeypatch.setenv("FEEDS_WORKERS", "2")  # two workers even on a one-core runner
    spawned: list[int] = []
    real_spawn = workers.spawn_pool
    monkeypatch.setattr(workers, "spawn_pool", lambda n: spawned.append(n) or real_spawn(n))
    stored: list[int] = []
    real_reconcile = reconcile.reconcile

    def counting(*args: Any) -> reconcile.EntryChanges:
        *rest, render_pages = args
        assert render_pages is not None  # pages are rendered while merging
        return real_reconcile(
            *rest, lambda entries: stored.append(len(entries)) or render_pages(entries)
        )

    monkeypatch.setattr(run, "reconcile", counting)
    report = publish(on_workers, NOW)
    assert spawned == [2]  # one pool, for every step
    assert len(stored) > 1 and sum(stored) == report.added  # page by page, chunk by chunk
    assert tree_bytes(on_workers.output) == tree_bytes(config.output)


def test_a_bad_worker_threshold_is_one_clear_error(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FEEDS_PARALLEL_MIN_DOCS", "lots")
    with pytest.raises(ConfigError, match="FEEDS_PARALLEL_MIN_DOCS: must be a whole number"):
        publish(config, NOW)
    assert not config.output.exists() or tree_bytes(config.output) == {}
