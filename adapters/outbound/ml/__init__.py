"""Model-backed adapters: the embedder, the sentiment analyser and the category classifiers.

Importing anything here is cheap on purpose: torch, transformers and spaCy are imported only when a model is
loaded, so the CLI, migrations and tests that never touch a model do not pay seconds of start-up for them.
Inference runs in worker threads (see `micro_batcher`), never on the event loop.
"""
