"""Which torch device a model runs on, so serving and training resolve "auto" the same way."""

from __future__ import annotations


def resolve_device(name: str) -> str:
    """'auto' picks CUDA when torch sees a GPU, else CPU; anything else is passed through to torch."""
    if name != "auto":
        return name
    import torch  # deferred: importing torch costs seconds

    return "cuda" if torch.cuda.is_available() else "cpu"


def computes_bf16_natively(device: str) -> bool:
    """Whether bfloat16 matrix work runs at full speed on `device`: a CUDA GPU that supports it, or a CPU whose
    flags include AVX-512 BF16 or AMX (elsewhere bf16 autocast is emulated and slower than fp32)."""
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if device != "cpu":
        return False
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            flags = next((line for line in handle if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags
