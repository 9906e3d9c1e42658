"""What the retraining job records about a version it registered (`VersionEvaluation`) and about a run
(`RunReport`), and the one mapping of each to and from the JSON stored as the version's or run's metrics.

The JSON is what the API shows as `metrics`, so its shape is a contract: `to_json` writes a key only for what the
record holds, and `from_json` reads what any version of the job wrote. Older versions and runs lack the parts
measured since (calibration and decision coverage, stages, the plan): those read as None, as does a part that
does not read whole (`domain.stored_json`); nothing past `from_json` parses JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.calibration import DEFAULT_BINS, Calibration, ReliabilityBin
from domain.decision_thresholds import CoverageReport, LabelCoverage
from domain.metrics import EvaluationReport
from domain.stored_json import JsonObject, Unreadable, array, count, number, obj, part, required, text
from domain.training_plan import TrainingPlan
from domain.training_stages import TrainingStage


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    """How far a version's confidence can be trusted, as measured on the test split after calibrating it.

    `calibration` is the chosen temperature (1.0 when fitting one did not lower the test ECE); the reliability
    bins are the test split's before and after the fitted temperature; `coverage` is the share of test tickets
    the version's per-label thresholds (chosen on validation, on the served scale) decide automatically, and
    how often those decisions were right. Stored as metrics["calibration"] and metrics["decision_coverage"].
    """

    calibration: Calibration
    reliability_before: tuple[ReliabilityBin, ...]
    reliability_after: tuple[ReliabilityBin, ...]
    coverage: CoverageReport

    @property
    def served_ece(self) -> float:
        """The test ECE of the confidences serving answers: after the temperature only where it is applied."""
        calibration = self.calibration
        return calibration.test_ece_after if calibration.applied else calibration.test_ece_before

    def to_json(self) -> dict[str, object]:
        """Its two keys of a version's or a run's metrics."""
        calibration, coverage = self.calibration, self.coverage
        return {
            "calibration": {
                "temperature": calibration.temperature,
                "fitted_temperature": calibration.fitted_temperature,
                "test_ece_before": calibration.test_ece_before,
                "test_ece_after": calibration.test_ece_after,
                "applied": calibration.applied,
                "bins": DEFAULT_BINS,
                "reliability_before": [_bin_json(b) for b in self.reliability_before],
                "reliability_after": [_bin_json(b) for b in self.reliability_after],
            },
            "decision_coverage": {
                "target_precision": coverage.target_precision,
                "overall": _line_json(coverage.overall),
                "per_label": {
                    line.label: {"threshold": line.threshold, **_line_json(line)}
                    for line in coverage.per_label
                    if line.label is not None
                },
            },
        }

    @classmethod
    def from_json(cls, metrics: JsonObject) -> CalibrationReport | None:
        """The report in a version's or a run's metrics; None when they hold none (or not one that reads whole)."""
        calibration, coverage = metrics.get("calibration"), metrics.get("decision_coverage")
        if not isinstance(calibration, Mapping) or not isinstance(coverage, Mapping):
            return None
        try:
            return cls._read(calibration, coverage)
        except Unreadable:
            return None

    @classmethod
    def _read(cls, data: JsonObject, coverage: JsonObject) -> CalibrationReport:
        calibration = Calibration(
            temperature=required(number(data.get("temperature")), "temperature"),
            fitted_temperature=required(number(data.get("fitted_temperature")), "fitted_temperature"),
            test_ece_before=required(number(data.get("test_ece_before")), "test_ece_before"),
            test_ece_after=required(number(data.get("test_ece_after")), "test_ece_after"),
        )
        per_label = obj(coverage.get("per_label"), "per_label")
        return cls(
            calibration=calibration,
            reliability_before=_bins(data.get("reliability_before")),
            reliability_after=_bins(data.get("reliability_after")),
            coverage=CoverageReport(
                target_precision=required(number(coverage.get("target_precision")), "target_precision"),
                per_label=tuple(_line(str(label), obj(line, str(label))) for label, line in per_label.items()),
                overall=_line(None, obj(coverage.get("overall"), "overall")),
            ),
        )


@dataclass(frozen=True, slots=True)
class SplitSizes:
    """How many labelled tickets each split held; `train_only_labels` were too rare to be tested."""

    train: int
    validation: int
    test: int
    train_only_labels: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "train": self.train,
            "validation": self.validation,
            "test": self.test,
            "train_only_labels": list(self.train_only_labels),
        }

    @classmethod
    def from_json(cls, data: JsonObject) -> SplitSizes:
        labels = data.get("train_only_labels", [])
        return cls(
            train=required(count(data.get("train")), "train"),
            validation=required(count(data.get("validation")), "validation"),
            test=required(count(data.get("test")), "test"),
            train_only_labels=tuple(required(text(label), "train_only_labels") for label in array(labels, "labels")),
        )


@dataclass(frozen=True, slots=True)
class VersionEvaluation:
    """A registered version's metrics: its test-split evaluation, calibration and decision coverage, the trainer's
    own figures, and which stage of its run it was; the active version's evaluation when it was compared."""

    test: EvaluationReport | None = None
    training: Mapping[str, object] | None = None
    """The trainer's figures (durations, steps, validation scores, whether the time budget stopped it), as JSON
    it gave them (`application.ports.model_trainer.TrainedModel.details`)."""
    split: SplitSizes | None = None
    calibration: CalibrationReport | None = None
    stage: str | None = None
    """The run's stage that registered it (`domain.training_stages`); None for a version from before stages."""
    incumbent_test: EvaluationReport | None = None
    """The version active when it was registered, measured on the same test split."""

    @property
    def served_ece(self) -> float | None:
        return self.calibration.served_ece if self.calibration is not None else None

    def to_json(self) -> dict[str, object]:
        calibration = self.calibration.to_json() if self.calibration is not None else {}
        return _present(
            test=self.test.to_json() if self.test is not None else None,
            training=dict(self.training) if self.training is not None else None,
            split=self.split.to_json() if self.split is not None else None,
            **calibration,
            stage=self.stage,
            incumbent_test=self.incumbent_test.to_json() if self.incumbent_test is not None else None,
        )

    @classmethod
    def from_json(cls, data: object) -> VersionEvaluation:
        if not isinstance(data, Mapping):
            return cls()
        training = data.get("training")
        return cls(
            test=part(EvaluationReport.from_json, data.get("test")),
            training=dict(training) if isinstance(training, Mapping) else None,
            split=part(SplitSizes.from_json, data.get("split")),
            calibration=CalibrationReport.from_json(data),
            stage=text(data.get("stage")),
            incumbent_test=part(EvaluationReport.from_json, data.get("incumbent_test")),
        )


