#!/usr/bin/env python3
"""A standalone Apache Flink cluster for newsbeam, on 127.0.0.1, from package registries.

    python engines/flink/cluster.py prepare   # download Flink, build Beam's job server jar
    python engines/flink/cluster.py start     # JobManager, TaskManager (2 slots), Beam worker pool
    python engines/flink/cluster.py status    # what runs, and the options to give newsbeam
    python engines/flink/cluster.py stop      # stop all of them by PID

Everything lands in a cache folder (`$NEWSBEAM_FLINK_HOME`, else
`$XDG_CACHE_HOME/newsbeam/flink`, else `~/.cache/newsbeam/flink`), never in the
repository:

- Flink itself: the PyPI wheel `apache-flink` (its `bin/` and `conf/`) and the
  sdist `apache-flink-libraries` (its `lib/`, `opt/`, `plugins/`), unpacked
  into one Flink home. They are not installed into newsbeam's venv:
  apache-flink pins an old apache-beam.
- Beam's Flink job server: Maven Central as reached here serves no
  `beam-runners-flink-<minor>-job-server` jar at any version, so
  `engines/flink/pom.xml` shades `beam-runners-flink-<minor>` (which holds the
  job server's main class) with its dependencies, as Beam's own build does.
  The newest version whose dependencies all resolve here is 2.62.0 (see
  BEAM_JOB_SERVER_VERSION).
- The Python SDK workers: a Beam worker pool
  (`apache_beam.runners.worker.worker_pool_main`) from this Python, i.e. with
  newsbeam and its models installed; Flink hands it bundles (`EXTERNAL`).

The processes run in the foreground of their own process groups; their PIDs
are in `<home>/run/*.pid` and `stop` ends them (SIGTERM, then SIGKILL).
Standard library only, so CI can call it before anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

# Beam's Flink runner and Flink: the newest pair Maven Central serves here with
# all dependencies (beam-runners-flink-1.19 is served at 2.62.0 and 2.70.0, but
# 2.70.0's beam-runners-java-job-service is not; no runner for Flink 1.20 or 2.x
# is served at all).
BEAM_JOB_SERVER_VERSION = "2.62.0"
FLINK_MINOR = "1.19"
FLINK_VERSION = "1.19.3"  # the newest 1.19 patch on PyPI; the runner is built against 1.19.0

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
DEFAULTS = {"rest_port": 8081, "worker_pool_port": 50000, "slots": 2}
START_TIMEOUT_S = 120


def home() -> Path:
    if os.environ.get("NEWSBEAM_FLINK_HOME"):
        return Path(os.environ["NEWSBEAM_FLINK_HOME"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "newsbeam" / "flink"


def flink_home(root: Path) -> Path:
    return root / f"flink-{FLINK_VERSION}"


def job_server_jar(root: Path) -> Path:
    name = f"beam-runners-flink-{FLINK_MINOR}-job-server-{BEAM_JOB_SERVER_VERSION}.jar"
    return root / "jobserver" / name


def say(message: str) -> None:
    print(f"[flink] {message}", file=sys.stderr, flush=True)


# --- prepare ---------------------------------------------------------------


def download_flink(root: Path) -> Path:
    """Unpack Flink from PyPI into <root>/flink-<version> (once)."""
    target = flink_home(root)
    if (target / "lib" / f"flink-dist-{FLINK_VERSION}.jar").is_file():
        return target
    wheels = root / "downloads"
    wheels.mkdir(parents=True, exist_ok=True)
    for package, pattern in (
        ("apache-flink", f"apache_flink-{FLINK_VERSION}-*.whl"),
        ("apache-flink-libraries", f"apache-flink-libraries-{FLINK_VERSION}.tar.gz"),
    ):
        if not list(wheels.glob(pattern)):
            say(f"downloading {package}=={FLINK_VERSION} from PyPI")
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(wheels),
                 f"{package}=={FLINK_VERSION}"],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
    partial = root / f"flink-{FLINK_VERSION}.part"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    wheel = next(wheels.glob(f"apache_flink-{FLINK_VERSION}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            for folder in ("bin", "conf"):
                prefix = f"pyflink/{folder}/"
                if member.startswith(prefix) and not member.endswith("/"):
                    out = partial / folder / member[len(prefix) :]
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(archive.read(member))
    for script in (partial / "bin").iterdir():
        script.chmod(0o755)
    sdist = next(wheels.glob(f"apache-flink-libraries-{FLINK_VERSION}.tar.gz"))
    prefix = f"apache-flink-libraries-{FLINK_VERSION}/deps/"
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.startswith(prefix):
                out = partial / member.name[len(prefix) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                out.write_bytes(source.read())
    shutil.rmtree(target, ignore_errors=True)
    partial.replace(target)
    return target


def build_job_server(root: Path) -> Path:
    """Shade Beam's Flink runner and its dependencies into the job server jar (once)."""
    jar = job_server_jar(root)
    if jar.is_file():
        return jar
    if not shutil.which("mvn"):
        raise SystemExit("Maven (`mvn`) is needed to build Beam's Flink job server")
    say(f"building Beam's Flink {FLINK_MINOR} job server {BEAM_JOB_SERVER_VERSION} with Maven")
    build = root / "jobserver-build"
    subprocess.run(
        ["mvn", "-B", "-q", "-f", str(POM), "package", f"-Dout.dir={build}",
         f"-Dbeam.version={BEAM_JOB_SERVER_VERSION}", f"-Dflink.minor={FLINK_MINOR}"],
        check=True,
    )  # fmt: skip
    jar.parent.mkdir(parents=True, exist_ok=True)
    (build / jar.name).replace(jar)
    shutil.rmtree(build, ignore_errors=True)
    return jar


