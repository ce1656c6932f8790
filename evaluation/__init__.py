"""Measuring the extractors on annotated corpora: `newsbeam evaluate TASK CORPUS...`.

One module per task, each with a reader for its corpora and a `main`:
timex.py (TimeML, MEANTIME and TIMEX2 via timeml.py into GoldDocs,
documents.py), quotes.py (BRAT and SpkAtt-2023 via attribution.py), places.py
(GeoVirus and TR-News via toponyms.py), events.py (PLOVER-coded sentences) and
ner.py (CoNLL/IOB and GermEval columns via iob.py, with each rule's effect). Each
runs the extractor the pipeline runs, aligns by character offsets (spans.py)
and prints precision, recall and F1.
"""

TASKS = ("timex", "quotes", "places", "events", "ner")
