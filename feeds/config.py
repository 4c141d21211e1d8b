"""``feeds.toml`` → a frozen ``Config``, validated key by key.

Zero config works: every key has a default. Relative paths are resolved
against the folder of the config file (the working directory when there is
none). An unknown key or a bad value raises ``ConfigError`` naming it.

Validation is written out here rather than done with a schema library: the
file is small, the messages are better, and ``feeds publish`` run from cron
every minute should not pay for importing one.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeds.deploy.settings import DeploySettings, deploy_settings
from feeds.errors import ConfigError
from feeds.ids import is_valid_tag_authority, is_valid_tag_date
from feeds.ingest.normalise import DEFAULT_MAX_SEED_BYTES

CONFIG_NAME = "feeds.toml"
FORMATS = ("atom", "rss", "json")
DEFAULT_BASE_URL = "http://localhost:8080/"


@dataclass(frozen=True)
class Config:
    """Every setting, with its default. Built once at the edge; nothing below reads files or env."""

    # [site]
    title: str = "feeds"
    base_url: str = "http://localhost:8080/"  # DEFAULT_BASE_URL
    tag_authority: str = "localhost"
    tag_date: str = "2026"
    language: str = "en"
    timezone: str = "UTC"
    # [publish]
    seeds: Path = Path("seeds")
    output: Path = Path("output")
    store: Path = Path(".feeds/state.sqlite")
    max_entries: int = 50
    formats: tuple[str, ...] = FORMATS
    teasers: bool = True
    max_seed_bytes: int = DEFAULT_MAX_SEED_BYTES
    tombstone_days: int = 30
    corrections_days: int = 14
    max_authors: int = 20
    # [sections] slug → display name
    section_names: tuple[tuple[str, str], ...] = ()
    # [watch]
    interval: float = 30.0
    settle: float = 2.0
    # [serve]
    host: str = "127.0.0.1"
    port: int = 8080
    # [websub]
    hubs: tuple[str, ...] = ()
    hub_timeout: float = 5.0
    hub_retries: int = 3
    # [deploy]: None when the output is not put in object storage
    deploy: DeploySettings | None = None
    # Where the settings came from, for messages.
    source: str = "defaults"

    def address_warning(self) -> str | None:
        """A line saying ids are being minted for ``localhost`` while base_url is the default."""
        if self.base_url != DEFAULT_BASE_URL or self.tag_authority != "localhost":
            return None
        return (
            "site.base_url is not set: ids are being minted for localhost"
            f" (tag:localhost,{self.tag_date}:...) and kept forever; set site.base_url"
            f" in {CONFIG_NAME} to the address readers will use before publishing for real"
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def section_name(self, slug: str, default: str) -> str:
        """The display name of a section, after the ``[sections]`` overrides."""
        return dict(self.section_names).get(slug, default)

    def render_fingerprint(self) -> str:
        """A digest of every setting that shows in rendered files: a change re-renders them."""
        shown = {
            "title": self.title,
            "base_url": self.base_url,
            "tag": [self.tag_authority, self.tag_date],
            "language": self.language,
            "timezone": self.timezone,
            "max_entries": self.max_entries,
            "formats": self.formats,
            "teasers": self.teasers,
            "sections": self.section_names,
            "hubs": self.hubs,
            "tombstone_days": self.tombstone_days,
        }
        return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


# (table, key) → (Config field, converter)
Converter = Callable[[Any, str], Any]


def _str(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value.strip()


def _text(value: Any, key: str) -> str:
    """Text shown in the feeds and pages: what XML 1.0 can carry (lxml refuses the rest)."""
    text = _str(value, key)
    bad = next((c for c in text if _not_xml_text(c)), None)
    if bad is not None:
        raise ValueError(f"must not hold control characters (it holds U+{ord(bad):04X})")
    return text


def _not_xml_text(char: str) -> bool:
    code = ord(char)
    return (
        (code < 0x20 and char not in "\t\n\r")
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
    )


def _path(value: Any, key: str) -> Path:
    return Path(_str(value, key))


def _whole(low: int, high: int) -> Converter:
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


def _days(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise ValueError("must be a whole number of days from 0 to 3650")
    return value


def _seconds(value: Any, key: str) -> float:
    seconds = _number(value, key)
    if not 0 <= seconds <= 3600:
        raise ValueError("must be a number of seconds from 0 to 3600")
    return seconds


def _interval(value: Any, key: str) -> float:
    seconds = _number(value, key)
    if not 0.1 <= seconds <= 86400:
        raise ValueError("must be a number of seconds from 0.1 to 86400")
    return seconds


def _timeout(value: Any, key: str) -> float:
    seconds = _number(value, key)
    if not 0.1 <= seconds <= 300:
        raise ValueError("must be a number of seconds from 0.1 to 300")
    return seconds


# RFC 3986: unreserved, reserved and percent-encoding characters, nothing else.
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _base_url(value: Any, key: str) -> str:
    url = _str(value, key)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("must be an absolute http:// or https:// URL without query or fragment")
    if not _URL_CHARS.fullmatch(url):
        # It is written into XML, HTML and a processing instruction: only URL characters.
        raise ValueError("must hold only URL characters (no spaces, quotes, < or >)")
    return url if url.endswith("/") else url + "/"


def _tag_authority(value: Any, key: str) -> str:
    authority = _str(value, key)
    if not is_valid_tag_authority(authority):
        raise ValueError("must be a lower-case domain name you own, such as example.org")
    return authority


def _tag_date(value: Any, key: str) -> str:
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


def _timezone(value: Any, key: str) -> str:
    name = _str(value, key)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown time zone {name!r}") from err
    return name


def _formats(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or any(v not in FORMATS for v in value):
        raise ValueError(f"must be a non-empty list drawn from {list(FORMATS)}")
    return tuple(f for f in FORMATS if f in value)


def _port(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError("must be a port number from 0 to 65535")
    return value


def _retries(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ValueError("must be a whole number from 0 to 10")
    return value


def _hubs(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("must be a list of hub URLs")
    hubs = []
    for item in value:
        url = _str(item, key)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{url!r} is not an absolute http:// or https:// URL")
        hubs.append(url)
    return tuple(dict.fromkeys(hubs))


def _language(value: Any, key: str) -> str:
    lang = _str(value, key)
    if not all(part.isalnum() and part.isascii() for part in lang.split("-")):
        raise ValueError("must be a language tag such as en or en-GB")
    return lang


_KEYS: dict[str, dict[str, tuple[str, Converter]]] = {
    "site": {
        "title": ("title", _text),
        "base_url": ("base_url", _base_url),
        "tag_authority": ("tag_authority", _tag_authority),
        "tag_date": ("tag_date", _tag_date),
        "language": ("language", _language),
        "timezone": ("timezone", _timezone),
    },
    "publish": {
        "seeds": ("seeds", _path),
        "output": ("output", _path),
        "store": ("store", _path),
        "max_entries": ("max_entries", _whole(1, 10_000)),
        "max_authors": ("max_authors", _whole(1, 1_000)),
        "formats": ("formats", _formats),
        "teasers": ("teasers", _bool),
        "max_seed_bytes": ("max_seed_bytes", _whole(1, 1 << 30)),
        "tombstone_days": ("tombstone_days", _whole(1, 3650)),
        "corrections_days": ("corrections_days", _days),
        "settle": ("settle", _seconds),
    },
    "watch": {
        "interval": ("interval", _interval),
        "settle": ("settle", _seconds),  # its first home, still read
    },
    "serve": {
        "host": ("host", _str),
        "port": ("port", _port),
    },
    "websub": {
        "hubs": ("hubs", _hubs),
        "timeout": ("hub_timeout", _timeout),
        "retries": ("hub_retries", _retries),
    },
}
_PATH_FIELDS = ("seeds", "output", "store")


def load_config(path: Path | None, cwd: Path) -> Config:
    """Read ``path`` (or ``cwd/feeds.toml`` when it exists) into a validated ``Config``."""
    if path is None:
        candidate = cwd / CONFIG_NAME
        if not candidate.is_file():
            return _resolve_paths(Config(), cwd)
        path = candidate
    name = str(path)
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except OSError as err:
        raise ConfigError(name, None, f"cannot read: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(name, None, f"not valid TOML: {err}") from err
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        raise ConfigError(
            name, None, f"line {line}: not UTF-8 (byte 0x{err.object[err.start]:02x})"
        ) from err
    return _resolve_paths(config_from_mapping(data, name), path.parent)


def config_from_mapping(data: Mapping[str, Any], source: str) -> Config:
    """Validate parsed TOML into a ``Config`` (paths still relative)."""
    values: dict[str, Any] = {"source": source}
    site_url_given = False
    for table, content in data.items():
        if table == "sections":
            values["section_names"] = _section_names(content, source)
            continue
        if table == "deploy":
            values["deploy"] = deploy_settings(content, source)
            continue
        keys = _KEYS.get(table)
        if keys is None:
            raise ConfigError(source, table, f"unknown table (known: {', '.join(_TABLES)})")
        if not isinstance(content, dict):
            raise ConfigError(source, table, "must be a table")
        for key, value in content.items():
            if key not in keys:
                raise ConfigError(
                    source, f"{table}.{key}", f"unknown key (known: {', '.join(keys)})"
                )
            field_name, convert = keys[key]
            try:
                values[field_name] = convert(value, key)
            except ValueError as err:
                raise ConfigError(source, f"{table}.{key}", str(err)) from None
            site_url_given |= table == "site" and key == "base_url"
    if site_url_given and "tag_authority" not in values:
        # Ids are minted from the site's own domain unless told otherwise; they are
        # stored, so a later change of base_url does not change existing ids.
        host = urlsplit(values["base_url"]).hostname or "localhost"
        values["tag_authority"] = host
    return Config(**values)


_TABLES = (*_KEYS, "sections", "deploy")


def _section_names(content: Any, source: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(content, dict):
        raise ConfigError(source, "sections", "must be a table of slug = display name")
    names = []
    for slug, name in content.items():
        try:
            names.append((slug, _text(name, slug)))
        except ValueError as err:
            raise ConfigError(source, f"sections.{slug}", str(err)) from None
    return tuple(sorted(names))


def _resolve_paths(config: Config, base: Path) -> Config:
    changes = {name: base / getattr(config, name) for name in _PATH_FIELDS}
    return _replace(config, **changes)


def with_overrides(config: Config, **overrides: Any) -> Config:
    """Apply command-line flags (``None`` means not given) over the file's values."""
    return _replace(config, **{k: v for k, v in overrides.items() if v is not None})


def _replace(config: Config, **changes: Any) -> Config:
    known = {f.name for f in fields(Config)}
    unknown = set(changes) - known
    if unknown:
        raise TypeError(f"unknown Config fields: {sorted(unknown)}")
    return replace(config, **changes)