def prepare(root: Path) -> dict[str, str]:
    flink = download_flink(root)
    jar = build_job_server(root)
    java = shutil.which("java")
    if not java:
        raise SystemExit("Java 11 or 17 is needed for Flink")
    return {"flink_home": str(flink), "job_server_jar": str(jar)}


# --- start / stop ----------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        # As a server binds: a port left in TIME_WAIT by a past client is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(flink: Path, conf_dir: Path, rest_port: int, slots: int) -> None:
    """Flink's config.yaml: everything on 127.0.0.1, ports chosen by us or the OS."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    for item in (flink / "conf").iterdir():
        if item.name != "config.yaml":
            shutil.copy(item, conf_dir / item.name)
    settings = {
        "jobmanager.rpc.address": "127.0.0.1",
        "jobmanager.bind-host": "127.0.0.1",
        "jobmanager.rpc.port": free_port(),  # the TaskManager must know it
        "jobmanager.memory.process.size": "1024m",
        "taskmanager.host": "127.0.0.1",
        "taskmanager.bind-host": "127.0.0.1",
        "taskmanager.rpc.port": 0,
        "taskmanager.data.port": 0,
        "taskmanager.numberOfTaskSlots": slots,
        "taskmanager.memory.process.size": "2048m",
        "parallelism.default": slots,
        "rest.address": "127.0.0.1",
        "rest.bind-address": "127.0.0.1",
        "rest.port": rest_port,
        "blob.server.port": 0,
        "query.server.port": 0,
        # A lost TaskManager must fail the job (newsbeam commits nothing, a
        # rerun starts clean), not hang waiting for a replacement.
        "restart-strategy.type": "none",
        "heartbeat.timeout": 20000,
        "slot.request.timeout": 60000,
        "io.tmp.dirs": str(conf_dir.parent / "tmp"),
    }
    lines = [f"{key}: {json.dumps(value)}" for key, value in settings.items()]
    (conf_dir / "config.yaml").write_text("\n".join(lines) + "\n")
    (conf_dir.parent / "tmp").mkdir(exist_ok=True)


def spawn(name: str, cmd: list[str], run_dir: Path, env: dict[str, str]) -> int:
    log = open(run_dir / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
    proc = subprocess.Popen(
        cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
    )
    (run_dir / f"{name}.pid").write_text(str(proc.pid))
    return proc.pid


def wait_for(what: str, ready, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.5)
    raise SystemExit(f"{what} did not come up within {timeout:.0f} s")


def rest(rest_port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{rest_port}{path}", timeout=5) as response:
        return json.loads(response.read())


def taskmanagers(rest_port: int) -> int:
    try:
        return len(rest(rest_port, "/taskmanagers").get("taskmanagers", []))
    except (OSError, urllib.error.URLError, ValueError):
        return 0


def start_taskmanager(root: Path) -> int:
    state = json.loads((root / "run" / "cluster.json").read_text())
    flink = Path(state["flink_home"])
    env = {**os.environ, "FLINK_CONF_DIR": state["conf_dir"], "FLINK_LOG_DIR": state["run_dir"]}
    return spawn(
        "taskmanager", [str(flink / "bin" / "taskmanager.sh"), "start-foreground"],
        Path(state["run_dir"]), env,
    )  # fmt: skip


def start(
    root: Path,
    rest_port: int = DEFAULTS["rest_port"],
    worker_pool_port: int = DEFAULTS["worker_pool_port"],
    slots: int = DEFAULTS["slots"],
) -> dict:
    paths = prepare(root)
    run_dir = root / "run"
    if any(run_dir.glob("*.pid")):
        stop(root)
    run_dir.mkdir(parents=True, exist_ok=True)
    for port in (rest_port, worker_pool_port):
        if not port_free(port):
            raise SystemExit(f"port {port} on 127.0.0.1 is taken; choose others (--help)")
    flink = Path(paths["flink_home"])
    conf_dir = run_dir / "conf"
    write_config(flink, conf_dir, rest_port, slots)
    state = {
        **paths,
        "conf_dir": str(conf_dir),
        "run_dir": str(run_dir),
        "rest_port": rest_port,
        "worker_pool_port": worker_pool_port,
        "slots": slots,
    }
    (run_dir / "cluster.json").write_text(json.dumps(state, indent=1))
    env = {**os.environ, "FLINK_CONF_DIR": str(conf_dir), "FLINK_LOG_DIR": str(run_dir)}
    pool_env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    try:
        spawn(
            "jobmanager", [str(flink / "bin" / "jobmanager.sh"), "start-foreground"], run_dir, env
        )
        start_taskmanager(root)
        # The SDK workers: the pool forks one per bundle environment Flink asks for.
        spawn(
            "workerpool",
            [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
             f"--service_port={worker_pool_port}"],
            run_dir, pool_env,  # the pool starts workers as `python`: this one
        )  # fmt: skip
        wait_for("Flink's JobManager and TaskManager", lambda: taskmanagers(rest_port) >= 1)
        wait_for("Beam's worker pool", lambda: not port_free(worker_pool_port))
    except BaseException:
        stop(root)
        raise
    say(f"Flink {FLINK_VERSION} at http://127.0.0.1:{rest_port}, worker pool :{worker_pool_port}")
    return state


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process(root: Path, name: str) -> bool:
    """SIGTERM the process group of one service, SIGKILL it after 20 s; True if it ran."""
    pid_file = root / "run" / f"{name}.pid"
    if not pid_file.is_file():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    if not alive(pid):
        return False
    for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG) != (0, 0):
                    return True
            except ChildProcessError:
                if not alive(pid):
                    return True
            time.sleep(0.2)
    return True


def stop(root: Path) -> list[str]:
    stopped = [
        name for name in ("workerpool", "taskmanager", "jobmanager") if stop_process(root, name)
    ]
    say(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    return stopped


def beam_options(state: dict) -> list[str]:
    """What `newsbeam ingest` needs to run on this cluster."""
    return [
        "--runner=FlinkRunner",
        f"--flink_master=127.0.0.1:{state['rest_port']}",
        f"--flink_job_server_jar={state['job_server_jar']}",
        "--environment_type=EXTERNAL",
        f"--environment_config=127.0.0.1:{state['worker_pool_port']}",
        f"--parallelism={state['slots']}",
    ]


def status(root: Path) -> dict:
    state_file = root / "run" / "cluster.json"
    if not state_file.is_file():
        return {"running": []}
    state = json.loads(state_file.read_text())
    running = [
        name
        for name in ("jobmanager", "taskmanager", "workerpool")
        if (root / "run" / f"{name}.pid").is_file()
        and alive(int((root / "run" / f"{name}.pid").read_text()))
    ]
    return {**state, "running": running, "beam_options": beam_options(state)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["prepare", "start", "stop", "status"])
    parser.add_argument("--rest-port", type=int, default=DEFAULTS["rest_port"])
    parser.add_argument("--worker-pool-port", type=int, default=DEFAULTS["worker_pool_port"])
    parser.add_argument("--slots", type=int, default=DEFAULTS["slots"])
    args = parser.parse_args(argv)
    root = home()
    if args.command == "prepare":
        print(json.dumps(prepare(root), indent=1))
    elif args.command == "start":
        state = start(root, args.rest_port, args.worker_pool_port, args.slots)
        print(" ".join(beam_options(state)))
    elif args.command == "stop":
        stop(root)
    else:
        print(json.dumps(status(root), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
