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
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from feeds import config_values as checks
from feeds.config_values import FORMATS, Converter
from feeds.deploy.settings import DeploySettings, deploy_settings
from feeds.errors import ConfigError
from feeds.ingest.normalise import DEFAULT_MAX_SEED_BYTES

CONFIG_NAME = "feeds.toml"
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
_KEYS: dict[str, dict[str, tuple[str, Converter]]] = {
    "site": {
        "title": ("title", checks.text),
        "base_url": ("base_url", checks.base_url),
        "tag_authority": ("tag_authority", checks.tag_authority),
        "tag_date": ("tag_date", checks.tag_date),
        "language": ("language", checks.language),
        "timezone": ("timezone", checks.timezone),
    },
    "publish": {
        "seeds": ("seeds", checks.path),
        "output": ("output", checks.path),
        "store": ("store", checks.path),
        "max_entries": ("max_entries", checks.whole(1, 10_000)),
        "max_authors": ("max_authors", checks.whole(1, 1_000)),
        "formats": ("formats", checks.formats),
        "teasers": ("teasers", checks.boolean),
        "max_seed_bytes": ("max_seed_bytes", checks.whole(1, 1 << 30)),
        "tombstone_days": ("tombstone_days", checks.whole(1, 3650)),
        "corrections_days": ("corrections_days", checks.days),
        "settle": ("settle", checks.seconds(0, 3600)),
    },
    "watch": {
        "interval": ("interval", checks.seconds(0.1, 86400)),
        "settle": ("settle", checks.seconds(0, 3600)),  # its first home, still read
    },
    "serve": {
        "host": ("host", checks.nonempty),
        "port": ("port", checks.port),
    },
    "websub": {
        "hubs": ("hubs", checks.hubs),
        "timeout": ("hub_timeout", checks.seconds(0.1, 300)),
        "retries": ("hub_retries", checks.retries),
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
            names.append((slug, checks.text(name, slug)))
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
