"""The planner: pure decisions from snapshots, tested without a store, a disk or a clock."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feeds
from feeds.publish.plan import (
    Changes,
    FeedHistory,
    PlanInputs,
    Settings,
    _in_render_order,
    feed_spec,
    feeds_to_render,
    plan_outputs,
)
from feeds.records import FeedRow, FeedSpec

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SETTINGS = Settings(formats=("atom", "rss"), max_entries=2, corrections=True, fingerprint="f")


def spec(kind: str, slug: str, count: int) -> FeedSpec:
    made = feed_spec(kind, slug, slug.title(), count, site_title="S", section_name=lambda s, n: n)  # type: ignore[arg-type]
    return replace(made, id=f"tag:x,2026:feed/{made.stem}")


def row(n: int) -> FeedRow:
    when = (NOW - timedelta(days=100 - n)).isoformat()
    return FeedRow(f"tag:x,2026:entry/{n}", f"h{n}", when, when)


def inputs(**overrides: object) -> PlanInputs:
    main = spec("all", "all", 5)
    values: dict[str, object] = {
        "settings": SETTINGS,
        "now": NOW,
        "tombstones_before": NOW - timedelta(days=30),
        "catalog": (main,),
        "todo": (main,),
        "histories": {"all": FeedHistory(window=(row(5), row(4)), overflow=("e1", "e2", "e3"))},
        "archive_pages": {},
        "stored": {},
        "changes": Changes(feeds=frozenset({("all", "all")})),
    }
    values.update(overrides)
    return PlanInputs(**values)  # type: ignore[arg-type]


def test_overflow_fills_pages_and_starts_the_next_at_once() -> None:
    plan = plan_outputs(inputs())
    # Two to a page: e1, e2 fill page 1; e3 starts page 2, which is not yet full.
    assert plan.archive_moves == {"all": (2, ((1, "e1"), (1, "e2"), (2, "e3")))}
    assert plan.archive_pages == (("all", 1), ("all", 2))
    atom = next(d for d in plan.docs if d.path == "all.atom")
    assert atom.history is not None
    assert atom.history.prev_archive == "archive/all/2.atom"
    assert not atom.history.complete
    assert atom.ids == (row(5)[0], row(4)[0])


def test_a_full_page_already_links_a_successor() -> None:
    history = FeedHistory(window=(row(5), row(4)), overflow=("e1",), pages=1, on_newest=1)
    plan = plan_outputs(inputs(histories={"all": history}, archive_pages={"all": 1}))
    assert plan.archive_moves == {"all": (2, ((1, "e1"),))}
    assert plan.archive_pages == (("all", 1), ("all", 2))


def test_nothing_to_archive_means_a_complete_feed() -> None:
    history = FeedHistory(window=(row(5),))
    plan = plan_outputs(inputs(histories={"all": history}))
    assert plan.archive_moves == {}
    atom = next(d for d in plan.docs if d.path == "all.atom")
    assert atom.history is not None and atom.history.complete


def test_tombstones_and_corrections_expire_with_the_clock() -> None:
    old = (NOW - timedelta(days=31)).isoformat()
    recent = (NOW - timedelta(days=1)).isoformat()
    history = FeedHistory(
        window=(row(5),),
        tombstones=(("gone-long-ago", old), ("gone-lately", recent)),
        corrections=((row(1), (NOW - timedelta(hours=1)).isoformat()), (row(2), "2027-01-01")),
    )
    plan = plan_outputs(inputs(histories={"all": history}))
    atom = next(d for d in plan.docs if d.path == "all.atom")
    assert atom.history is not None
    assert [i for i, _ in atom.history.tombstones] == ["gone-lately"]
    assert atom.ids == (row(5)[0], row(2)[0])  # the expired correction left
    main = spec("all", "all", 5)
    due = feeds_to_render([main], Changes(), {"all"}, frozenset(), ("atom",), full=False)
    assert due == (main,)
    assert feeds_to_render([main], Changes(), set(), frozenset(), ("atom",), full=False) == ()


def test_a_section_emptied_loses_its_files_and_history() -> None:
    stored = {
        "sections/gone.atom": "d",
        "sections/gone.rss": "d",
        "sections/gone.html": "d",
        "archive/sections/gone/1.atom": "d",
        "archive/all/1.atom": "d",
        "all.atom": "d",
    }
    changes = Changes(feeds=frozenset({("all", "all"), ("section", "gone")}))
    plan = plan_outputs(inputs(stored=stored, changes=changes, archive_pages={"all": 1}))
    assert plan.removed == (
        "archive/sections/gone/1.atom",
        "sections/gone.atom",
        "sections/gone.html",
        "sections/gone.rss",
    )
    assert plan.forget == ("sections/gone",)


def test_an_author_renamed_moves_to_a_new_feed() -> None:
    main, new = spec("all", "all", 1), spec("author", "jo-bloggs", 1)
    window = FeedHistory(window=(row(5),))
    stored = {f"authors/jo-blogs.{suffix}": "d" for suffix in ("atom", "rss", "html")}
    changes = Changes(
        feeds=frozenset({("all", "all"), ("author", "jo-blogs"), ("author", "jo-bloggs")})
    )
    todo = feeds_to_render([main, new], changes, set(), frozenset(), SETTINGS.formats, full=False)
    assert todo == (main, new)
    plan = plan_outputs(
        inputs(
            catalog=(main, new),
            todo=todo,
            histories={"all": window, "authors/jo-bloggs": window},
            stored=stored,
            changes=changes,
        )
    )
    paths = {d.path for d in plan.docs}
    assert {"authors/jo-bloggs.atom", "authors/jo-bloggs.rss", "authors/jo-bloggs.html"} <= paths
    assert set(plan.removed) == set(stored)
    assert plan.forget == ("authors/jo-blogs",)


def test_unchanged_documents_are_not_rendered_again() -> None:
    first = plan_outputs(inputs())
    again = plan_outputs(inputs(stored=dict(first.digests)))
    assert first.docs and again.docs == ()
    assert again.listings == ()
    damaged = plan_outputs(inputs(stored=dict(first.digests), damaged=frozenset({"all.rss"})))
    assert [d.path for d in damaged.docs] == ["all.rss"]


def test_a_settings_change_renders_everything() -> None:
    first = plan_outputs(inputs())
    changed = replace(SETTINGS, fingerprint="another title")
    plan = plan_outputs(inputs(settings=changed, stored=dict(first.digests)))
    assert {d.path for d in plan.docs} == {d.path for d in first.docs}
    assert set(plan.listings) == {"index.html", "feeds.opml", "feed.xsl"}


def test_the_planner_imports_no_io() -> None:
    """The planner, and every feeds module it imports, import no store, writer, sqlite3 or os.

    (Importing ``feeds.publish.plan`` runs ``feeds/publish/__init__.py`` too, which imports
    nothing.)"""
    root = Path(feeds.__file__).parent
    seen: set[str] = set()
    todo = ["", "publish", "publish.plan"]  # the packages run on import too
    forbidden = {"sqlite3", "os", "shutil", "pathlib", "feeds.store.db", "feeds.publish.write"}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = root / name.replace(".", "/")
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            for imported in names:
                assert imported not in forbidden, (name, imported)
                assert not imported.startswith("feeds.store."), (name, imported)
                if imported.startswith("feeds."):
                    todo.append(imported.removeprefix("feeds."))
    assert {"publish.plan", "publish.archive", "address", "records"} <= seen


def test_archive_pages_are_rendered_in_the_order_of_the_history_they_hold() -> None:
    # all has 4 pages, a section 2, an author 1: page p of n holds about the (p - 1/2)/n
    # quantile of its feed's history, so pages sharing entries are rendered together.
    pages = {("all", p) for p in range(1, 5)} | {("sections/x", 1), ("sections/x", 2)}
    pages |= {("authors/y", 1)}
    counts = {"all": 4, "sections/x": 2, "authors/y": 1}
    assert _in_render_order(pages, counts) == (
        ("all", 1),
        ("sections/x", 1),
        ("all", 2),
        ("authors/y", 1),
        ("all", 3),
        ("sections/x", 2),
        ("all", 4),
    )
