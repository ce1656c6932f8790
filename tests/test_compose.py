"""docker-compose.yml cannot run here (no Docker engine): check what can be checked."""

import re

import yaml

from newsbeam.transforms.lake import ENDPOINT_ENV
from newsbeam.transforms.lake.filesystem import CATALOG_ENV
from tests.conftest import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
CREDENTIAL_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"}


def test_minio_is_healthchecked_and_the_bucket_is_created_once_it_is_healthy():
    assert SERVICES["minio"]["image"].startswith("minio/minio:")
    assert SERVICES["minio"]["healthcheck"]["test"]
    assert SERVICES["createbucket"]["image"].startswith("minio/mc:")
    assert SERVICES["createbucket"]["depends_on"]["minio"]["condition"] == "service_healthy"
    script = " ".join(SERVICES["createbucket"]["command"])
    assert "mc mb" in script and "anonymous set none" in script
    after = SERVICES["newsbeam"]["depends_on"]["createbucket"]["condition"]
    assert after == "service_completed_successfully"


def test_newsbeam_service_ingests_the_seeds_into_the_bucket():
    command = SERVICES["newsbeam"]["command"]
    assert command[:2] == ["ingest", "/app/seeds/"]
    assert command[command.index("--output") + 1].startswith("s3://")
    assert (ROOT / "Dockerfile").is_file()


def test_env_names_match_what_the_code_reads():
    env = SERVICES["newsbeam"]["environment"]
    assert set(env) >= CREDENTIAL_ENV
    assert set(env) - CREDENTIAL_ENV <= {*ENDPOINT_ENV, CATALOG_ENV}


def test_every_newsbeam_service_names_the_iceberg_rest_catalog_of_the_stack():
    catalog = SERVICES["iceberg-rest"]
    assert catalog["environment"]["CATALOG_S3_ENDPOINT"] == "http://minio:9000"
    port = catalog["ports"][0].rsplit(":", 1)[1]
    for name, service in SERVICES.items():
        if str(service.get("image", "")).startswith("newsbeam:") and "--output" in str(
            service.get("command", "")
        ):
            assert service["environment"][CATALOG_ENV] == f"rest+http://iceberg-rest:{port}", name


def test_credentials_come_from_env_file_with_no_defaults():
    text = (ROOT / "docker-compose.yml").read_text()
    referenced = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = (ROOT / ".env.example").read_text()
    declared = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert referenced == declared
    for name in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"):
        assert re.search(rf"^{name}=$", example, re.M), f"{name} must have no default value"
        assert not re.search(rf"\$\{{{name}:-", text), f"{name} must not default in compose"


def test_scheduler_service_polls_feeds_into_the_bucket_and_stops_gracefully():
    scheduler = SERVICES["scheduler"]
    command = scheduler["command"]
    assert command[0] == "schedule" and "--every" in command
    assert command[command.index("--output") + 1].startswith("s3://")
    assert scheduler["stop_signal"] == "SIGTERM" and scheduler["restart"] == "unless-stopped"
    assert set(scheduler["environment"]) == set(SERVICES["newsbeam"]["environment"])


def test_flink_profile_runs_the_same_image_and_versions_as_the_tested_cluster():
    from tests.test_flink import load_cluster_script

    cluster = load_cluster_script()
    flink = {name: svc for name, svc in SERVICES.items() if "flink" in svc.get("profiles", [])}
    assert {
        "flink-jobmanager",
        "flink-taskmanager",
        "beam-job-server",
        "beam-worker-pool",
        "newsbeam-flink",
    } <= set(flink)
    # engines/flink/cluster.py's versions, which CI runs
    job_server = (
        f"apache/beam_flink{cluster.FLINK_MINOR}_job_server:{cluster.BEAM_JOB_SERVER_VERSION}"
    )
    assert flink["beam-job-server"]["image"] == job_server
    for name in ("flink-jobmanager", "flink-taskmanager"):
        assert flink[name]["image"].startswith(f"flink:{cluster.FLINK_VERSION}-")
    assert (
        "restart-strategy.type: none"
        in flink["flink-jobmanager"]["environment"]["FLINK_PROPERTIES"]
    )
    command = flink["newsbeam-flink"]["command"]
    assert "--runner=FlinkRunner" in command and "--environment_type=EXTERNAL" in command
    assert flink["beam-worker-pool"]["image"] == SERVICES["newsbeam"]["image"]


def test_every_service_of_the_newsbeam_image_can_build_it():
    # `docker compose up scheduler` alone must build the image, not pull a
    # newsbeam:latest that no registry has.
    ours = [n for n, s in SERVICES.items() if str(s.get("image", "")).startswith("newsbeam:")]
    assert {"newsbeam", "scheduler", "beam-worker-pool", "newsbeam-flink"} <= set(ours)
    for name in ours:
        assert SERVICES[name].get("build") == ".", f"{name} has no build: ."


def test_every_bind_mounted_folder_is_in_the_repository():
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repo"
    assert (ROOT / "feeds" / "feeds.opml").is_file()


def test_the_example_feed_list_passes_the_feed_check():
    from newsbeam.transforms.feeds.feedlist import load_feed_list

    loaded = load_feed_list(ROOT / "feeds" / "feeds.opml")
    assert loaded.problems == [] and len(loaded.feeds) >= 1


def test_the_image_runs_in_a_folder_its_user_owns_and_installs_from_the_lock():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    user = next(line.split()[1] for line in lines if line.startswith("USER "))
    # The last WORKDIR is where the default ./lake is written: it must be
    # created and handed to the image's user before USER switches to it.
    workdir = [line.split()[1] for line in lines if line.startswith("WORKDIR ")][-1]
    text = "\n".join(lines)
    assert re.search(rf"chown {user}(:{user})? {re.escape(workdir)}\b", text), workdir
    assert lines.index(f"WORKDIR {workdir}") > lines.index(f"USER {user}")
    assert "PIP_CONSTRAINT=/app/constraints.txt" in text and "COPY pyproject.toml" in text
    assert "constraints.txt" in next(line for line in lines if line.startswith("COPY pyproject"))
