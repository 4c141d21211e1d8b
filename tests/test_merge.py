"""Corpus merge: one entry per story, the full article winning over teasers."""

from __future__ import annotations

from datetime import date

from feeds.ingest.merge import base_key, entry_origins, merge_stories, variant_key
from feeds.ingest.normalise import normalise_seed


def seed(*blocks: str) -> str:
    return "\n\n".join(blocks)


FULL = seed(
    "NEWS",
    "Budget \u2018crisis\u2019 \u2013 councils warn",
    "Stand.",
    "Body.",
    "Popular articles by",  # a footer with no name: no byline for the article
)
TEASING = seed(
    "NEWS",
    "Other story",
    "Stand.",
    "NEWS",
    "BUDGET 'CRISIS' - COUNCILS  WARN",  # same story: case, quotes, dash, spacing differ
    "By Jo Bloggs | 2 March 2026",
    "Councils warn...",
    "NEWS",
    "Shared teaser",
    "1 March 2026",
    "Seen twice...",
)
TEASING_AGAIN = seed(
    "NEWS",
    "Third story",
    "Stand.",
    "NEWS",
    "Shared teaser",
    "1 March 2026",
    "Seen twice...",
)


def test_full_article_wins_and_teaser_fills_date_and_author() -> None:
    stories = [
        s
        for name, text in [("b.txt", TEASING), ("a.txt", FULL), ("c.txt", TEASING_AGAIN)]
        for s in normalise_seed(text, name).stories
    ]
    merged = {m.headline: m for m in merge_stories(stories)}
    assert set(merged) == {
        "Budget \u2018crisis\u2019 \u2013 councils warn",
        "Other story",
        "Shared teaser",
        "Third story",
    }
    budget = merged["Budget \u2018crisis\u2019 \u2013 councils warn"]
    assert budget.kind == "article"
    assert budget.paragraphs == ("Stand.", "Body.")
    assert budget.date == date(2026, 3, 2)
    assert [a.name for a in budget.authors] == ["Jo Bloggs"]
    assert budget.sources == ("a.txt", "b.txt")
    assert budget.origin == "a.txt"

    shared = merged["Shared teaser"]
    assert shared.kind == "teaser"
    assert shared.sources == ("b.txt", "c.txt")
    assert shared.origin is None


def test_merge_does_not_depend_on_reading_order() -> None:
    texts = [("a.txt", FULL), ("b.txt", TEASING), ("c.txt", TEASING_AGAIN)]
    forward = [s for n, t in texts for s in normalise_seed(t, n).stories]
    assert merge_stories(forward) == merge_stories(list(reversed(forward)))


def test_two_articles_with_one_headline_stay_two_stories() -> None:
    loud = seed("NEWS", "COUNCIL CUTS BUDGET", "Stand.", "Loud body.")
    quiet = seed("NEWS", "Council cuts budget", "Stand.", "Quiet body.")
    copy = quiet  # an identical copy is the same article
    stories = [
        s
        for name, text in [("b.txt", quiet), ("a.txt", loud), ("c.txt", copy)]
        for s in normalise_seed(text, name).stories
    ]
    merged = merge_stories(stories)
    assert [(m.headline, m.paragraphs[-1], m.sources, m.origin) for m in merged] == [
        ("COUNCIL CUTS BUDGET", "Loud body.", ("a.txt",), "a.txt"),
        ("Council cuts budget", "Quiet body.", ("b.txt", "c.txt"), "b.txt"),
    ]
    assert merged[0].key != merged[1].key
    assert base_key(merged[1].key) == merged[0].key
    assert merge_stories(list(reversed(stories))) == merged


def test_entry_origins_split_as_merge_does() -> None:
    articles = {
        "k": [("b.txt", "x"), ("a.txt", "y"), ("c.txt", "x")],
        "teased": [],
        "single": [("s.txt", "z")],
    }
    assert entry_origins(articles) == {
        "k": "a.txt",
        variant_key("k", "b.txt"): "b.txt",
        "teased": None,
        "single": "s.txt",
    }
