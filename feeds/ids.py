"""Slugs, story keys and RFC 4151 ``tag:`` URIs. Pure; their output must stay stable forever."""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from urllib.parse import quote

_APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u2032`\u00b4"
_DOUBLE_QUOTES = '"\u201c\u201d\u201e\u201f\u2033'
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_FOLD_TABLE = str.maketrans(
    {
        **{c: "'" for c in _APOSTROPHES},
        **{c: '"' for c in _DOUBLE_QUOTES},
        **{c: "-" for c in _DASHES},
        "\u201a": "'",
    }
)
_SPACES = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_MAX_SLUG = 80

# RFC 4151 section 2.1: specific = *( pchar / "/" / "?" ); pchar per RFC 3986.
_TAG_SPECIFIC_SAFE = "/?:@!$&'()*+,;=-._~"
_TAG_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_TAG_AUTHORITY = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def fold_punctuation(text: str) -> str:
    """Map curly quotes, primes and dashes to their ASCII forms."""
    return text.translate(_FOLD_TABLE)


# Teasers repeat the headlines of recent articles in file after file.
@functools.lru_cache(maxsize=16_384)
def story_key(headline: str) -> str:
    """A story's identity across files: its headline, case, quotes, dashes and spaces folded."""
    text = unicodedata.normalize("NFKC", headline)
    text = fold_punctuation(text).casefold()
    return _SPACES.sub(" ", text).strip()


@functools.lru_cache(maxsize=8192)
def slugify(text: str) -> str:
    """A URL-safe slug: ASCII lower case, digits and single hyphens.

    Apostrophes vanish rather than split a word (``Children's`` → ``childrens``)
    and accents are dropped (``Zoë`` → ``zoe``). Text with no Latin letters at
    all gets a short digest, so every name still has a stable, distinct slug.
    """
    folded = fold_punctuation(unicodedata.normalize("NFKD", text))
    # Most headlines are ASCII already: only the others need their accents taken off.
    ascii_text = (
        folded if folded.isascii() else "".join(c for c in folded if not unicodedata.combining(c))
    )
    ascii_text = ascii_text.replace("'", "").lower()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > _MAX_SLUG:
        slug = slug[:_MAX_SLUG].rsplit("-", 1)[0] or slug[:_MAX_SLUG]
    if not slug:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        slug = f"u-{digest}"
    return slug


def is_valid_tag_authority(authority: str) -> bool:
    """True for a lower-case DNS name (RFC 4151 ``authorityName``, e-mail form not accepted)."""
    return bool(_TAG_AUTHORITY.match(authority))


def is_valid_tag_date(value: str) -> bool:
    """True for ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    return bool(_TAG_DATE.match(value))


def tag_uri(authority: str, date: str, specific: str) -> str:
    """An RFC 4151 tag URI; the specific part is percent-encoded so the result is ASCII."""
    return f"tag:{authority},{date}:{quote(specific, safe=_TAG_SPECIFIC_SAFE)}"
