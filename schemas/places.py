"""The `places` table: place mentions geocoded offline (transforms/geo)."""

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
        col(
            "form",
            pa.string(),
            "name (Kiew, the United States) or demonym (Russian: the country it names)",
        ),
        col(
            "feature_kind",
            pa.string(),
            "continent, area, country, region (state, province) or city",
        ),
        col("country", pa.string(), "ISO 3166 alpha-3 of the place (empty for continents, areas)"),
        col("region", pa.string(), "ISO 3166-2 code of a region (US-GA), and of a US city's state"),
        col("lat", pa.float64(), "latitude (a country's or region's own point, a city's)"),
        col("lon", pa.float64(), "longitude"),
        col("geonames_id", pa.int64(), "GeoNames id"),
        col(
            "resolution",
            pa.string(),
            "unique, prior (kind and size decided), context (the article's other places "
            "decided), unknown",
            False,
        ),
        col("start_char", pa.int32(), "offset in articles.text", False),
        col("end_char", pa.int32(), "offset after the mention", False),
    ]
)
