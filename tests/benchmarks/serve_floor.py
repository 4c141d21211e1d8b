"""The serving floor: uvicorn with ``feeds serve``'s HTTP settings and a bare app.

    python -m tests.benchmarks.serve_floor FILE --port 8081

The app answers every request from memory: ``304`` when ``If-None-Match``
names the file's ETag, else ``200`` with its bytes. No routing, no ``stat``,
no logging, no compression: what is left is the server's own cost per
request, so ``feeds serve``'s rate over this one is the share of its own
request handling.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send


def floor_app(body: bytes, content_type: bytes) -> ASGIApp:
    """An ASGI app that serves ``body`` with a strong ETag and nothing else."""
    etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
    full = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"etag", etag),
    ]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        fresh = dict(scope["headers"]).get(b"if-none-match") == etag
        headers = [(b"etag", etag)] if fresh else full
        await send(
            {"type": "http.response.start", "status": 304 if fresh else 200, "headers": headers}
        )
        await send({"type": "http.response.body", "body": b"" if fresh else body})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        body = args.file.read_bytes()
    except OSError as err:
        parser.error(f"{args.file}: cannot read: {err.strerror or err}")
    app = floor_app(body, b"application/atom+xml")
    # The settings FeedServer uses (feeds/serve.py), without the access log.
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        http="h11",
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_keep_alive=15,
        server_header=False,
    )


if __name__ == "__main__":
    main()
