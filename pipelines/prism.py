"""Beam's Prism runner (a Go program), built from the Go module proxy.

Beam's PrismRunner downloads a prebuilt binary from GitHub by default, which
does not work without the internet. newsbeam builds the one of its Beam
version instead, once, into a cache folder:

    go install github.com/apache/beam/sdks/v2/go/cmd/prism@v<Beam's version>

`$NEWSBEAM_PRISM` names a binary to use as it is. The cache folder is
`$XDG_CACHE_HOME/newsbeam/prism-<version>` (else `~/.cache/...`); the build
takes about two minutes on 2 cores and needs Go and the module proxy.

    python -m newsbeam.pipelines.prism    # build it now (CI does), print its path
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from newsbeam.pipelines.child_process import die_with_parent, free_port, stop_child, wait_listening

MODULE = "github.com/apache/beam/sdks/v2/go/cmd/prism"
BUILD_TIMEOUT_S = 30 * 60


class PrismUnavailable(RuntimeError):
    """No Prism binary, and none could be built: the message says what to do."""


def beam_version() -> str:
    from apache_beam.version import __version__

    return __version__


def cache_dir(version: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "newsbeam" / f"prism-{version}"


def prism_binary(build: bool = True) -> str:
    """The path of a Prism binary for this Beam version, built when missing."""
    given = os.environ.get("NEWSBEAM_PRISM")
    if given:
        if not os.access(given, os.X_OK):
            raise PrismUnavailable(f"$NEWSBEAM_PRISM={given} is not an executable file")
        return given
    version = beam_version()
    target = cache_dir(version) / "bin" / "prism"
    if target.exists():
        return str(target)
    if not build:
        raise PrismUnavailable(f"no Prism binary at {target}; build it: python -m {__name__}")
    go = shutil.which("go")
    if go is None:
        raise PrismUnavailable(
            "Prism needs Go to be built (https://go.dev/dl/), or set $NEWSBEAM_PRISM to a "
            f"prism binary of Beam {version}"
        )
    env = {**os.environ, "GOBIN": str(target.parent)}
    try:
        done = subprocess.run(
            [go, "install", f"{MODULE}@v{version}"],
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise PrismUnavailable(f"building Prism took over {BUILD_TIMEOUT_S} s") from exc
    if done.returncode != 0 or not target.exists():
        raise PrismUnavailable(
            f"`go install {MODULE}@v{version}` failed: {done.stderr.strip()[-1500:]}"
        )
    return str(target)


class PrismServer:
    """A Prism job service of our own on 127.0.0.1, for pipelines that outlive a call.

    Beam's PrismRunner would start one too, but a driver killed with SIGKILL
    leaves it running for ever, still retrying the job (at most of a CPU, as
    seen here). This one dies with the process that started it (Linux's
    parent-death signal), and shuts itself down IDLE_SHUTDOWN after its last
    job otherwise."""

    IDLE_SHUTDOWN = "30s"

    def __init__(self, binary: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                binary,
                f"--job_port={self.port}",
                f"--idle_shutdown_timeout={self.IDLE_SHUTDOWN}",
                "--serve_http=false",
                "--log_level=warn",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        if not wait_listening(self.process, self.port, 30):
            raise PrismUnavailable(f"Prism ({binary}) did not start on port {self.port}")

    def beam_args(self) -> list[str]:
        """Beam options that run a pipeline here, its SDK worker in this process."""
        return [
            "--runner=PortableRunner",
            f"--job_endpoint=localhost:{self.port}",
            "--environment_type=LOOPBACK",
        ]

    def stop(self) -> None:
        stop_child(self.process)


if __name__ == "__main__":
    try:
        print(prism_binary())
    except PrismUnavailable as exc:
        sys.exit(f"newsbeam: {exc}")