@dataclass(frozen=True, slots=True)
class MislabelSummary:
    """What listing likely mislabelled tickets after a run found: candidates per label, or why it failed."""

    candidates_per_label: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RunReport:
    """A training run's metrics. The summary (accuracy to incumbent figures) describes the run's last stage that
    registered a version; `stages` lists every stage in order; an update's `plan` carries how many new tickets and
    replayed older ones its transformer continued on."""

    accuracy: float | None = None
    macro_f1: float | None = None
    ece: float | None = None
    """The served ECE of the summarised stage's version."""
    test_size: int | None = None
    calibration: CalibrationReport | None = None
    incumbent_accuracy: float | None = None
    incumbent_macro_f1: float | None = None
    stages: tuple[TrainingStage, ...] = ()
    plan: TrainingPlan | None = None
    new_tickets: int | None = None
    replay: int | None = None
    mislabels: MislabelSummary | None = None

    @classmethod
    def summary(
        cls, test: EvaluationReport, calibration: CalibrationReport, incumbent: EvaluationReport | None
    ) -> RunReport:
        """The summary of a stage whose version measured `test` (and the active one `incumbent`) on the test split."""
        return cls(
            accuracy=test.accuracy,
            macro_f1=test.macro_f1,
            ece=calibration.served_ece,
            test_size=test.size,
            calibration=calibration,
            incumbent_accuracy=incumbent.accuracy if incumbent is not None else None,
            incumbent_macro_f1=incumbent.macro_f1 if incumbent is not None else None,
        )

    @property
    def served_ece(self) -> float | None:
        """The summary's ECE, else the served ECE of its calibration; None when not measured."""
        if self.ece is not None:
            return self.ece
        return self.calibration.served_ece if self.calibration is not None else None

    def to_json(self) -> dict[str, object]:
        calibration = self.calibration.to_json() if self.calibration is not None else {}
        plan = self.plan.to_json() | _present(new_tickets=self.new_tickets, replay=self.replay) if self.plan else None
        mislabels = self.mislabels
        return _present(
            accuracy=self.accuracy,
            macro_f1=self.macro_f1,
            ece=self.ece,
            test_size=self.test_size,
            **calibration,
            incumbent_accuracy=self.incumbent_accuracy,
            incumbent_macro_f1=self.incumbent_macro_f1,
            stages=[stage.to_json() for stage in self.stages] if self.stages else None,
            plan=plan,
            mislabel_error=mislabels.error if mislabels is not None else None,
            mislabel_candidates=(
                dict(mislabels.candidates_per_label) if mislabels is not None and mislabels.error is None else None
            ),
        )

    @classmethod
    def from_json(cls, data: object) -> RunReport:
        if not isinstance(data, Mapping):
            return cls()
        recorded = data.get("stages")
        stages = recorded if isinstance(recorded, list) else []
        plan = data.get("plan")
        plan_data = plan if isinstance(plan, Mapping) else {}
        return cls(
            accuracy=number(data.get("accuracy")),
            macro_f1=number(data.get("macro_f1")),
            ece=number(data.get("ece")),
            test_size=count(data.get("test_size")),
            calibration=CalibrationReport.from_json(data),
            incumbent_accuracy=number(data.get("incumbent_accuracy")),
            incumbent_macro_f1=number(data.get("incumbent_macro_f1")),
            stages=tuple(stage for entry in stages if (stage := part(TrainingStage.from_json, entry)) is not None),
            plan=part(TrainingPlan.from_json, plan),
            new_tickets=count(plan_data.get("new_tickets")),
            replay=count(plan_data.get("replay")),
            mislabels=_mislabels(data),
        )


