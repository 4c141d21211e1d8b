"""Serving the output folder over HTTP (Starlette on uvicorn), as feed readers want it.

Readers poll the same URLs forever, so the cheap answer matters most: every
file has a strong ``ETag`` and ``Last-Modified``, ``If-None-Match`` (which
wins) and ``If-Modified-Since`` get ``304`` with no body, and bodies are
gzipped for clients that ask. Files are cached in memory by (inode, size,
mtime), so a conditional GET costs one ``stat``.

Only paths that the publisher could have written are served: lower-case
slugs, no dotfiles, no percent-encoding, nothing that resolves outside the
folder. Everything else is 404; methods other than GET and HEAD are 405.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import socket
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from feeds.address import CONTENT_TYPES, FEED_SUFFIXES, INDEX, SERVABLE_TARGET, absolute_url
from feeds.config import Config
from feeds.render.browser import FeedPage, FeedPageError, prefers_html
from feeds.serve.guard import GuardedH11Protocol, RateLimit
from feeds.serve.ranges import Unsatisfiable, byte_range
from feeds.status import read_status

log = logging.getLogger(__name__)

# The shape of every path the publisher writes (see feeds.publish.write); raw, before any decoding.
_SERVABLE = re.compile(rb"^/(?:[a-z0-9][a-z0-9._-]*/)*(?:[a-z0-9][a-z0-9._-]*)?$")
_CACHE_FILES = 4096
_GZIP_MIN_BYTES = 512
# Limits on what a request may carry. h11 bounds a request that trickles in
# (MAX_HEADER_BYTES buffered before it is complete); one that arrives whole is
# checked against these before any routing.
MAX_HEADER_BYTES = 16 * 1024
MAX_TARGET_BYTES = 2048
MAX_HEADERS = 100


@dataclass
class CachedFile:
    """A file's bytes and validators, valid while its (inode, size, mtime) stay the same."""

    key: tuple[int, int, int]
    body: bytes
    etag: str
    last_modified: str
    mtime: int
    # Other representations of the same file, made on first use: "gz", "html", "html-gz".
    _variants: dict[str, bytes] = field(default_factory=dict, repr=False)

    def variant(self, page: FeedPage | None, use_gzip: bool) -> bytes:
        """The body as sent: the file or its browser page, gzipped or not."""
        name = ("html" if page else "") + ("-gz" if use_gzip else "")
        if not name:
            return self.body
        found = self._variants.get(name)
        if found is None:
            plain = self.body
            if page is not None:
                plain = self._variants.get("html") or page.render(self.body)
                self._variants["html"] = plain
            # mtime=0 keeps the compressed bytes (and so their ETag) stable.
            found = gzip.compress(plain, compresslevel=6, mtime=0) if use_gzip else plain
            self._variants[name] = found
        return found


class FileCache:
    """A small LRU of served files, re-read when a publish replaces them."""

    def __init__(self, root: Path, size: int = _CACHE_FILES) -> None:
        self.root = root
        self._size = size
        self._files: OrderedDict[str, CachedFile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rel: str) -> CachedFile | None:
        """The file at ``rel`` under the root, or ``None`` if it is not a servable file."""
        path = os.path.join(self.root, rel)
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            cached = self._files.get(rel)
            if cached is not None and cached.key == key:
                self._files.move_to_end(rel)
                return cached
        real = os.path.realpath(path)
        if not real.startswith(str(self.root) + os.sep) or not os.path.isfile(real):
            return None  # a symlink leading out of the folder, or not a regular file
        try:
            with open(real, "rb") as f:
                body = f.read()
        except OSError:
            return None
        cached = CachedFile(
            key=key,
            body=body,
            etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
            last_modified=formatdate(st.st_mtime, usegmt=True),
            mtime=int(st.st_mtime),
        )
        with self._lock:
            self._files[rel] = cached
            self._files.move_to_end(rel)
            while len(self._files) > self._size:
                self._files.popitem(last=False)
        return cached


