"""What the parent asks the training process and what it answers: one msgspec JSON message per frame.

Every argument and result is a typed field: the domain dataclasses and the trainer port's results are encoded
field by field and checked against these types when read, on both sides. Nothing is pickled, so neither side can
make the other run code. `TrainedModel.details` is any JSON-able dict, passed on as it is.

Before its first request the parent sends one frame of its own (the configuration the child builds its trainer
from), which this module does not interpret.
"""

from __future__ import annotations

import msgspec

from application.ports.model_trainer import CalibratedVersion, TrainedModel
from domain.dataset_split import Example
from domain.labelled_tickets import LabelledTicket
from domain.mislabels import LabelJudgement
from domain.model_versions import ModelVersion
from domain.training_runs import TrainingProgress


class TrainLinear(msgspec.Struct, frozen=True, tag="train_linear"):
    train: list[Example]
    validation: list[Example]
    labels: list[str]


class Train(msgspec.Struct, frozen=True, tag="train"):
    train: list[Example]
    validation: list[Example]
    labels: list[str]
    warm_starts: list[ModelVersion]
    reuse_linear: ModelVersion | None = None
    epochs: float | None = None
    encoder_examples: list[Example] | None = None
    """`epochs` and `encoder_examples` are passed on only when given (not None)."""


class Predict(msgspec.Struct, frozen=True, tag="predict"):
    path: str
    texts: list[str]


class Calibrate(msgspec.Struct, frozen=True, tag="calibrate"):
    path: str
    validation: list[Example]
    test: list[Example]


class FindMislabels(msgspec.Struct, frozen=True, tag="find_mislabels"):
    tickets: list[LabelledTicket]


Request = TrainLinear | Train | Predict | Calibrate | FindMislabels


class Progress(msgspec.Struct, frozen=True, tag="progress"):
    """Sent any number of times before a training call's result."""

    update: TrainingProgress


class Failed(msgspec.Struct, frozen=True, tag="failed"):
    """The call raised in the child; the child goes on serving."""

    error: str
    """"<exception type>: <message>", as a run records a failure."""


class Trained(msgspec.Struct, frozen=True, tag="trained"):
    model: TrainedModel | None


class Predicted(msgspec.Struct, frozen=True, tag="predicted"):
    labels: list[str]


class Calibrated(msgspec.Struct, frozen=True, tag="calibrated"):
    version: CalibratedVersion


class Judged(msgspec.Struct, frozen=True, tag="judged"):
    judgements: list[LabelJudgement]


Reply = Progress | Failed | Trained | Predicted | Calibrated | Judged

encoder = msgspec.json.Encoder()
request_decoder = msgspec.json.Decoder(Request)
reply_decoder = msgspec.json.Decoder(Reply)