def _present(**values: object) -> dict[str, object]:
    """The values that are not None, in order: a record writes a key only for what it holds."""
    return {key: value for key, value in values.items() if value is not None}


def _mislabels(data: JsonObject) -> MislabelSummary | None:
    error = text(data.get("mislabel_error"))
    if error is not None:
        return MislabelSummary(error=error)
    return part(_candidates, data.get("mislabel_candidates"))


def _candidates(data: JsonObject) -> MislabelSummary:
    return MislabelSummary({str(label): required(count(n), str(label)) for label, n in data.items()})


def _bin_json(bin_: ReliabilityBin) -> dict[str, object]:
    return {
        "lower": bin_.lower,
        "upper": bin_.upper,
        "count": bin_.count,
        "mean_confidence": bin_.mean_confidence,
        "accuracy": bin_.accuracy,
    }


def _bins(value: object) -> tuple[ReliabilityBin, ...]:
    bins = []
    for entry in array(value, "reliability bins"):
        data = obj(entry, "reliability bin")
        lower = required(number(data.get("lower")), "lower")
        upper = required(number(data.get("upper")), "upper")
        if not 0.0 <= lower < upper <= 1.0:
            raise Unreadable(f"a reliability bin [{lower}, {upper}) outside [0, 1]")
        mean_confidence, accuracy = _share(data.get("mean_confidence")), _share(data.get("accuracy"))
        bins.append(
            ReliabilityBin(lower, upper, required(count(data.get("count")), "count"), mean_confidence, accuracy)
        )
    return tuple(bins)


def _share(value: object) -> float | None:
    """None for an empty bin; a share outside [0, 1] is unreadable."""
    if value is None:
        return None
    share = required(number(value), "share")
    if not 0.0 <= share <= 1.0:
        raise Unreadable(f"share {share} outside [0, 1]")
    return share


def _line_json(line: LabelCoverage) -> dict[str, object]:
    return {
        "coverage": line.coverage,
        "precision": line.precision,
        "automatic": line.automatic,
        "support": line.tickets,
    }


def _line(label: str | None, data: JsonObject) -> LabelCoverage:
    """A coverage line; the right automatic decisions are the stored precision times the automatic ones."""
    automatic = required(count(data.get("automatic")), "automatic")
    precision = number(data.get("precision"))
    return LabelCoverage(
        label=label,
        threshold=number(data.get("threshold")) if label is not None else None,
        tickets=required(count(data.get("support")), "support"),
        automatic=automatic,
        correct_automatic=round(precision * automatic) if precision is not None else 0,
    )
