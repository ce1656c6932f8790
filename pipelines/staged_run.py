"""Run a Beam pipeline that writes into a lake's staging area, all or nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from newsbeam.transforms.lake import Lake, LakeConfig
from newsbeam.transforms.lake.commit import abort_run, claim_staging, recover
from newsbeam.transforms.lake.tables import check_layout, lake_tables

log = logging.getLogger(__name__)


def open_for_run(config: LakeConfig) -> tuple[LakeConfig, Lake, list[str]]:
    """The lake a run (ingest, tick, reprocess) writes into, made ready: settings
    from the environment filled in, a lake in the old layout refused, commits
    that were cut short rolled forward. Returns the settings, the lake and the
    ids of the runs rolled forward."""
    config = config.with_env_defaults()
    lake = Lake(config)
    check_layout(lake)
    return config, lake, recover(lake)


def run_staged(
    lake: Lake, run_id: str, beam_args: list[str], build: Callable[[beam.Pipeline], None]
) -> None:
    """Build the graph, run it to the end; on any failure drop what the run staged."""
    pipeline = beam.Pipeline(options=PipelineOptions(beam_args))
    build(pipeline)
    claim_staging(lake, run_id)
    # The commit needs the lake's Iceberg tables (created on a new lake: 1.3 s
    # for ten); the driver opens them while the workers run instead of after.
    opening = threading.Thread(
        target=_open_tables, args=(lake.config,), name="newsbeam-open-tables", daemon=True
    )
    opening.start()
    try:
        pipeline.run().wait_until_finish()
    except BaseException:
        abort_run(lake, run_id)
        raise
    finally:
        opening.join()


def _open_tables(config: LakeConfig) -> None:
    try:
        lake_tables(config)
    except Exception as exc:  # the commit opens them again and reports what fails
        log.debug("could not open the lake's tables ahead of the commit: %s", exc)
