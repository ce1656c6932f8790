"""The parts of `newsbeam stream`, the long-running feed pipeline (pipelines/stream.py)."""
