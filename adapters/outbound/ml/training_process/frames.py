"""Length-prefixed frames over a pipe: a 4-byte big-endian length, then that many bytes.

Why not lines: a training request carries every labelled ticket (tens of MB), past any sane line limit, and a
length says up front how much to read.
"""

from __future__ import annotations

import asyncio
import struct
from typing import BinaryIO

_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = (1 << 32) - 1


def frame(payload: bytes) -> bytes:
    """`payload` with its length in front; raises ValueError for a payload a header cannot describe."""
    if len(payload) > MAX_FRAME_BYTES:
        raise ValueError(f"a frame holds at most {MAX_FRAME_BYTES} bytes, got {len(payload)}")
    return _HEADER.pack(len(payload)) + payload


async def read_frame(reader: asyncio.StreamReader) -> bytes:
    """The next frame's payload; raises asyncio.IncompleteReadError when the pipe ends first."""
    (size,) = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    return await reader.readexactly(size)


def read_frame_blocking(stream: BinaryIO) -> bytes | None:
    """The next frame's payload, or None when the pipe ended between frames (the other side closed it).

    Raises EOFError when it ends inside a frame."""
    header = stream.read(_HEADER.size)
    if not header:
        return None
    if len(header) < _HEADER.size:
        raise EOFError("the pipe ended inside a frame header")
    (size,) = _HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError(f"the pipe ended after {len(payload)} of a frame's {size} bytes")
    return payload
