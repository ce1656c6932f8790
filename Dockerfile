# newsbeam worker image: the CLI with both shipped spaCy pipelines baked in.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md constraints.txt ./
COPY newsbeam newsbeam
COPY pipelines pipelines
COPY transforms transforms
COPY schemas schemas
COPY models models
COPY seeds seeds
# The same pinned set as CI (constraints.txt, build tools included).
RUN PIP_CONSTRAINT=/app/constraints.txt pip install --no-cache-dir --quiet \
        --disable-pip-version-check . \
    && useradd --create-home newsbeam \
    && mkdir /data && chown newsbeam:newsbeam /data
USER newsbeam
# The working folder is the user's own: the default ./lake lands in /data/lake.
WORKDIR /data
ENTRYPOINT ["newsbeam"]
CMD ["--help"]
