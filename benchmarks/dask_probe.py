"""Which Beam primitives produce output on the DaskRunner here (a reproducible check).

    .venv/bin/pip install -e '.[dask]' && .venv/bin/python benchmarks/dask_probe.py

newsbeam's pipelines need GroupByKey and CoGroupByKey (dedup, sharded writes).
On Beam 2.77 with dask/distributed 2024.8 and 2026.8 (LocalCluster, 2 worker
processes), this prints which of them delivered their elements. Seen here
(2026-11-25): only one of the three branches ran (CoGroupByKey ok, Map and
GroupByKey delivered nothing), also when the driver waited 8 s longer; with
tagged outputs every element reached every output. newsbeam therefore does not
claim the DaskRunner; see the README's runner section.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from distributed import Client, LocalCluster


class Record(beam.DoFn):
    def __init__(self, folder: str, tag: str) -> None:
        self.path = Path(folder) / tag

    def process(self, element):  # type: ignore[no-untyped-def]
        with self.path.open("a") as out:
            out.write(json.dumps(element, default=str) + "\n")
        yield element


def main() -> None:
    folder = tempfile.mkdtemp(prefix="dask-probe-")
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    options = PipelineOptions(
        [
            "--runner=apache_beam.runners.dask.dask_runner.DaskRunner",
            f"--dask_client_address={cluster.scheduler_address}",
        ]
    )
    pipeline = beam.Pipeline(options=options)
    pairs = pipeline | "Create" >> beam.Create([("k1", 1), ("k2", 2), ("k1", 3)])
    pairs | "Map" >> beam.Map(lambda x: x) | "RecMap" >> beam.ParDo(Record(folder, "Map"))
    pairs | "GroupByKey" >> beam.GroupByKey() | "RecGbk" >> beam.ParDo(Record(folder, "GroupByKey"))
    (
        {"a": pairs}
        | "CoGroupByKey" >> beam.CoGroupByKey()
        | "RecCogbk" >> beam.ParDo(Record(folder, "CoGroupByKey"))
    )
    pipeline.run().wait_until_finish()
    client.close()
    cluster.close()
    expected = {"Map": 3, "GroupByKey": 2, "CoGroupByKey": 2}
    for tag, count in expected.items():
        path = Path(folder) / tag
        got = len(path.read_text().splitlines()) if path.exists() else 0
        print(
            f"{tag:<14} expected {count} elements, got {got}: {'ok' if got == count else 'BROKEN'}"
        )


if __name__ == "__main__":
    main()
