"""Measuring the extractors on annotated corpora: `newsbeam evaluate TASK CORPUS...`.

One module per task (timex.py; quotes and entities join the same way): each
reads its corpora into GoldDocs (documents.py), runs the extractor the
pipeline runs, aligns by character offsets (spans.py) and prints precision,
recall and F1.
"""

TASKS = ("timex",)
