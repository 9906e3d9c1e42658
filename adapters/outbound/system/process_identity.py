"""A name for this process that no other process on the same database shares (the holder of its work leases)."""

from __future__ import annotations

import os
import secrets
import socket


def process_holder_id() -> str:
    """Host, pid and a random part: pids repeat across hosts and, after restarts, on one host (a restarted process
    must not take for its own a lease its dead predecessor left). Well under the 200 characters a holder may have."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{secrets.token_hex(8)}"
