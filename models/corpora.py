"""Convert the open German corpora (UD CoNLL-U, GermEval 2014 TSV) to spaCy DocBins.

Splits are fixed and documented so that no score is ever reported on data the
model trained on: `train` fits the weights, `dev` picks the best checkpoint,
`test` is only scored by `newsbeam model evaluate`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.tokens import Doc, DocBin
from spacy.training.converters import conllu_to_docs
from spacy.vocab import Vocab

# GermEval's outer level has PER/LOC/ORG/OTH plus -deriv ("ukrainisch") and
# -part ("US-Präsident") variants. newsbeam wants names, so OTH becomes MISC and
# the derived/part forms are not entities (the extractors read them from lemmas).
GERMEVAL_LABELS = {"PER": "PER", "LOC": "LOC", "ORG": "ORG", "OTH": "MISC"}

# Sentence counts taken from the head of the GermEval and UD-GSD dev files.
NER_DEV_TRAIN = 700  # dev[:700] is added to training
NER_DEV_SELECT = 400  # dev[700:1100] selects the checkpoint; dev[1100:] is the test
UD_DEV_SELECT = 20  # docs of gsd-dev[:20] select; the rest is the test

# UD sentences are grouped into documents of this many, so that the parser
# learns where one sentence ends and the next begins (one per doc teaches nothing).
UD_SENTS_PER_DOC = 10

NO_SPACE_BEFORE = set(",.;:!?)]}“'\"%")
NO_SPACE_AFTER = set("([{„‚")


def read_germeval(path: Path) -> Iterator[tuple[list[str], list[str]]]:
    """Yield (tokens, outer BIO tags) per sentence of a GermEval 2014 TSV file."""
    words: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("#") or not line.strip():
                if words:
                    yield words, tags
                    words, tags = [], []
                continue
            cols = line.split("\t")
            words.append(cols[1])
            tags.append(cols[2])
    if words:
        yield words, tags


def germeval_spaces(words: list[str]) -> list[bool]:
    """Guess whitespace so the text looks like news (the tokenizer re-splits it)."""
    spaces = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        space = nxt is not None and nxt not in NO_SPACE_BEFORE and word not in NO_SPACE_AFTER
        spaces.append(space)
    return spaces


def outer_bio_to_spacy(tags: list[str], unscored: str = "O") -> list[str]:
    """Map GermEval outer tags to spaCy BILUO-compatible IOB tags over our labels.
    Deriv and part tokens get `unscored`: "O" to train on, "" (missing) to score
    on, so that spaCy's scorer counts an entity there neither right nor wrong
    (CoNLL-style corpora tag "deutsche" MISC, GermEval's four classes do not)."""
    out = []
    for tag in tags:
        if tag == "O" or "-" not in tag:
            out.append("O")
            continue
        prefix, label = tag.split("-", 1)
        mapped = GERMEVAL_LABELS.get(label)
        out.append(f"{prefix}-{mapped}" if mapped else unscored)
    # An I- after a dropped deriv/part tag would start a span mid-entity.
    return _repair_bio(out)


def germeval_docs(
    sentences: Iterable[tuple[list[str], list[str]]], vocab: Vocab, unscored: str = "O"
) -> list[Doc]:
    """Docs of GermEval sentences (read_germeval), deriv/part tokens as `unscored`."""
    docs = []
    for words, tags in sentences:
        ents = outer_bio_to_spacy(tags, unscored)
        docs.append(Doc(vocab, words=words, spaces=germeval_spaces(words), ents=ents))
    return docs


# Europeana's tags as written, typos included ("B-PEr", "B_LOC", "B.PER").
_EUROPEANA_TAG = re.compile(r"^([BI])[-_.](PER|LOC|ORG|MISC)$", re.IGNORECASE)
# Europeana has no sentence breaks: a chunk ends after . ! ? before a capital,
# or at this many tokens.
EUROPEANA_MAX_TOKENS = 60


def read_europeana(path: Path) -> Iterator[tuple[list[str], list[str]]]:
    """(tokens, BIO tags) per pseudo-sentence of a Europeana Newspapers .bio file.

    Comment lines ("# file: ...") are skipped; a tag that is none of B/I-PER,
    LOC, ORG, MISC after case and separator repair ("B-BER", "B-OLOC") is O.
    """
    words: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            cols = line.split()
            if not cols or cols[0] == "#":
                continue
            match = _EUROPEANA_TAG.match(cols[-1]) if len(cols) > 1 else None
            tag = f"{match[1].upper()}-{match[2].upper()}" if match else "O"
            if words and (
                len(words) >= EUROPEANA_MAX_TOKENS
                or (words[-1] in (".", "!", "?") and cols[0][:1].isupper() and tag[:1] != "I")
            ):
                yield words, _repair_bio(tags)
                words, tags = [], []
            words.append(cols[0])
            tags.append(tag)
    if words:
        yield words, _repair_bio(tags)


def _repair_bio(tags: list[str]) -> list[str]:
    """An I- that continues nothing (a cut chunk, a dropped tag) starts the entity."""
    out = list(tags)
    for i, tag in enumerate(out):
        if tag.startswith("I-") and (i == 0 or out[i - 1][2:] != tag[2:]):
            out[i] = "B-" + tag[2:]
    return out


def europeana_docs(folder: Path, vocab: Vocab) -> list[Doc]:
    docs = []
    for path in sorted(folder.glob("*.bio")):
        for words, tags in read_europeana(path):
            docs.append(Doc(vocab, words=words, spaces=germeval_spaces(words), ents=tags))
    return docs


def ud_docs(path: Path) -> list[Doc]:
    """Docs of UD_SENTS_PER_DOC sentences, multi-word tokens merged ("zum" stays whole)."""
    text = path.read_text(encoding="utf-8")
    return list(conllu_to_docs(text, n_sents=UD_SENTS_PER_DOC, merge_subtokens=True, no_print=True))


def germeval_training_sentences(corpus_dir: Path) -> list[tuple[list[str], list[str]]]:
    """(tokens, outer tags) of the GermEval sentences the NER trains on: the test
    file and dev[:NER_DEV_TRAIN]; the rest of dev selects and scores the model."""
    ge = corpus_dir / "germeval"
    return [*read_germeval(ge / "NER-de-test.tsv"),
            *list(read_germeval(ge / "NER-de-dev.tsv"))[:NER_DEV_TRAIN]]  # fmt: skip


def pretraining_texts(corpus_dir: Path) -> list[str]:
    """Raw text for `spacy pretrain` (the NER's tok2vec): the UD sentences, the
    GermEval sentences the NER trains on and the Europeana chunks. GermEval's
    selection and held-out sentences are left out: their text shapes no weights."""
    texts = []
    for path in sorted((corpus_dir / "ud").glob("*.conllu")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# text = "):
                texts.append(line[len("# text = ") :])
    sentences = germeval_training_sentences(corpus_dir)
    for path in sorted((corpus_dir / "europeana").glob("*.bio")):
        sentences += read_europeana(path)
    for words, _tags in sentences:
        texts.append(
            "".join(
                w + (" " if s else "") for w, s in zip(words, germeval_spaces(words), strict=True)
            )
        )
    return texts


def build_corpora(corpus_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write ud-{train,dev,test}.spacy and ner-{train,dev,test}.spacy; return sizes."""
    if not (corpus_dir / "ud").is_dir() or not (corpus_dir / "germeval").is_dir():
        raise FileNotFoundError(
            f"training corpora not found in {corpus_dir}: training and scoring run from a "
            "checkout of the newsbeam repository (training/de/corpus is not in the wheel)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = Vocab()
    ud = corpus_dir / "ud"
    gsd_dev = ud_docs(ud / "de_gsd-ud-dev.conllu")
    gsd_test = ud_docs(ud / "de_gsd-ud-test.conllu")
    splits = {
        "ud-train": gsd_test + ud_docs(ud / "de_pud-ud-test.conllu"),
        "ud-dev": gsd_dev[:UD_DEV_SELECT],
        "ud-test": gsd_dev[UD_DEV_SELECT:],
    }
    # The final syntax fit also learns from the selection split (see models/train.py).
    splits["ud-trainall"] = splits["ud-train"] + splits["ud-dev"]
    # PUD's XPOS are Penn-style (DT, VBC, IN), GSD's are STTS (ART, VVFIN, APPR).
    # The syntax run learns both (an auxiliary task that helps the parser); the
    # tagger that ships is then refit on STTS alone (configs/tagger.cfg).
    splits["tagger-train"] = gsd_test
    ge = corpus_dir / "germeval"
    dev = list(read_germeval(ge / "NER-de-dev.tsv"))
    cut = NER_DEV_TRAIN + NER_DEV_SELECT
    splits["ner-train"] = germeval_docs(read_germeval(ge / "NER-de-test.tsv"), vocab) + (
        germeval_docs(dev[:NER_DEV_TRAIN], vocab)
    )
    splits["ner-dev"] = germeval_docs(dev[NER_DEV_TRAIN:cut], vocab)
    # The held-out split leaves deriv/part tokens unannotated (see outer_bio_to_spacy).
    splits["ner-test"] = germeval_docs(dev[cut:], vocab, unscored="")
    europeana = corpus_dir / "europeana"
    if europeana.is_dir():
        splits["ner-europeana"] = europeana_docs(europeana, vocab)
    sizes = {}
    for name, docs in splits.items():
        DocBin(docs=docs, store_user_data=False).to_disk(out_dir / f"{name}.spacy")
        sizes[name] = len(docs)
    texts = pretraining_texts(corpus_dir)
    with (out_dir / "pretrain-text.jsonl").open("w", encoding="utf-8") as handle:
        for text in texts:
            handle.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    sizes["pretrain-text"] = len(texts)
    return sizes
