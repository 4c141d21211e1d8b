"""Random histories of adds, edits, renames, deletions, restores, ``max_entries`` changes,
republishes, time passing and the clock set back, checked as a reader walks them: every
RFC 5005 chain whole both ways, every live entry found and current, corrections and RFC 6721
tombstones where the README says, each feed's date never going back, every Atom document
valid against the RFC 4287 schema, and the same entries as a cold publish of the result.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from lxml import etree

from feeds.config import Config
from feeds.errors import SeedsEmptiedError
from feeds.ids import slugify
from feeds.publish.run import publish
from tests.conftest import tree_bytes

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
AT = "{http://purl.org/atompub/tombstones/1.0}"
SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "data/schema/atom.rng")))
BASE = "http://localhost:8080/"
SECTIONS = {"NEWS": "news", "SPORT": "sport"}
AUTHORS = {"Jo Bloggs": "jo-bloggs", "Ann Smith": "ann-smith", "Bo Li": "bo-li"}
START = datetime(2026, 1, 1, tzinfo=UTC)
CORRECTIONS_DAYS = 14
TOMBSTONE_DAYS = 30


@dataclass
class Article:
    """What the test wrote into one seed file, and what it expects of its entry."""

    number: int
    headline: str
    section: str
    author: str
    body: str
    first_seen: datetime
    written: datetime
    edited: datetime | None = None
    moved_to: str | None = None  # the seed's file name after a rename
    minted: str | None = None  # the id given when it came back under another headline

    @property
    def file(self) -> str:
        return self.moved_to or f"{self.number:03d}.txt"

    @property
    def id(self) -> str:
        return self.minted or f"tag:localhost,2026:entry/story-{self.number}"

    def text(self) -> str:
        return (
            f"{self.section}\n\n{self.headline}\n\nStandfirst {self.number}.\n\n"
            f"{self.body}\n\nPopular articles by {self.author}"
        )

    def feeds(self) -> set[str]:
        return {"all", f"sections/{SECTIONS[self.section]}", f"authors/{AUTHORS[self.author]}"}


@dataclass
class Deleted:
    when: datetime
    feeds: set[str] = field(default_factory=set)
    expired: bool = False  # its tombstones are gone, for good (a clock set back later or not)


@dataclass(frozen=True)
class Copy:
    """One ``<entry>`` as a reader sees it, and whether it sits on an archive page."""

    id: str
    title: str
    content: str
    published: str
    archived: bool
    updated: str = ""


def parse(path: Path) -> etree._Element:
    doc = etree.parse(str(path))
    assert SCHEMA.validate(doc), f"{path}: {SCHEMA.error_log.last_error}"
    return doc.getroot()


def link(doc: etree._Element, rel: str) -> str | None:
    found = [e.get("href") for e in doc.findall(f"{ATOM}link") if e.get("rel") == rel]
    assert len(found) <= 1, (rel, found)
    return found[0] if found else None


def copies(doc: etree._Element, archived: bool) -> list[Copy]:
    return [
        Copy(
            e.findtext(f"{ATOM}id") or "",
            e.findtext(f"{ATOM}title") or "",
            e.findtext(f"{ATOM}content") or "",
            e.findtext(f"{ATOM}published") or "",
            archived,
            e.findtext(f"{ATOM}updated") or "",
        )
        for e in doc.findall(f"{ATOM}entry")
    ]


def walk(output: Path, stem: str) -> tuple[list[Copy], list[str]]:
    """Every entry a reader collects from ``stem``'s feed by following its chain back to the
    oldest page and forward again; and the feed's tombstone refs."""
    local = lambda href: output / href.removeprefix(BASE)  # noqa: E731
    url = f"{BASE}{stem}.atom"
    doc = parse(output / f"{stem}.atom")
    assert link(doc, "self") == url
    found = copies(doc, archived=False)
    children = list(doc)
    tombs = [e for e in children if e.tag == f"{AT}deleted-entry"]
    entries = [i for i, e in enumerate(children) if e.tag == f"{ATOM}entry"]
    assert all(children.index(t) < min(entries, default=len(children)) for t in tombs)
    published = [c.published for c in found]
    window = [p for c, p in zip(found, published, strict=True)]
    assert window == sorted(window, reverse=True), f"{stem}: not newest first"
    newest = link(doc, "prev-archive")
    assert (doc.find(f"{FH}complete") is not None) == (newest is None), stem
    backward: list[str] = []
    href, came_from = newest, None
    while href is not None:
        assert local(href).is_file(), f"dangling {href}"
        page = parse(local(href))
        assert page.find(f"{FH}archive") is not None and link(page, "current") == url
        assert link(page, "next-archive") == came_from, f"{href}: next-archive"
        found += copies(page, archived=True)
        backward.append(href)
        came_from, href = href, link(page, "prev-archive")
    # Forward from the oldest page by next-archive reaches the newest, page by page.
    forward, href = [], backward[-1] if backward else None
    while href is not None:
        forward.append(href)
        href = link(etree.parse(str(local(href))).getroot(), "next-archive")
    assert forward == backward[::-1]
    numbers = [h.rsplit("/", 1)[1] for h in forward]
    assert numbers == [f"{n}.atom" for n in range(1, len(forward) + 1)]
    return found, [t.get("ref") or "" for t in tombs]


