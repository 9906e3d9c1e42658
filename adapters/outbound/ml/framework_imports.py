"""Resolves transformers' lazily imported classes once, before several threads can race to do it.

Why: transformers imports its model classes on first attribute access, and two threads doing that at the same
moment can see a half-initialised module ("cannot import name 'AutoModelForSequenceClassification'"); the
embedder, the served model and the trainer each load on threads of their own.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_done = False


def import_model_classes() -> None:
    """Blocking and idempotent; call it from a thread at start-up, before any model loads."""
    global _done
    with _lock:
        if _done:
            return
        from transformers import (  # noqa: F401 - imported for their side effect of resolving the lazy modules
            AutoModel,
            AutoModelForSequenceClassification,
            AutoTokenizer,
            BertForSequenceClassification,
        )

        _done = True
