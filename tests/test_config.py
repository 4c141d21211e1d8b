"""Config: zero config works, every key validated, unknown keys refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config import Config, config_from_mapping, load_config, with_overrides
from feeds.errors import ConfigError
from feeds.folders import check_folders


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
        ({"publish": {"max_entries": 0}}, "publish.max_entries", "from 1 to 10000"),
        ({"publish": {"max_entries": True}}, "publish.max_entries", "whole number"),
        ({"publish": {"formats": ["atom", "xml"]}}, "publish.formats", "drawn from"),
        ({"publish": {"formats": []}}, "publish.formats", "non-empty"),
        ({"publish": {"teasers": "yes"}}, "publish.teasers", "true or false"),
        ({"watch": {"interval": -1}}, "watch.interval", "seconds"),
        ({"sections": {"x": 3}}, "sections.x", "non-empty string"),
        ({"site": "nope"}, "site", "must be a table"),
        # Values that would do damage or crash later.
        ({"publish": {"max_entries": 99999999999999999999}}, "publish.max_entries", "1 to"),
        ({"publish": {"max_authors": 0}}, "publish.max_authors", "from 1 to 1000"),
        ({"publish": {"tombstone_days": 10**9}}, "publish.tombstone_days", "1 to 3650"),
        ({"publish": {"max_seed_bytes": 2**40}}, "publish.max_seed_bytes", "whole number"),
        ({"watch": {"interval": float("nan")}}, "watch.interval", "finite"),
        ({"watch": {"interval": float("inf")}}, "watch.interval", "finite"),
        ({"watch": {"interval": 1e300}}, "watch.interval", "0.1 to 86400"),
        ({"publish": {"settle": float("nan")}}, "publish.settle", "finite"),
        ({"websub": {"timeout": float("inf")}}, "websub.timeout", "finite"),
        ({"site": {"tag_date": "2026-13-40"}}, "site.tag_date", "YYYY"),
        ({"site": {"tag_date": "2026-02-30"}}, "site.tag_date", "YYYY"),
        ({"site": {"tag_date": "2026-00"}}, "site.tag_date", "YYYY"),
        ({"site": {"base_url": 'https://x.org/"a'}}, "site.base_url", "URL characters"),
        ({"site": {"base_url": "https://x.org/<b>"}}, "site.base_url", "URL characters"),
        ({"site": {"base_url": "https://x.org/a b"}}, "site.base_url", "URL characters"),
        # Text no XML document can carry: lxml refused it in the middle of a render.
        ({"site": {"title": "News\x01"}}, "site.title", "control characters (it holds U+0001)"),
        ({"site": {"title": "News \uffff"}}, "site.title", "(it holds U+FFFF)"),
        ({"sections": {"news": "A\x1fB"}}, "sections.news", "(it holds U+001F)"),
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


@pytest.mark.parametrize(
    ("paths", "key", "message"),
    [
        ({"output": "/"}, "publish.output", "not a folder feeds may fill"),
        ({"output": "seeds"}, "publish.output", "must not overlap"),
        ({"output": "seeds/out"}, "publish.output", "must not overlap"),
        ({"seeds": "output/seeds"}, "publish.output", "must not overlap"),
        ({"store": "output/state.sqlite"}, "publish.output", "must not hold the store"),
        ({"output": ".feeds"}, "publish.output", "must not hold the store"),
        ({"output": "a-file"}, "publish.output", "is a file"),
        ({"store": "."}, "publish.store", "is a folder"),
        ({"seeds": "a-file"}, "publish.seeds", "is a file"),
    ],
)
def test_folders_that_would_do_damage_are_refused(
    tmp_path: Path, paths: dict[str, str], key: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("x")
    values = {"seeds": "seeds", "output": "output", "store": ".feeds/state.sqlite", **paths}
    config = Config(**{k: tmp_path / v for k, v in values.items()}, source="feeds.toml")
    with pytest.raises(ConfigError) as info:
        check_folders(config)
    assert str(info.value).startswith(f"feeds.toml: {key}: "), info.value
    assert message in str(info.value)


def test_the_usual_layouts_are_accepted(tmp_path: Path) -> None:
    for store in (".feeds/state.sqlite", "state.sqlite"):
        check_folders(
            Config(seeds=tmp_path / "seeds", output=tmp_path / "output", store=tmp_path / store)
        )


def test_a_config_that_is_not_utf8_is_named_by_line(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.toml"
    bad.write_bytes(b"[site]\ntitle = 'Caf\xe9'\n")
    with pytest.raises(ConfigError) as info:
        load_config(bad, tmp_path)
    assert str(info.value) == f"{bad}: line 2: not UTF-8 (byte 0xe9)"
