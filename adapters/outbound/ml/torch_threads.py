"""Sets torch's intra-op thread count once per process, before the first model runs.

Why: torch defaults to one thread per core, and every batcher thread's forward pass uses all of them; on a box
shared with the web server, the database driver and other workers that oversubscribes the cores. Bootstrap calls
this with the configured count (None keeps torch's default). torch refuses to change the inter-op count after it
has started parallel work, so only the intra-op count is touched, and only the first call has an effect.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_configured: int | None = None


def configure_torch_threads(n: int | None) -> int:
    """Sets the intra-op thread count to `n` (if given) on the first call; returns the count in force."""
    global _configured
    import torch  # deferred: importing torch costs seconds

    with _lock:
        if _configured is not None:
            if n is not None and n != _configured:
                logger.warning("torch threads already set to %d; ignoring request for %d", _configured, n)
            return torch.get_num_threads()
        if n is not None:
            if n < 1:
                raise ValueError(f"torch thread count must be at least 1, got {n}")
            torch.set_num_threads(n)
        _configured = torch.get_num_threads()
        logger.info("torch intra-op threads: %d", _configured)
        return _configured
