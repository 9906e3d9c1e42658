"""Hyper-parameters of one fine-tuning run, in one frozen object so a run is reproducible from its metadata.

The values the service trains with are the TRAIN_* settings (bootstrap/settings.py). Why those: tickets are short,
so the maximum length truncates few of them while keeping each step cheap; length bucketing makes batches of similar
length, so dynamic padding wastes almost nothing; with the token embeddings frozen an epoch over the helpdesk tickets
takes minutes on a CPU, so a first training runs a few epochs from MiniLM and a warm-started retraining fewer, and
the time budget caps a slow machine. The figures (benchmarks/accuracy_experiment.py) are in the README's "Figures
behind choices in the code".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PRECISIONS = ("auto", "bf16", "fp32")


@dataclass(frozen=True, slots=True, kw_only=True)
class FineTuneConfig:
    """Settings for `train_sequence_classifier` (and the hybrid model built around it).

    time_budget_s bounds the optimisation loop only (tokenising, validation and saving come on top); when it
    runs out the loop stops after the current step and the weights learned so far are kept. The learning-rate
    schedule is re-planned after the first steps so that it decays to zero by the budget, not by a step count
    the budget would never reach. None means no budget.

    freeze_embeddings keeps the (30k x 384) token-embedding table fixed: on CPU its dense AdamW update and
    backward pass are a large share of every step, while fine-tuning it buys little on a few ten-thousand tickets.

    frozen_layers: the lowest encoder layers also kept fixed (0: all six of MiniLM-L6 train).

    precision: "bf16" runs forward and loss under bfloat16 autocast (weights and optimiser stay fp32), "fp32"
    does not, "auto" uses bf16 where the device computes it natively (a CUDA GPU, or a CPU with AVX-512 BF16
    or AMX) and fp32 elsewhere.

    micro_batch_size: each step's batch runs forward and backward this many tickets at a time, gradients
    accumulated to the whole batch's (None: the batch at once). The step is the same; the activations alive at once
    - what bounds a training's memory on a batch of long tickets - are a micro-batch's.

    early_stop_min_delta: when set, the validation split is scored after every full epoch but the last, and
    training stops once an epoch improved validation accuracy by less than this (the weights are kept as they
    are; the schedule was planned for `epochs`).
    """

    epochs: float
    batch_size: int
    max_length: int
    learning_rate: float
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    time_budget_s: float | None
    seed: int = 42
    length_bucketing: bool = True
    device: str = "auto"
    freeze_embeddings: bool = True
    eval_batch_size: int = 64
    frozen_layers: int = 0
    precision: str
    early_stop_min_delta: float | None = None
    micro_batch_size: int | None = 8

    def __post_init__(self) -> None:
        if self.epochs <= 0:
            raise ValueError(f"epochs must be positive, got {self.epochs}")
        if self.batch_size < 1 or self.eval_batch_size < 1:
            raise ValueError("batch sizes must be at least 1")
        if self.micro_batch_size is not None and self.micro_batch_size < 1:
            raise ValueError(f"micro_batch_size must be at least 1 or None, got {self.micro_batch_size}")
        if not 8 <= self.max_length <= 512:
            raise ValueError(f"max_length must be within 8..512, got {self.max_length}")
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ValueError(f"warmup_ratio must be within [0, 1), got {self.warmup_ratio}")
        if self.frozen_layers < 0:
            raise ValueError(f"frozen_layers must not be negative, got {self.frozen_layers}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        if self.early_stop_min_delta is not None and not 0.0 <= self.early_stop_min_delta < 1.0:
            raise ValueError(f"early_stop_min_delta must be within [0, 1), got {self.early_stop_min_delta}")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise ValueError(f"time_budget_s must be positive or None, got {self.time_budget_s}")

    def to_json(self) -> dict[str, Any]:
        """A JSON-able copy, written next to the model so the run can be repeated."""
        return asdict(self)
