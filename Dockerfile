# newsbeam worker image: the CLI with both shipped spaCy pipelines baked in.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY newsbeam newsbeam
COPY pipelines pipelines
COPY transforms transforms
COPY schemas schemas
COPY models models
COPY seeds seeds
RUN pip install --no-cache-dir . && useradd --create-home newsbeam
USER newsbeam
ENTRYPOINT ["newsbeam"]
CMD ["--help"]
