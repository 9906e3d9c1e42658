"""Keeps the loaded models out of the cyclic garbage collector's full collections.

Why: the models a process serves hold millions of small Python objects (the TF-IDF vocabulary, tokenizers, spaCy's
pipeline) that live as long as the process or the served version. Every full (generation 2) collection walked all
of them, holding the interpreter - the event loop, and so every request in flight - for hundreds of milliseconds,
a few times a minute under load; those pauses made the p99 latency (README, Benchmarks). `gc.freeze()` moves every
object alive at that moment to a permanent generation the collector never scans; objects created later are
collected as before, and reference counting still frees frozen objects nothing refers to.
"""

from __future__ import annotations

import gc


def freeze_loaded_models() -> None:
    """Call once the models are loaded and again after each swap of the served version. The earlier freeze is
    undone and one full collection runs first, so the previous version's reference cycles are freed rather than
    kept for good; that one collection pauses the process once, at load time instead of under load."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
