"""What every `newsbeam evaluate` task shares: parsing the documents with the
pipeline of their language, and putting the printed report together."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from spacy.tokens import Doc

from newsbeam.transforms.records import Article


class Document(Protocol):
    doc_id: str
    source: str
    text: str
    language: str


def parsed(
    documents: Sequence[Document], models: dict[str, str] | None = None
) -> Iterator[tuple[Doc, Article]]:
    """(spaCy Doc, Article) for each document, as the pipeline's NLP step makes them."""
    from newsbeam.models import registry
    from newsbeam.transforms.nlp import nlp_text

    pipelines = {}
    for document in documents:
        if document.language not in pipelines:
            pipelines[document.language] = registry.load(document.language, models)
        doc = pipelines[document.language](nlp_text(document.text))
        article = Article(
            article_id=document.doc_id,
            source=document.source,
            text=document.text,
            language=document.language,
        )
        yield doc, article


def nothing_to_score(what: str, corpora: list[str], skipped: list[str]) -> SystemExit:
    reasons = "".join(f"\n  {s}" for s in skipped)
    return SystemExit(f"no {what} under {' '.join(corpora)}{reasons}")


def assemble(report: str, skipped: list[str], errors: str | None) -> str:
    """The report, the inputs not scored with their reasons, and (--errors) the misses."""
    if skipped:
        report += f"\n\nnot scored ({len(skipped)}):" + "".join(f"\n  {s}" for s in skipped)
    if errors is not None:
        report += "\n\n" + errors
    return report


def task_main(
    *,
    read: Callable[[list[str]], tuple[Sequence[Any], list[str]]],
    what: str,
    score: Callable[[Any, dict[str, str] | None], Any],
    render: Callable[[Any, str], str],
    render_errors: Callable[[Any], str],
) -> Callable[..., str]:
    """A task's `main(corpora, errors, command, models)`: read the corpora, stop
    when nothing can be scored, score, and put the report together (with
    --errors, the misses)."""

    def main(
        corpora: list[str],
        errors: bool = False,
        command: str = "",
        models: dict[str, str] | None = None,
    ) -> str:
        items, skipped = read(corpora)
        if not items:
            raise nothing_to_score(what, corpora, skipped)
        results = score(items, models)
        report = render(results, command)
        return assemble(report, skipped, render_errors(results) if errors else None)

    return main
