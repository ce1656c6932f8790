"""Run a Beam pipeline that writes into a lake's staging area, all or nothing."""

from __future__ import annotations

from collections.abc import Callable

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from newsbeam.transforms.lake import Lake
from newsbeam.transforms.lake.commit import abort_run, claim_staging


def run_staged(
    lake: Lake, run_id: str, beam_args: list[str], build: Callable[[beam.Pipeline], None]
) -> None:
    """Build the graph, run it to the end; on any failure drop what the run staged."""
    pipeline = beam.Pipeline(options=PipelineOptions(beam_args))
    build(pipeline)
    claim_staging(lake, run_id)
    try:
        pipeline.run().wait_until_finish()
    except BaseException:
        abort_run(lake, run_id)
        raise
