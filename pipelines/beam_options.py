"""Which leftover command-line options may pass through to Beam.

`newsbeam ingest` hands the options it does not know itself to Beam
(`--runner=FlinkRunner`, `--flink_master=...`). Beam discards what it does not
know with a warning, so a typo (`--ouput out/`) used to run with the default
instead. Here only the options that Beam's PipelineOptions really define pass;
anything else is an error with a suggestion.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Iterable, Iterator


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def beam_parser() -> argparse.ArgumentParser:
    """A parser that knows every option of every PipelineOptions subclass Beam defines."""
    from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

    parser = _BeamArgumentParser(allow_abbrev=False, add_help=False)
    for cls in sorted(set(_subclasses(PipelineOptions)), key=lambda c: c.__qualname__):
        cls._add_argparse_args(parser)  # type: ignore[attr-defined]
    return parser


def unknown_options(extra: list[str]) -> list[str]:
    """The tokens among `extra` that are not Beam options (or their values)."""
    if not extra:
        return []
    _, unknown = beam_parser().parse_known_args(extra)
    return unknown


def suggestion(token: str, known: Iterable[str]) -> str:
    """' (did you mean --output?)' for '--ouput', or ''."""
    name = token.split("=", 1)[0]
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def refuse_unknown(parser: argparse.ArgumentParser, extra: list[str]) -> None:
    """Exit with status 2 (argparse's) if any leftover option is not Beam's."""
    unknown = unknown_options(extra)
    if not unknown:
        return
    token = unknown[0]
    if not token.startswith("-"):
        parser.error(f"unexpected argument {token!r}")
    known = [opt for action in parser._actions for opt in action.option_strings]
    known += list(beam_parser()._option_string_actions)
    parser.error(f"unknown option {token.split('=', 1)[0]}{suggestion(token, known)}")
