"""Loaded models are kept out of the collector's full collections, and a swapped-out version is not kept for good."""

from __future__ import annotations

import gc
import weakref

from bootstrap.long_lived_objects import freeze_loaded_models


class Model:
    def __init__(self) -> None:
        self.cycle = self  # models hold reference cycles: only the cyclic collector frees them


def test_what_is_loaded_is_frozen_and_a_retired_version_is_freed_at_the_next_freeze() -> None:
    try:
        served = Model()
        freeze_loaded_models()
        assert gc.get_freeze_count() > 0
        retired = weakref.ref(served)
        del served
        gc.collect()
        assert retired() is not None  # frozen: the collector no longer scans it

        freeze_loaded_models()  # the next swap unfreezes, collects and freezes again
        assert retired() is None
    finally:
        gc.unfreeze()
