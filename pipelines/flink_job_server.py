"""Beam's Flink job service for `newsbeam stream`, started so that it dies with
the command.

Beam's FlinkRunner starts the job server jar itself, but a command killed with
SIGKILL leaves that JVM running for ever. A stream is the command one kills, so
`stream --runner=FlinkRunner --flink_job_server_jar=JAR` starts the jar here
(Linux's parent-death signal) and points the runner at it (`--job_endpoint`).
The job on the cluster stops by itself when the command is gone (the clock of
transforms/stream/clock.py sees that the command no longer holds the lake).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

from apache_beam.options.pipeline_options import (
    FlinkRunnerOptions,
    PipelineOptions,
    PortableOptions,
)
from apache_beam.runners.portability.flink_runner import FlinkRunner
from apache_beam.utils.subprocess_server import JavaHelper

from newsbeam.pipelines.child_process import die_with_parent, free_port, stop_child, wait_listening


class FlinkJobServerUnavailable(RuntimeError):
    """The job server jar did not start."""


class FlinkJobServer:
    """The jar's job service on 127.0.0.1 for the cluster at flink_master."""

    def __init__(self, jar: str, flink_master: str) -> None:
        self.port = free_port()
        self._artifacts = tempfile.mkdtemp(prefix="newsbeam-flink-artifacts-")
        java = JavaHelper.get_java()  # the java Beam's FlinkRunner would use
        try:
            self.process = subprocess.Popen(
                [java, "-jar", jar, "--flink-master", FlinkRunner.add_http_scheme(flink_master),
                 "--artifacts-dir", self._artifacts, "--job-port", str(self.port),
                 "--artifact-port", str(free_port()), "--expansion-port", str(free_port())],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=die_with_parent,
            )  # fmt: skip
        except OSError as exc:
            shutil.rmtree(self._artifacts, ignore_errors=True)
            raise FlinkJobServerUnavailable(
                f"cannot run {java} (set JAVA_HOME or put java on PATH): {exc}"
            ) from exc
        if not wait_listening(self.process, self.port, 120):
            self.stop()
            raise FlinkJobServerUnavailable(f"the Flink job server ({jar}) did not start")

    def beam_args(self) -> list[str]:
        return [f"--job_endpoint=localhost:{self.port}"]

    def stop(self) -> None:
        stop_child(self.process)
        shutil.rmtree(self._artifacts, ignore_errors=True)


def start_for(beam_args: list[str]) -> FlinkJobServer | None:
    """Start the job server the options ask for (None when they name an endpoint or no jar)."""
    options = PipelineOptions(beam_args)
    flink = options.view_as(FlinkRunnerOptions)
    if options.view_as(PortableOptions).job_endpoint or not flink.flink_job_server_jar:
        return None
    return FlinkJobServer(flink.flink_job_server_jar, flink.flink_master)