def _etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison (RFC 9110 13.1.2)."""
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _not_modified_since(header: str, mtime: int) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False  # an unparseable date is ignored, as RFC 9110 13.1.3 says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return mtime <= since.timestamp()


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


class FeedApp:
    """The ASGI application: static output files plus ``/healthz``."""

    def __init__(self, config: Config, stale_after: float | None = None) -> None:
        self.config = config
        self.stale_after = stale_after
        self.cache = FileCache(config.output.resolve())
        self.feed_page = FeedPage()
        self.max_age = max(1, int(config.interval))
        self.routes = Starlette(
            routes=[
                Route("/healthz", self.health, methods=["GET", "HEAD"]),
                Route("/{path:path}", self.file, methods=["GET", "HEAD"]),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry: refuse oversized requests before routing, then route."""
        if scope["type"] == "http":
            target = scope.get("raw_path") or b""
            headers = scope.get("headers") or []
            if len(target) + len(scope.get("query_string") or b"") > MAX_TARGET_BYTES:
                await PlainTextResponse("URI Too Long", status_code=414)(scope, receive, send)
                return
            if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > (
                MAX_HEADER_BYTES
            ):
                response = PlainTextResponse("Request Header Fields Too Large", status_code=431)
                await response(scope, receive, send)
                return
        await self.routes(scope, receive, send)

    async def health(self, request: Request) -> Response:
        """200 ``ok`` or ``degraded`` (rejected seeds, failing hubs); 503: publishing is broken."""
        status = read_status(self.config, datetime.now(UTC), self.stale_after)
        no_store = not self.config.store.exists()
        if status.failing or no_store:
            state, code = "failing", 503
        elif status.problems:
            state, code = "degraded", 200
        else:
            state, code = "ok", 200
        body = {"status": state, **status.to_json()}
        return JSONResponse(body, status_code=code, headers={"Cache-Control": "no-store"})

    def _representation(
        self, request: Request, rel: str, cached: CachedFile
    ) -> tuple[bytes, str, str]:
        """The body to send, its ETag and its media type, as the request's headers ask."""
        suffix = os.path.splitext(rel)[1]
        use_gzip = len(cached.body) >= _GZIP_MIN_BYTES and _accepts_gzip(
            request.headers.get("accept-encoding", "")
        )
        media = CONTENT_TYPES.get(suffix, "application/octet-stream")
        # A browser asking for an Atom or RSS feed gets the page that feed.xsl would
        # make of it, rendered here: browsers are dropping XSLT. Readers get the feed.
        page = None
        if suffix in FeedPage.SUFFIXES and prefers_html(request.headers.get("accept", ""), suffix):
            page = self.feed_page
        try:
            body = cached.variant(page, use_gzip)
        except FeedPageError as exc:  # a damaged file: the browser still gets its bytes
            log.warning("%s: cannot show it as a page: %s", rel, exc)
            page, body = None, cached.variant(None, use_gzip)
        # A strong ETag names one representation: a page (of this stylesheet), or
        # gzipped bytes, get their own.
        etag = cached.etag[:-1]
        if page is not None:
            etag += "-html" + page.version
            media = CONTENT_TYPES[".html"]
        return body, etag + ("-gz" if use_gzip else "") + '"', media

    async def file(self, request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.url.path.encode()
        if not SERVABLE_TARGET.match(raw):
            return PlainTextResponse("Not Found", status_code=404)
        rel = raw.decode("ascii").lstrip("/") or INDEX
        cached = self.cache.get(rel)
        if cached is None:
            return PlainTextResponse("Not Found", status_code=404)
        suffix = os.path.splitext(rel)[1]
        body, etag, media = self._representation(request, rel, cached)
        negotiated = suffix in FeedPage.SUFFIXES
        headers = {
            "ETag": etag,
            "Last-Modified": cached.last_modified,
            "Cache-Control": f"public, max-age={self.max_age}",
            "Vary": "Accept-Encoding, Accept" if negotiated else "Accept-Encoding",
        }
        if suffix in FEED_SUFFIXES:
            links = [f'<{hub}>; rel="hub"' for hub in self.config.hubs]
            links.append(f'<{absolute_url(self.config.base_url, rel)}>; rel="self"')
            headers["Link"] = ", ".join(links)
        inm = request.headers.get("if-none-match")
        ims = request.headers.get("if-modified-since")
        if (inm is not None and _etag_matches(inm, etag)) or (
            inm is None and ims is not None and _not_modified_since(ims, cached.mtime)
        ):
            return Response(status_code=304, headers=headers)
        if etag.endswith('-gz"'):
            headers["Content-Encoding"] = "gzip"
        headers["Accept-Ranges"] = "bytes"
        status = 200
        if "range" in request.headers and _if_range_holds(request, etag, cached.last_modified):
            try:
                wanted = byte_range(request.headers["range"], len(body))
            except Unsatisfiable:
                headers["Content-Range"] = f"bytes */{len(body)}"
                return Response(status_code=416, headers=headers)
            if wanted is not None:
                first, last = wanted
                headers["Content-Range"] = f"bytes {first}-{last}/{len(body)}"
                body, status = body[first : last + 1], 206
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(b"", status_code=status, headers=headers, media_type=media)
        return Response(body, status_code=status, headers=headers, media_type=media)


def _if_range_holds(request: Request, etag: str, last_modified: str) -> bool:
    """No ``If-Range``, or it names this representation (RFC 9110 13.1.5: strong ETag or
    the exact date); otherwise the whole body is sent."""
    validator = request.headers.get("if-range")
    return validator is None or validator.strip() in (etag, last_modified)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


# Failed accepts (out of file descriptors) and bad requests: each message once a minute.
_RATE_LIMITS = {"asyncio": RateLimit(), "uvicorn.error": RateLimit(keep_traceback=True)}


def _limit_noisy_logs() -> None:
    for name, limit in _RATE_LIMITS.items():
        logger = logging.getLogger(name)
        if limit not in logger.filters:
            logger.addFilter(limit)


class FeedServer:
    """uvicorn serving ``FeedApp`` on its own thread; ``stop()`` frees the port."""

    def __init__(self, config: Config, stale_after: float | None = None) -> None:
        self.sock = _listen(config.host, config.port)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://{config.host}:{self.port}/"
        app = FeedApp(config, stale_after)
        _limit_noisy_logs()
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_config=None,  # our handlers and format, access log included
                access_log=True,
                lifespan="off",
                http=GuardedH11Protocol,  # a deadline for request heads, a connection cap
                h11_max_incomplete_event_size=MAX_HEADER_BYTES,
                timeout_keep_alive=15,
                server_header=False,
            )
        )
        self.thread = threading.Thread(target=self._run, name="http", daemon=True)

    def _run(self) -> None:
        self.server.run(sockets=[self.sock])

    def start(self) -> None:
        self.thread.start()
        log.info("serving %s", self.url)

    def stop(self, timeout: float = 4.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(1.0)
        self.sock.close()
