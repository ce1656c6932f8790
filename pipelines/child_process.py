"""Servers the command starts for its pipeline (a Prism or a Flink job service)
and that must not outlive it: killed with SIGKILL, the command cannot stop
them, so they get Linux's parent-death signal."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def die_with_parent() -> None:
    """In the child before exec: SIGKILL it when the parent process dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_listening(process: subprocess.Popen, port: int, timeout_s: float) -> bool:
    """Whether the child listens on port within timeout_s (False once it exited)."""
    deadline = time.monotonic() + timeout_s
    while not listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_child(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
