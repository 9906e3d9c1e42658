"""Which torch device a model runs on, so serving and training resolve "auto" the same way."""

from __future__ import annotations


def resolve_device(name: str) -> str:
    """'auto' picks CUDA when torch sees a GPU, else CPU; anything else is passed through to torch."""
    if name != "auto":
        return name
    import torch  # deferred: importing torch costs seconds

    return "cuda" if torch.cuda.is_available() else "cpu"
