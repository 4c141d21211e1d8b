"""The values ``feeds.toml`` may hold, one checker each.

A checker takes the TOML value and its key and returns the typed value, or
raises ``ValueError`` with the reason; ``feeds.config`` names the key.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds.ids import is_valid_tag_authority, is_valid_tag_date

FORMATS = ("atom", "rss", "json")

Converter = Callable[[Any, str], Any]


def nonempty(value: Any, key: str) -> str:
    """A string with something in it, stripped."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


def text(value: Any, key: str) -> str:
    """Text shown in the feeds and pages: what XML 1.0 can carry (lxml refuses the rest)."""
    shown = nonempty(value, key)
    bad = next((c for c in shown if _not_xml_text(c)), None)
    if bad is not None:
        raise ValueError(f"must not hold control characters (it holds U+{ord(bad):04X})")
    return shown


def _not_xml_text(char: str) -> bool:
    code = ord(char)
    return (
        (code < 0x20 and char not in "\t\n\r")
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
    )


def path(value: Any, key: str) -> Path:
    return Path(nonempty(value, key))


def whole(low: int, high: int) -> Converter:
    """A converter for a whole number from ``low`` to ``high``."""

    def convert(value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return convert


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("must be a finite number of seconds")
    return float(value)


def days(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise ValueError("must be a whole number of days from 0 to 3650")
    return value


def seconds(low: float, high: float) -> Converter:
    """A converter for a number of seconds from ``low`` to ``high``."""

    def convert(value: Any, key: str) -> float:
        number = _number(value, key)
        if not low <= number <= high:
            raise ValueError(f"must be a number of seconds from {low:g} to {high:g}")
        return number

    return convert


# RFC 3986: unreserved, reserved and percent-encoding characters, nothing else.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def base_url(value: Any, key: str) -> str:
    url = nonempty(value, key)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("must be an absolute http:// or https:// URL without query or fragment")
    if not _URL_CHARS.fullmatch(url):
        # It is written into XML, HTML and a processing instruction: only URL characters.
        raise ValueError("must hold only URL characters (no spaces, quotes, < or >)")
    return url if url.endswith("/") else url + "/"


def tag_authority(value: Any, key: str) -> str:
    authority = nonempty(value, key)
    if not is_valid_tag_authority(authority):
        raise ValueError("must be a lower-case domain name you own, such as example.org")
    return authority


def tag_date(value: Any, key: str) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if not isinstance(text, str) or not is_valid_tag_date(text) or not _real_date(text):
        raise ValueError("must be a date you owned the domain on: YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def _real_date(text: str) -> bool:
    """``2026``, ``2026-02``, ``2026-02-28``: a year from 1, a month 1-12, a day in it."""
    try:
        date.fromisoformat((text + "-01-01")[:10])
    except ValueError:
        return False
    return text[:4] != "0000"


def timezone(value: Any, key: str) -> str:
    name = nonempty(value, key)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown time zone {name!r}") from err
    return name


def formats(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or any(v not in FORMATS for v in value):
        raise ValueError(f"must be a non-empty list drawn from {list(FORMATS)}")
    return tuple(f for f in FORMATS if f in value)


def port(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError("must be a port number from 0 to 65535")
    return value


def retries(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError("must be a whole number from 0 to 10")
    return value


def hubs(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("must be a list of hub URLs")
    hubs = []
    for item in value:
        url = nonempty(item, key)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{url!r} is not an absolute http:// or https:// URL")
        hubs.append(url)
    return tuple(dict.fromkeys(hubs))


def language(value: Any, key: str) -> str:
    lang = nonempty(value, key)
    if not all(part.isalnum() and part.isascii() for part in lang.split("-")):
        raise ValueError("must be a language tag such as en or en-GB")
    return lang
