"""Model-backed adapters: the embedder, the sentiment analyser and the category classifiers.

Importing anything here is cheap on purpose: torch, transformers and spaCy are imported only when a model is
loaded, so the CLI, migrations and tests that never touch a model do not pay seconds of start-up for them.
Inference runs in worker threads (see `serving.micro_batcher`), never on the event loop. `serving` loads and runs
models; `training` builds model versions on top of it and is never imported by serving.
"""
