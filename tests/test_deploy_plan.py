"""The deploy's pure parts: settings, the plan (order, headers, differences), messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config import config_from_mapping
from feeds.deploy.bucket import reason, shared_credentials, shared_region
from feeds.deploy.plan import bucket_differences, changed_since_deploy, plan_deploy
from feeds.deploy.settings import DeploySettings
from feeds.errors import ConfigError, DeployError

SETTINGS = DeploySettings(bucket="news", prefix="site")


def test_uploads_go_pages_first_then_feeds_then_the_lists_that_link_them() -> None:
    published = [
        "index.html",
        "feeds.opml",
        "all.atom",
        "sections/housing.rss",
        "sections/housing.html",
        "entries/a.html",
        "archive/all/1.atom",
        "archive/all/2.atom",
        "feed.xsl",
    ]
    plan = plan_deploy(published, ["site/old.html"], published, SETTINGS)
    stages = [[u.path for u in stage] for stage in plan.stages]
    assert stages == [
        ["archive/all/1.atom", "archive/all/2.atom", "entries/a.html", "feed.xsl"],
        ["all.atom", "sections/housing.rss"],
        ["feeds.opml", "index.html", "sections/housing.html"],
    ]
    assert plan.deletes == ("site/old.html",)
    assert plan.describe()[-1] == "delete site/old.html"
    by_path = {u.path: u for u in plan.uploads}
    assert by_path["all.atom"].key == "site/all.atom"
    assert by_path["all.atom"].content_type == "application/atom+xml; charset=utf-8"
    assert by_path["feeds.opml"].content_type == "text/x-opml; charset=utf-8"
    # The newest archive page is still filling: short-lived like the feeds.
    assert by_path["archive/all/1.atom"].cache_control == "public, max-age=86400"
    assert by_path["archive/all/2.atom"].cache_control == "public, max-age=60"
    assert by_path["entries/a.html"].cache_control == "public, max-age=3600"
    assert by_path["index.html"].cache_control == "public, max-age=60"


def test_an_incremental_deploy_takes_what_moved_and_what_went() -> None:
    deployed = {"a.atom": (10, 1), "b.atom": (10, 1), "gone.html": (5, 1)}
    local = {"a.atom": (10, 1), "b.atom": (10, 2), "new.html": (3, 1)}
    assert changed_since_deploy(local, deployed) == (["b.atom", "new.html"], ["gone.html"])


def test_a_listing_is_compared_by_size_and_md5_etag() -> None:
    fingerprints = {
        "same": (3, "aa"),
        "same-size-unknown": (None, "ab"),
        "other-bytes": (3, "bb"),
        "other-size": (4, "cc"),
    }
    remote = {
        "site/same": (3, '"AA"'),
        "site/same-size-unknown": (7, '"ab"'),
        "site/other-bytes": (3, '"ee"'),
        "site/other-size": (3, '"cc"'),
        "site/not-read": (1, '"dd"'),
        "site/multipart": (9, '"ff-2"'),
    }
    published = [*fingerprints, "new", "not-read"]
    puts, deletes = bucket_differences(published, fingerprints, remote, SETTINGS)
    assert puts == ["new", "not-read", "other-bytes", "other-size"]
    assert deletes == ["site/multipart"]
    root = DeploySettings(bucket="news")
    assert bucket_differences(["a"], {"a": (1, "x")}, {"a": (1, "x")}, root) == ([], [])


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({}, "deploy.target: is required: s3://bucket/optional/prefix"),
        ({"target": "gs://b"}, "deploy.target: must be s3://bucket or s3://bucket/prefix"),
        ({"target": "s3://B_ad"}, "deploy.target: 'B_ad' is not a bucket name"),
        ({"target": "s3://news/a/../b"}, "deploy.target: prefix segment '..'"),
        ({"target": "s3://news", "endpoint": "ftp://x"}, "deploy.endpoint: must be an http://"),
        ({"target": "s3://news", "endpoint": "http://x y"}, "deploy.endpoint: must be an http://"),
        ({"target": "s3://news/" + "a/" * 300}, "deploy.target: the prefix is over 512"),
        ({"target": "s3://news", "cache_control": "a\nb"}, "deploy.cache_control: must be a"),
        ({"target": "s3://news", "concurrency": 0}, "deploy.concurrency: must be a whole number"),
        ({"target": "s3://news", "max_deletes": -1}, "deploy.max_deletes: must be a whole"),
        ({"target": "s3://news", "bucket": "x"}, "deploy.bucket: unknown key (known: target,"),
        ({"target": "s3://news", "aws_secret_access_key": "x"}, "credentials are never read"),
    ],
)
def test_a_bad_deploy_table_names_its_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_mapping({"deploy": table}, "feeds.toml")
    assert str(caught.value).startswith("feeds.toml: deploy")
    assert message in str(caught.value)


def test_a_good_deploy_table() -> None:
    config = config_from_mapping(
        {"deploy": {"target": "s3://news-feeds/site/v1/", "region": "auto", "gzip": True}}, "x"
    )
    assert config.deploy == DeploySettings(
        bucket="news-feeds", prefix="site/v1", region="auto", gzip=True
    )
    assert config.deploy.target == "s3://news-feeds/site/v1"
    assert config.deploy.object_key("all.atom") == "site/v1/all.atom"
    assert config_from_mapping({}, "x").deploy is None


def test_obstore_errors_become_one_line() -> None:
    refused = (
        "The operation lacked the necessary privileges to complete for path a: Error performing"
        " PUT http://h/b/a in 1ms - Server returned non-2xx status code: 403 Forbidden: <?xml"
        ' version="1.0"?>\n<Error><Code>SignatureDoesNotMatch</Code></Error>\n\nDebug source:\n'
    )
    assert reason(Exception(refused)) == "HTTP 403 Forbidden (SignatureDoesNotMatch)"
    down = "Generic S3 error: Error performing PUT http://h/a in 1ms - HTTP error: error sending"
    assert reason(Exception(down + " request\n\nDebug")) == (
        "cannot connect to the endpoint (error sending request)"
    )
    role = "Error performing PUT http://169.254.169.254/latest/api/token - status code: 403"
    assert reason(Exception(role)).startswith("no credentials: none in the environment")


def test_keys_from_the_shared_credentials_file_only_when_the_environment_has_none(
    tmp_path: Path,
) -> None:
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = A\naws_secret_access_key = B\n"
        "[ci]\naws_access_key_id = C\naws_secret_access_key = D\naws_session_token = T\n"
    )
    (aws / "config").write_text("[default]\nregion = eu-west-2\n[profile ci]\nregion = auto\n")
    assert shared_credentials({}, tmp_path) == {"access_key_id": "A", "secret_access_key": "B"}
    assert shared_credentials({"AWS_PROFILE": "ci"}, tmp_path) == {
        "access_key_id": "C",
        "secret_access_key": "D",
        "session_token": "T",
    }
    assert shared_credentials({"AWS_ACCESS_KEY_ID": "E"}, tmp_path) == {}
    assert shared_credentials({}, tmp_path / "nowhere") == {}
    assert shared_region({}, tmp_path) == "eu-west-2"
    assert shared_region({"AWS_PROFILE": "ci"}, tmp_path) == "auto"
    assert shared_region({"AWS_REGION": "us-west-1"}, tmp_path) == "us-west-1"
    with pytest.raises(DeployError, match=r"no profile \[nope\] \(AWS_PROFILE\)"):
        shared_credentials({"AWS_PROFILE": "nope"}, tmp_path)
    (aws / "credentials").write_text("not an ini file")
    with pytest.raises(DeployError, match=r"credentials:1: not an AWS .*: a line before any"):
        shared_credentials({}, tmp_path)
    (aws / "credentials").write_text("[default]\naws_access_key_id\n")
    with pytest.raises(DeployError, match=r"credentials:2: .*: a line that is not key = value"):
        shared_credentials({}, tmp_path)
    (aws / "credentials").write_bytes(b"\xff[default]")
    with pytest.raises(DeployError, match=r"credentials: cannot read: 'utf-8' codec"):
        shared_credentials({}, tmp_path)
