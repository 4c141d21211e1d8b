"""The ``[deploy]`` table of ``feeds.toml``: where the output goes in object storage. Pure.

Credentials are never read from here: they come from the environment, the
shared AWS credentials file or the machine's role (see ``feeds.deploy.bucket``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from feeds.errors import ConfigError

DEFAULT_CACHE_CONTROL = "public, max-age=60"
# Closed archive pages change only when an old entry is corrected; entry pages on edits.
DEFAULT_ARCHIVE_CACHE_CONTROL = "public, max-age=86400"
DEFAULT_ENTRY_CACHE_CONTROL = "public, max-age=3600"
DEFAULT_MAX_DELETES = 1000
DEFAULT_CONCURRENCY = 16
DEFAULT_RETRIES = 4
# Status key, set with the files a publish records and cleared when a deploy finishes:
# the bucket is behind the output folder.
DEPLOY_NEEDED = "deploy_needed"

# S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Header values: visible ASCII and spaces, nothing that could end the header.
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]+$")
_URL = re.compile(r"[A-Za-z0-9\-._~:/\[\]@!$&'()*+,;=%]+")  # no spaces, quotes or controls
MAX_PREFIX = 512  # of an S3 key's 1,024 bytes, what the prefix may take
_CREDENTIAL_KEYS = {
    "access_key_id",
    "secret_access_key",
    "session_token",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "credentials",
    "profile",
}


@dataclass(frozen=True)
class DeploySettings:
    """Where and how the output is put in an S3-compatible bucket."""

    bucket: str
    prefix: str = ""  # no leading or trailing slash; "" for the bucket's root
    endpoint: str | None = None  # R2, MinIO, SeaweedFS, GCS interoperability...
    region: str | None = None  # None: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1
    cache_control: str = DEFAULT_CACHE_CONTROL
    archive_cache_control: str = DEFAULT_ARCHIVE_CACHE_CONTROL
    entry_cache_control: str = DEFAULT_ENTRY_CACHE_CONTROL
    gzip: bool = False
    concurrency: int = DEFAULT_CONCURRENCY
    retries: int = DEFAULT_RETRIES  # per request, with backoff, on 5xx, throttling, drops
    max_deletes: int = DEFAULT_MAX_DELETES

    @property
    def target(self) -> str:
        """``s3://bucket/prefix`` as the user wrote it, for messages."""
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    @property
    def identity(self) -> str:
        """What the store's record of the bucket's contents is about: another target or
        endpoint is another bucket, whose contents must be listed, not assumed."""
        return f"{self.endpoint or 'aws'} {self.target}"

    def object_key(self, path: str) -> str:
        """The key of an output file (a path relative to the output folder) in the bucket."""
        return f"{self.prefix}/{path}" if self.prefix else path


def deploy_settings(content: Any, source: str) -> DeploySettings:
    """Validate the ``[deploy]`` table; raises ``ConfigError`` naming the key at fault."""
    if not isinstance(content, Mapping):
        raise ConfigError(source, "deploy", "must be a table")
    for key in content:
        if key.lower() in _CREDENTIAL_KEYS:
            raise ConfigError(
                source,
                f"deploy.{key}",
                "credentials are never read from the config file: set AWS_ACCESS_KEY_ID and"
                " AWS_SECRET_ACCESS_KEY, or use the AWS credentials file or the machine's role",
            )
        if key not in _KEYS:
            raise ConfigError(source, f"deploy.{key}", f"unknown key (known: {', '.join(_KEYS)})")
    if "target" not in content:
        raise ConfigError(source, "deploy.target", "is required: s3://bucket/optional/prefix")
    values: dict[str, Any] = {}
    for key, value in content.items():
        try:
            values.update(_KEYS[key](value))
        except ValueError as err:
            raise ConfigError(source, f"deploy.{key}", str(err)) from None
    return DeploySettings(**values)


def _target(value: Any) -> dict[str, str]:
    if not isinstance(value, str):
        raise ValueError("must be a string such as s3://news-feeds/site")
    parts = urlsplit(value.strip())
    if parts.scheme != "s3" or parts.query or parts.fragment:
        raise ValueError("must be s3://bucket or s3://bucket/prefix")
    if not _BUCKET.match(parts.netloc) or ".." in parts.netloc:
        raise ValueError(f"{parts.netloc!r} is not a bucket name (3-63 of a-z, 0-9, '.', '-')")
    segments = [s for s in parts.path.split("/") if s]
    if len(parts.path) > MAX_PREFIX:
        raise ValueError(f"the prefix is over {MAX_PREFIX} characters (S3 keys hold 1,024)")
    for segment in segments:
        if not _PREFIX_SEGMENT.match(segment) or segment in ("..", "."):
            raise ValueError(f"prefix segment {segment!r}: use letters, digits, '.', '_', '-'")
    return {"bucket": parts.netloc, "prefix": "/".join(segments)}


def _endpoint(value: Any) -> dict[str, str]:
    parts = urlsplit(value if isinstance(value, str) else "")
    if not isinstance(value, str) or not _URL.fullmatch(value):
        raise ValueError("must be an http:// or https:// URL such as https://s3.example.net")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ValueError("must be an http:// or https:// URL such as https://s3.example.net")
    return {"endpoint": value.rstrip("/")}


def _region(value: Any) -> dict[str, str]:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9-]{1,32}", value):
        raise ValueError("must be a region name such as us-east-1 or auto")
    return {"region": value}


def _header(field: str) -> Any:
    def convert(value: Any) -> dict[str, str]:
        if not isinstance(value, str) or not _HEADER_VALUE.match(value.strip()):
            raise ValueError("must be a Cache-Control value such as public, max-age=60")
        return {field: value.strip()}

    return convert


def _gzip(value: Any) -> dict[str, bool]:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return {"gzip": value}


def _whole(field: str, low: int, high: int) -> Any:
    def convert(value: Any) -> dict[str, int]:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return {field: value}

    return convert


_KEYS = {
    "target": _target,
    "endpoint": _endpoint,
    "region": _region,
    "cache_control": _header("cache_control"),
    "archive_cache_control": _header("archive_cache_control"),
    "entry_cache_control": _header("entry_cache_control"),
    "gzip": _gzip,
    "concurrency": _whole("concurrency", 1, 256),
    "retries": _whole("retries", 0, 10),
    "max_deletes": _whole("max_deletes", 0, 10_000_000),
}
