"""Stories from many seed files → one story per headline. Pure.

The same story appears as a full article in one file and as a teaser in
others. Stories with the same key (folded headline) are one: the full text
wins, and a date or byline known only from a teaser fills the gap. Ties are
broken by source name, so the result does not depend on reading order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from feeds.records import MergedStory, Story


def merge_stories(stories: Iterable[Story]) -> list[MergedStory]:
    """One ``MergedStory`` per distinct key, sorted by key."""
    groups: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        groups[story.key].append(story)
    return [merge_group(groups[key]) for key in sorted(groups)]


def merge_group(group: list[Story]) -> MergedStory:
    """Merge stories that share one key (``group`` must not be empty)."""
    ordered = sorted(group, key=lambda s: (s.kind != "article", s.source, s.line))
    primary = ordered[0]
    authors = primary.authors or next((s.authors for s in ordered if s.authors), ())
    when = primary.date or next((s.date for s in ordered if s.date), None)
    return MergedStory(
        kind=primary.kind,
        key=primary.key,
        headline=primary.headline,
        section=primary.section,
        authors=authors,
        date=when,
        summary=primary.summary,
        paragraphs=primary.paragraphs,
        sources=tuple(sorted({s.source for s in group})),
        origin=primary.source if primary.kind == "article" else None,
    )
