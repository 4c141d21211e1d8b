"""Config: zero config works, every key validated, unknown keys refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config import Config, config_from_mapping, load_config, with_overrides
from feeds.errors import ConfigError


def test_zero_config_defaults(tmp_path: Path) -> None:
    config = load_config(None, tmp_path)
    assert config.base_url == "http://localhost:8080/"
    assert config.seeds == tmp_path / "seeds"
    assert config.output == tmp_path / "output"
    assert config.store == tmp_path / ".feeds/state.sqlite"
    assert (config.max_entries, config.teasers) == (50, True)
    assert config.formats == ("atom", "rss", "json")
    assert config.timezone == "UTC"


def test_full_file(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text(
        """
[site]
title = "Council News"
base_url = "https://news.example.org/feeds"
tag_date = 2019-05-01
language = "en-GB"
timezone = "Europe/London"

[publish]
seeds = "articles"
output = "/srv/www/feeds"
max_entries = 30
formats = ["rss"]
teasers = false

[sections]
childrens-services = "Children & Families"

[watch]
interval = 10
settle = 0.5
"""
    )
    config = load_config(None, tmp_path)
    assert config.base_url == "https://news.example.org/feeds/"
    assert config.tag_authority == "news.example.org"  # from base_url unless set
    assert config.tag_date == "2019-05-01"
    assert config.seeds == tmp_path / "articles"
    assert config.output == Path("/srv/www/feeds")
    assert config.formats == ("rss",)
    assert config.section_name("childrens-services", "x") == "Children & Families"
    assert (config.interval, config.settle) == (10.0, 0.5)


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({"site": {"colour": "blue"}}, "site.colour", "unknown key"),
        ({"styles": {}}, "styles", "unknown table"),
        ({"site": {"base_url": "ftp://x"}}, "site.base_url", "absolute http"),
        ({"site": {"base_url": "/relative"}}, "site.base_url", "absolute http"),
        ({"site": {"tag_authority": "Not A Domain"}}, "site.tag_authority", "domain"),
        ({"site": {"tag_date": "yesterday"}}, "site.tag_date", "YYYY"),
        ({"site": {"timezone": "Mars/Olympus"}}, "site.timezone", "unknown time zone"),
        ({"site": {"title": ""}}, "site.title", "non-empty"),
        ({"site": {"language": "en GB"}}, "site.language", "language tag"),
        ({"publish": {"max_entries": 0}}, "publish.max_entries", "at least 1"),
        ({"publish": {"max_entries": True}}, "publish.max_entries", "whole number"),
        ({"publish": {"formats": ["atom", "xml"]}}, "publish.formats", "drawn from"),
        ({"publish": {"formats": []}}, "publish.formats", "non-empty"),
        ({"publish": {"teasers": "yes"}}, "publish.teasers", "true or false"),
        ({"watch": {"interval": -1}}, "watch.interval", "seconds"),
        ({"sections": {"x": 3}}, "sections.x", "non-empty string"),
        ({"site": "nope"}, "site", "must be a table"),
    ],
)
def test_bad_values_name_the_key(data: dict[str, object], key: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping(data, "feeds.toml")
    assert str(info.value).startswith(f"feeds.toml: {key}: ")
    assert message in str(info.value)


def test_unreadable_or_invalid_toml(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.toml"
    bad.write_text("[site\n")
    with pytest.raises(ConfigError, match=r"feeds.toml: not valid TOML"):
        load_config(bad, tmp_path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml", tmp_path)


def test_flags_override_file() -> None:
    config = with_overrides(Config(), seeds=Path("/x"), output=None)
    assert config.seeds == Path("/x") and config.output == Path("output")


def test_render_fingerprint_follows_what_shows() -> None:
    base = Config()
    assert base.render_fingerprint() == Config().render_fingerprint()
    assert base.render_fingerprint() != with_overrides(base, title="Other").render_fingerprint()
    assert base.render_fingerprint() == with_overrides(base, interval=5.0).render_fingerprint()
