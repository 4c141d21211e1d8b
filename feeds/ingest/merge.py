"""Stories from many seed files → one entry per story. Pure.

The same story appears as a full article in one file and as a teaser in
others. Stories with the same key (folded headline) are one: the full text
wins, and a date or byline known only from a teaser fills the gap. Ties are
broken by source name, so the result does not depend on reading order.

Two full articles with the same headline but different paragraphs are two
stories, not one: they are *variants*. The variant whose first file sorts
first keeps the headline's key (and takes the teasers); each other variant is
keyed by ``variant_key(key, its first file)``, so it keeps its own entry for as
long as that file holds it. Identical copies of an article are one variant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace

from feeds.records import MergedStory, Story

# Never inside a folded headline (whitespace is folded to spaces), so a variant's
# key can never equal a headline's.
_VARIANT_MARK = "\x1f"


def variant_key(key: str, source: str) -> str:
    """The key of a second (third, ...) article headed like ``key``, first held by ``source``."""
    return f"{key}{_VARIANT_MARK}{source}"


def base_key(key: str) -> str:
    """The headline key a story key belongs to (itself, unless it is a variant's)."""
    return key.partition(_VARIANT_MARK)[0]


def article_variants(texts: Iterable[tuple[str, Hashable]]) -> list[list[str]]:
    """Sources grouped by equal text: each group sorted, groups in order of their first source."""
    groups: dict[Hashable, list[str]] = defaultdict(list)
    for source, text in texts:
        groups[text].append(source)
    return sorted((sorted(sources) for sources in groups.values()), key=lambda g: g[0])


def entry_origins(articles: Mapping[str, Sequence[tuple[str, Hashable]]]) -> dict[str, str | None]:
    """For each headline key, ``{story key: origin}`` of the stories it will give.

    ``articles`` maps each key to the (source, text) of its full articles (empty
    for a key only teasers mention). The split is the one ``merge_stories`` makes.
    """
    out: dict[str, str | None] = {}
    for key, texts in articles.items():
        variants = article_variants(texts)
        if not variants:
            out[key] = None
        for n, sources in enumerate(variants):
            out[key if n == 0 else variant_key(key, sources[0])] = sources[0]
    return out


def merge_stories(stories: Iterable[Story]) -> list[MergedStory]:
    """One ``MergedStory`` per distinct key (and per variant of it), sorted by key."""
    groups: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        groups[story.key].append(story)
    return [merged for key in sorted(groups) for merged in merge_group(groups[key])]


def merge_group(group: list[Story]) -> list[MergedStory]:
    """Merge stories that share one key (``group`` must not be empty): one per variant."""
    articles = [s for s in group if s.kind == "article"]
    teasers = [s for s in group if s.kind != "article"]
    variants = article_variants((s.source, s.paragraphs) for s in articles)
    if not variants:
        return [_merge(teasers, group[0].key)]
    by_source = {s.source: s for s in articles}
    merged = []
    for n, sources in enumerate(variants):
        members = [by_source[source] for source in sources]
        if n == 0:
            merged.append(_merge(members + teasers, group[0].key))
        else:
            merged.append(_merge(members, variant_key(group[0].key, sources[0])))
    return merged


def cap_authors(story: MergedStory, limit: int) -> MergedStory:
    """At most ``limit`` authors get the story in their feeds; the others are named in
    its text (a last paragraph), so a huge byline costs one paragraph, not a feed each."""
    if len(story.authors) <= limit:
        return story
    rest = ", ".join(a.name for a in story.authors[limit:])
    paragraphs = (*story.paragraphs, f"Also by {rest}.") if story.paragraphs else ()
    return replace(story, authors=story.authors[:limit], paragraphs=paragraphs)


def _merge(group: list[Story], key: str) -> MergedStory:
    ordered = sorted(group, key=lambda s: (s.kind != "article", s.source, s.line))
    primary = ordered[0]
    authors = primary.authors or next((s.authors for s in ordered if s.authors), ())
    when = primary.date or next((s.date for s in ordered if s.date), None)
    return MergedStory(
        kind=primary.kind,
        key=key,
        headline=primary.headline,
        section=primary.section,
        authors=authors,
        date=when,
        summary=primary.summary,
        paragraphs=primary.paragraphs,
        sources=tuple(sorted({s.source for s in group})),
        origin=primary.source if primary.kind == "article" else None,
    )
