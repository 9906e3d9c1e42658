"""Everything a process needs to answer requests with a model: loading a version folder and running inference.

Serving is the lower layer of the ML adapters: the embedder, the sentiment analyser, the zero-shot and served
category classifiers, the micro-batcher, and the readers of a model-version folder. Training (the sibling package)
builds on it and writes the folders these modules read; serving never imports training, so an API process loads
no training code (an import-linter contract checks this).

Importing anything here is cheap on purpose: torch, transformers, numpy, scikit-learn and spaCy are imported inside
the functions that need them, so the CLI, migrations and tests that never touch a model do not pay for them.
"""
