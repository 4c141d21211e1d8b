"""Entries → the feeds to publish: all items, one per section, one per author. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from feeds.records import EntrySummary, FeedSpec


def newest_first(entry: EntrySummary) -> tuple[float, str]:
    """Sort key: latest ``updated`` first, ties broken by id so the order is total."""
    return (-entry.updated.timestamp(), entry.id)


def plan_feeds(
    entries: Sequence[EntrySummary],
    *,
    site_title: str,
    max_entries: int,
    section_name: Callable[[str, str], str],
    include_teasers: bool = True,
) -> list[FeedSpec]:
    """One ``FeedSpec`` for everything, each section and each author, in path order.

    Each lists its newest ``max_entries`` entries. Names that differ but share a
    slug (a straight and a curly apostrophe, say) are one feed, titled with the name that
    sorts first; ``section_name(slug, name)`` applies the config's overrides.
    """
    chosen = sorted(
        (e for e in entries if include_teasers or e.kind == "article"), key=newest_first
    )
    by_section: dict[str, list[EntrySummary]] = defaultdict(list)
    by_author: dict[str, list[EntrySummary]] = defaultdict(list)
    section_names: dict[str, set[str]] = defaultdict(set)
    author_names: dict[str, set[str]] = defaultdict(set)
    for entry in chosen:
        by_section[entry.section.slug].append(entry)
        section_names[entry.section.slug].add(entry.section.name)
        for slug in dict.fromkeys(a.slug for a in entry.authors):
            by_author[slug].append(entry)
        for author in entry.authors:
            author_names[author.slug].add(author.name)

    def ids(group: list[EntrySummary]) -> tuple[str, ...]:
        return tuple(e.id for e in group[:max_entries])

    specs = [
        FeedSpec(
            kind="all",
            slug="all",
            title=site_title,
            subtitle=f"The latest articles from {site_title}",
            entry_ids=ids(chosen),
        )
    ]
    for slug in sorted(by_section):
        name = section_name(slug, min(section_names[slug]))
        specs.append(
            FeedSpec(
                kind="section",
                slug=slug,
                title=f"{name} · {site_title}",
                subtitle=f"The latest {name} articles from {site_title}",
                entry_ids=ids(by_section[slug]),
            )
        )
    for slug in sorted(by_author):
        name = min(author_names[slug])
        specs.append(
            FeedSpec(
                kind="author",
                slug=slug,
                title=f"{name} · {site_title}",
                subtitle=f"The latest articles by {name} from {site_title}",
                entry_ids=ids(by_author[slug]),
            )
        )
    return specs