def feed_stems(output: Path) -> set[str]:
    stems = {"all"} if (output / "all.atom").exists() else set()
    for folder in ("sections", "authors"):
        stems |= {f"{folder}/{p.stem}" for p in (output / folder).glob("*.atom")}
    return stems


class History(RuleBasedStateMachine):
    """One newsroom's seeds folder through a random history, published after every step."""

    def __init__(self) -> None:
        super().__init__()
        # On tmpfs where there is one: thousands of publishes, and fsync there costs nothing.
        shm = Path("/dev/shm")
        where = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
        self.tmp = Path(tempfile.mkdtemp(prefix="feeds-history-", dir=where))
        self.config = Config(
            seeds=self.tmp / "seeds",
            output=self.tmp / "output",
            store=self.tmp / "state.sqlite",
            max_entries=2,
            formats=("atom",),
            corrections_days=CORRECTIONS_DAYS,
            tombstone_days=TOMBSTONE_DAYS,
            source="test",
        )
        self.config.seeds.mkdir()
        self.now = START
        self.articles: dict[int, Article] = {}
        self.deleted: dict[str, Deleted] = {}
        self.gone: dict[int, Article] = {}  # deleted articles, as they were
        self.renames = 0
        self.next_number = 1
        self.had_seeds = False  # whether the last publish found any seed
        self.feed_updated: dict[Path, datetime] = {}  # document -> <updated> last seen
        self.entry_updated: dict[str, datetime] = {}  # entry id -> <updated> last seen

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- steps ---------------------------------------------------------------

    def _tick(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)

    def _write(self, article: Article) -> None:
        path = self.config.seeds / article.file
        path.write_text(article.text(), encoding="utf-8")
        stamp = int(article.written.timestamp()) * 1_000_000_000
        os.utime(path, ns=(stamp, stamp))

    def _publish(self) -> None:
        if self.had_seeds and not self.articles:
            # The last seed deleted looks like a mount gone away: refused, nothing touched,
            # until the user says so.
            before = tree_bytes(self.config.output)
            with pytest.raises(SeedsEmptiedError):
                publish(self.config, self.now)
            assert tree_bytes(self.config.output) == before
            publish(self.config, self.now, allow_empty=True)
        else:
            publish(self.config, self.now)
        self.had_seeds = bool(self.articles)
        # The main feed stays when its last entry goes; another that vanished starts anew
        # if it comes back.
        live = {"all"}.union(*(a.feeds() for a in self.articles.values()))
        for gone in self.deleted.values():
            gone.feeds &= live
            gone.expired |= self.now - gone.when > timedelta(days=TOMBSTONE_DAYS)

    @initialize(count=st.integers(0, 6))
    def start(self, count: int) -> None:
        for _ in range(count):
            self._add("NEWS", "Jo Bloggs")
        self._publish()

    def _add(self, section: str, author: str) -> None:
        self._tick()
        n = self.next_number
        self.next_number += 1
        article = Article(n, f"Story {n}", section, author, f"Body {n}.", self.now, self.now)
        self.articles[n] = article
        self._write(article)

    @rule(section=st.sampled_from(sorted(SECTIONS)), author=st.sampled_from(sorted(AUTHORS)))
    def add(self, section: str, author: str) -> None:
        self._add(section, author)
        self._publish()

    @precondition(lambda self: bool(self.articles))
    @rule(
        data=st.data(),
        what=st.sampled_from(["body", "headline", "section", "author"]),
    )
    def edit(self, data: st.DataObject, what: str) -> None:
        n = data.draw(st.sampled_from(sorted(self.articles)))
        self._tick()
        old = self.articles[n]
        if what == "body":
            new = replace(old, body=old.body + " Corrected.")
        elif what == "headline":
            new = replace(old, headline=old.headline + " (updated)")
        elif what == "section":
            new = replace(old, section="SPORT" if old.section == "NEWS" else "NEWS")
        else:
            others = sorted(a for a in AUTHORS if a != old.author)
            new = replace(old, author=data.draw(st.sampled_from(others)))
        self.articles[n] = replace(new, written=self.now, edited=self.now)
        self._write(self.articles[n])
        self._publish()

    @precondition(lambda self: bool(self.articles))
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        n = data.draw(st.sampled_from(sorted(self.articles)))
        self._tick()
        article = self.articles.pop(n)
        (self.config.seeds / article.file).unlink()
        self.deleted[article.id] = Deleted(self.now, article.feeds())
        self.gone[n] = article
        self._publish()

    @precondition(lambda self: bool(self.articles))
    @rule(data=st.data())
    def rename(self, data: st.DataObject) -> None:
        """A seed moved to another name (``mv`` keeps its mtime): the same entry, unchanged,
        and no tombstone."""
        n = data.draw(st.sampled_from(sorted(self.articles)))
        self._tick()
        self.renames += 1
        old = self.articles[n]
        new = replace(old, moved_to=f"{n:03d}-moved-{self.renames}.txt")
        (self.config.seeds / old.file).rename(self.config.seeds / new.file)
        self.articles[n] = new
        self._publish()

    @precondition(lambda self: bool(self.gone))
    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        """A deleted seed put back from a backup (a new mtime): a new entry, first seen now.
        Its id is minted from its headline, as any new entry's: the id it had when that is
        the same (its tombstones then go), else a new one (they stay: readers dropped the
        old id; the entry is new to them)."""
        n = data.draw(st.sampled_from(sorted(self.gone)))
        self._tick()
        article = replace(self.gone.pop(n), first_seen=self.now, written=self.now, edited=None)
        minted = f"tag:localhost,2026:entry/{slugify(article.headline)}"
        if minted == article.id:
            del self.deleted[article.id]
            self.entry_updated.pop(article.id, None)  # a new entry: its dates start anew
        else:
            article = replace(article, minted=minted)
        self.articles[n] = article
        self._write(article)
        self._publish()

    @rule(size=st.sampled_from([1, 2, 3, 5]))
    def resize(self, size: int) -> None:
        """``max_entries`` changed in the config: archived entries stay where they are."""
        self.config = replace(self.config, max_entries=size)
        self._publish()

    @rule(hours=st.sampled_from([1, 30]))
    def clock_set_back(self, hours: int) -> None:
        """The clock steps back (a VM restored from a snapshot, NTP): nothing published may
        move back with it."""
        self.now -= timedelta(hours=hours)
        self._publish()

    @rule(days=st.sampled_from([1, 10, 20, 40]))
    def time_passes(self, days: int) -> None:
        self._tick(days * 24 * 60)
        self._publish()

    # -- what a reader sees --------------------------------------------------

    @invariant()
    def every_chain_is_whole_and_current(self) -> None:
        output = self.config.output
        # The main feed always exists, even with no entry left in it.
        expected = {"all"}.union(*(a.feeds() for a in self.articles.values()))
        assert feed_stems(output) == expected
        by_id = {a.id: a for a in self.articles.values()}
        for stem in sorted(expected):
            found, tombs = walk(output, stem)
            members = {a.id for a in self.articles.values() if stem in a.feeds()}
            assert {c.id for c in found} == members, stem
            assert not members & set(tombs), stem  # a live entry is never marked deleted
            for entry_id in members:
                mine = [c for c in found if c.id == entry_id]
                assert len(mine) <= 2, (stem, entry_id)
                if len(mine) == 2:
                    # An archived entry corrected lately, also in the subscription document.
                    assert {c.archived for c in mine} == {False, True}, (stem, entry_id)
                    edited = by_id[entry_id].edited
                    assert edited is not None
                    assert self.now - edited < timedelta(days=CORRECTIONS_DAYS)
                article = by_id[entry_id]
                for copy in mine:
                    assert copy.title == article.headline
                    assert article.body in copy.content
                    assert copy.published == article.first_seen.isoformat()
                    # An entry's updated never moves back, whatever the clock does.
                    updated = datetime.fromisoformat(copy.updated)
                    assert updated >= self.entry_updated.get(entry_id, updated), entry_id
                    self.entry_updated[entry_id] = updated
            for entry_id, gone in self.deleted.items():
                assert entry_id not in {c.id for c in found}
                shown = not gone.expired and stem in gone.feeds
                assert (entry_id in tombs) == shown, (stem, entry_id)

    @invariant()
    def feed_updated_never_goes_back(self) -> None:
        """A document's ``<updated>`` is its newest change (an entry's ``updated``, or a
        deletion's tombstone), and never moves back: readers that skip a feed whose date
        did not move would miss a deletion, or take the feed for stale. Archive pages too:
        one emptied by deletions keeps its last date."""
        output = self.config.output
        seen = {}
        documents = [output / f"{stem}.atom" for stem in feed_stems(output)]
        for path in [*documents, *sorted((output / "archive").glob("**/*.atom"))]:
            doc = parse(path)
            when = datetime.fromisoformat(doc.findtext(f"{ATOM}updated") or "")
            changes = [e.findtext(f"{ATOM}updated") or "" for e in doc.findall(f"{ATOM}entry")]
            changes += [t.get("when") or "" for t in doc.findall(f"{AT}deleted-entry")]
            for change in changes:
                assert datetime.fromisoformat(change) <= when, (path, change, when)
            if path in self.feed_updated:
                assert when >= self.feed_updated[path], (path, when, self.feed_updated[path])
            seen[path] = when
        # A feed that vanished (and its pages) starts anew if it comes back.
        self.feed_updated = seen

    def check_against_a_cold_publish(self) -> None:
        """A fresh store and output from the final seeds: the same entries in every feed."""
        cold = replace(self.config, output=self.tmp / "cold", store=self.tmp / "cold.sqlite")
        publish(cold, self.now)
        assert feed_stems(cold.output) == feed_stems(self.config.output)
        by_id = {a.id: a for a in self.articles.values()}
        for stem in feed_stems(cold.output):
            mine = {c.title: c for c in walk(self.config.output, stem)[0]}
            theirs = {c.title: c for c in walk(cold.output, stem)[0]}
            assert mine.keys() == theirs.keys(), stem
            for title, copy in mine.items():
                assert copy.content == theirs[title].content
                article = by_id[copy.id]
                # Documented: an id kept across a headline edit, and ``published`` is when
                # the seed was first seen, so an edited seed's cold publish dates it later;
                # and never in the future, so a cold publish under a clock set back before
                # the seed was written dates it now.
                assert copy.published == article.first_seen.isoformat()
                assert theirs[title].published == min(article.written, self.now).isoformat()


class ColdCheckedHistory(History):
    def teardown(self) -> None:
        try:
            self.check_against_a_cold_publish()
        finally:
            super().teardown()


# 100 histories in every test run, in two halves that xdist runs side by side (one test of
# them all would be the suite's critical path); each half draws its own. CI's slow stage
# draws 300 more, longer ones: the suite stays under a minute on two cores.
_HALF = settings(max_examples=50, stateful_step_count=10, deadline=None)


class TestHistoryFirstHalf(ColdCheckedHistory.TestCase):  # type: ignore[misc,valid-type]
    settings = _HALF


class TestHistorySecondHalf(ColdCheckedHistory.TestCase):  # type: ignore[misc,valid-type]
    settings = _HALF


@pytest.mark.slow
class TestHistoryDeep(ColdCheckedHistory.TestCase):  # type: ignore[misc,valid-type]
    settings = settings(max_examples=300, stateful_step_count=15, deadline=None)
