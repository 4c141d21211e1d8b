"""Seed text → typed stories. Pure: no file access, no clock.

This is the one place where a line of a scraped article page becomes a field
of an entry. The layout (blocks separated by a blank line)::

    Title                         scraper's placeholder, skipped (may be absent)
    CHILDREN'S SERVICES           section label, upper case
    Headline
    Standfirst                    becomes the summary
    Standfirst again              dropped when it folds equal to the standfirst
    Body paragraphs ...
    LABEL / Headline / By A | 12 February 2026 / Teaser text...   (zero or more)
    Popular articles by Author    the main article's byline (may be absent)

Teasers are recognised by their shape (label, headline, byline-or-date,
text) working back from the end, so a body paragraph in capitals is never
mistaken for one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

from feeds.errors import SeedEncodingError, SeedLayoutError, SeedTooLarge
from feeds.ids import slugify, story_key
from feeds.records import Author, ParsedSeed, Section, Story

DEFAULT_MAX_SEED_BYTES = 5 * 1024 * 1024
# Limits on one seed, so that the work and output of a run stay in proportion to its
# input (a byline of 10,000 names would otherwise make 10,000 author feeds).
MAX_BYLINE_NAMES = 1_000
MAX_PARAGRAPHS = 5_000
MAX_PARAGRAPH_CHARS = 100_000
# Stray NUL bytes are dropped; more than this share of the file makes it a binary file.
_MAX_NUL_SHARE = 0.1

# XML 1.0 `Char` production, plus C1 controls: XML allows those but
# discourages them (section 2.2), and in scraped text they are always mojibake.
_XML_INVALID = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FOOTER = re.compile(r"^Popular articles by\b\s*(?P<names>.*)$", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+(?P<names>[^|]+?)\s*\|\s*(?P<date>.*)$")
_BARE_DATE = re.compile(r"^(?P<date>\d{1,2}\s+[A-Za-z]+\.?\s+\d{4})$")
_NAME_SEPARATORS = re.compile(r"\s*,\s*|\s+and\s+|\s*&\s*")
# Post-nominals and generational suffixes: part of the name before them.
_NAME_SUFFIX = re.compile(r"^(?:[A-Z]{2,5}|Jr\.?|Sr\.?|PhD|Hon\.?)$")
_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to"})
_EDITOR_LEFTOVER_SUFFIXES = ("~", ".tmp", ".swp", ".part")
_MAX_LABEL_CHARS = 80
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y")


class _Block(NamedTuple):
    line: int
    text: str


def is_editor_leftover(name: str) -> bool:
    """True for files an editor or a copy leaves behind, which are never seeds."""
    return name.startswith(".") or name.endswith(_EDITOR_LEFTOVER_SUFFIXES)


def clean_text(text: str) -> str:
    """Drop characters XML 1.0 cannot carry, fold every space (U+00A0 too) and trim."""
    return " ".join(_XML_INVALID.sub("", text).split())


def section_display_name(label: str) -> str:
    """``CHILDREN'S SERVICES`` → ``Children's Services`` (``str.title`` gives ``Children'S``)."""
    words = label.lower().split(" ")
    out = []
    for i, word in enumerate(words):
        if i > 0 and word in _SMALL_WORDS:
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


@functools.lru_cache(maxsize=4096)
def split_names(names: str) -> tuple[Author, ...]:
    """``A, B and C`` → three authors; a suffix such as ``CBE`` stays with its name."""
    parts: list[str] = []
    for part in _NAME_SEPARATORS.split(names.strip()):
        part = part.strip()
        if not part:
            continue
        if parts and _NAME_SUFFIX.match(part):
            parts[-1] = f"{parts[-1]}, {part}"
        else:
            parts.append(part)
    seen: dict[str, Author] = {}
    for name in parts:
        seen.setdefault(name, Author(name=name, slug=slugify(name)))
    return tuple(seen.values())


# A corpus repeats a few thousand dates; strptime costs about 10 us a call.
@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> date | None:
    """``12 February 2026`` → a date; ``None`` when it is not one."""
    text = text.rstrip(".").replace(".", "")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def decode_seed(data: bytes, source: str, max_bytes: int = DEFAULT_MAX_SEED_BYTES) -> ParsedSeed:
    """Seed file bytes → stories, enforcing the size limit and the encoding rules.

    UTF-8 (with or without a BOM) is the format. Bytes that are not UTF-8 but
    decode cleanly as Windows-1252 *and* have the seed layout are accepted
    with a warning, because that is what an old editor saves; anything else
    is rejected naming the first bad byte.
    """
    if len(data) > max_bytes:
        raise SeedTooLarge(source, f"file is {len(data)} bytes, over the limit of {max_bytes}")
    if b"\x00" not in data:
        return _decode(data, source)
    line = data[: data.index(b"\x00")].count(b"\n") + 1
    nuls = data.count(b"\x00")
    binary = SeedEncodingError(source, "binary file (NUL bytes)", line=line)
    if nuls > len(data) * _MAX_NUL_SHARE:
        raise binary
    # A few stray NULs in what is otherwise text are dropped, like other control characters.
    try:
        parsed = _decode(data.replace(b"\x00", b""), source)
    except SeedEncodingError:
        raise binary from None
    dropped = f"{source}:{line}: {nuls} NUL byte{'s' if nuls > 1 else ''} dropped"
    return ParsedSeed(parsed.source, parsed.article, parsed.teasers, (dropped, *parsed.warnings))


def _decode(data: bytes, source: str) -> ParsedSeed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        utf8_error = SeedEncodingError(
            source, f"invalid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})", line=line
        )
        try:
            legacy = data.decode("cp1252")
        except UnicodeDecodeError:
            raise utf8_error from err
        try:
            parsed = normalise_seed(legacy, source)
        except SeedLayoutError:
            raise utf8_error from err
        warning = f"{source}: not UTF-8; decoded as Windows-1252"
        return ParsedSeed(parsed.source, parsed.article, parsed.teasers, (warning,))
    return normalise_seed(text, source)


def normalise_seed(text: str, source: str) -> ParsedSeed:
    """Seed text → its article and teasers. Raises ``SeedLayoutError`` naming the line at fault."""
    blocks = list(_blocks(text))
    if not blocks:
        raise SeedLayoutError(source, "empty file: expected a section label and a headline")
    if blocks[0].text == "Title":
        blocks = blocks[1:]
    authors: tuple[Author, ...] = ()
    if blocks and (footer := _FOOTER.match(blocks[-1].text)):
        authors = _byline(footer["names"], source, blocks[-1].line)
        blocks = blocks[:-1]
    if not blocks:
        raise SeedLayoutError(source, "no article: expected a section label and a headline")

    label = blocks[0]
    if not _is_label(label.text):
        raise SeedLayoutError(
            source,
            f"expected an upper-case section label, found {_quote(label.text)}",
            line=label.line,
            field="section",
        )
    section = _section(label.text)
    if len(blocks) < 2:
        raise SeedLayoutError(
            source, "no headline after the section label", line=label.line, field="headline"
        )
    headline = blocks[1]
    if len(blocks) < 3:
        raise SeedLayoutError(
            source, "no standfirst after the headline", line=headline.line, field="summary"
        )
    standfirst = blocks[2].text

    rest = blocks[3:]
    teasers: list[Story] = []
    while len(rest) >= 4 and (teaser := _teaser(rest[-4:], source)) is not None:
        teasers.append(teaser)
        rest = rest[:-4]
    teasers.reverse()

    _check_body(rest, source)
    body = [b.text for b in rest]
    if body and story_key(body[0]) == story_key(standfirst):
        body = body[1:]
    article = Story(
        kind="article",
        key=story_key(headline.text),
        headline=headline.text,
        section=section,
        authors=authors,
        date=None,
        summary=standfirst,
        paragraphs=(standfirst, *body),
        source=source,
        line=headline.line,
    )
    return ParsedSeed(source=source, article=article, teasers=tuple(teasers))


def _byline(names: str, source: str, line: int) -> tuple[Author, ...]:
    authors = split_names(names)
    if len(authors) > MAX_BYLINE_NAMES:
        raise SeedLayoutError(
            source,
            f"{len(authors)} names, over the limit of {MAX_BYLINE_NAMES}",
            line=line,
            field="byline",
        )
    return authors


def _check_body(body: list[_Block], source: str) -> None:
    if len(body) > MAX_PARAGRAPHS:
        raise SeedLayoutError(
            source,
            f"{len(body)} paragraphs, over the limit of {MAX_PARAGRAPHS}",
            line=body[MAX_PARAGRAPHS].line,
            field="body",
        )
    for block in body:
        if len(block.text) > MAX_PARAGRAPH_CHARS:
            raise SeedLayoutError(
                source,
                f"a paragraph of {len(block.text)} characters, over the limit of"
                f" {MAX_PARAGRAPH_CHARS}",
                line=block.line,
                field="body",
            )


def _blocks(text: str) -> Iterable[_Block]:
    """Blank-line separated blocks with the line each starts on; lines inside a block are joined."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    # One pass over the whole text, not one per line: this is the hot loop of a cold publish.
    text = _XML_INVALID.sub("", text)
    start = 0
    lines: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = " ".join(raw.split())  # str.split() folds U+00A0 and every other space
        if line:
            if not lines:
                start = number
            lines.append(line)
        elif lines:
            yield _Block(start, " ".join(lines))
            lines = []
    if lines:
        yield _Block(start, " ".join(lines))


def _is_label(text: str) -> bool:
    return (
        len(text) <= _MAX_LABEL_CHARS
        and any(c.isalpha() for c in text)
        and text == text.upper()
        and not text.endswith((".", ":"))
    )


@functools.lru_cache(maxsize=1024)
def _section(label: str) -> Section:
    name = section_display_name(label)
    return Section(name=name, slug=slugify(name))


def _teaser(window: list[_Block], source: str) -> Story | None:
    """The four blocks as a teaser, or ``None`` when they do not have a teaser's shape."""
    label, headline, byline, text = window
    if not _is_label(label.text):
        return None
    if match := _BYLINE.match(byline.text):
        authors = _byline(match["names"], source, byline.line)
        date_text = match["date"]
    elif match := _BARE_DATE.match(byline.text):
        authors = ()
        date_text = match["date"]
    else:
        return None
    when = parse_date(date_text)
    if when is None:
        raise SeedLayoutError(
            source,
            f"expected a date like '12 February 2026', found {_quote(date_text)}",
            line=byline.line,
            field="byline",
        )
    return Story(
        kind="teaser",
        key=story_key(headline.text),
        headline=headline.text,
        section=_section(label.text),
        authors=authors,
        date=when,
        summary=text.text,
        paragraphs=(),
        source=source,
        line=headline.line,
    )


def _quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
