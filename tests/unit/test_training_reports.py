"""A version's and a run's metrics: written as the JSON the API has always shown, read back whole, and read from
what older versions of the job wrote with "not measured" (None) for what they lack or what cannot be made sense of."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from domain.training_plan import PlanKind, TrainingPlan
from domain.training_reports import CalibrationReport, MislabelSummary, RunReport, SplitSizes, VersionEvaluation
from domain.training_stages import TrainingStage
from tests.unit.trust_metrics import HOSTILE_LABEL, evaluation, trust_report


def _stored(data: dict[str, object]) -> Any:
    """What the database hands back: the JSON text, parsed."""
    return json.loads(json.dumps(data))


VERSION = VersionEvaluation(
    test=evaluation(0.9),
    training={"durations_s": {"linear": 12.5}, "warm_start": None, "steps": [1, 2]},
    split=SplitSizes(800, 100, 100, ("Rare",)),
    calibration=trust_report(),
    stage="hybrid",
    incumbent_test=evaluation(0.8),
)
STAGES = (
    TrainingStage("linear", 7, True, "promoted: no active model", 0.86, 0.84, 0.031, 95.4),
    TrainingStage("hybrid", seconds=12.0, error="RuntimeError: out of memory"),
)
RUN = RunReport.summary(evaluation(0.9), trust_report(), evaluation(0.8))


def test_a_version_s_metrics_keep_the_json_shape_the_api_shows() -> None:
    data = VERSION.to_json()
    assert list(data) == ["test", "training", "split", "calibration", "decision_coverage", "stage", "incumbent_test"]
    assert data["split"] == {"train": 800, "validation": 100, "test": 100, "train_only_labels": ["Rare"]}
    assert data["test"] == evaluation(0.9).to_json() and data["stage"] == "hybrid"
    calibration = data["calibration"]
    assert isinstance(calibration, dict) and calibration["temperature"] == 1.375 and calibration["applied"] is True
    assert calibration["bins"] == 15 and len(calibration["reliability_before"]) == 15
    coverage = data["decision_coverage"]
    assert isinstance(coverage, dict) and coverage["target_precision"] == 0.95
    assert coverage["overall"] == {"coverage": 30 / 52, "precision": 29 / 30, "automatic": 30, "support": 52}
    assert coverage["per_label"][HOSTILE_LABEL] == {
        "threshold": None,
        "coverage": 0.0,
        "precision": None,
        "automatic": 0,
        "support": 12,
    }


def test_a_run_s_metrics_keep_the_json_shape_the_api_shows() -> None:
    plan = TrainingPlan(PlanKind.UPDATE, "+3 labelled tickets since the last full training")
    update = RunReport.summary(evaluation(0.9), trust_report(), None)
    data = _stored(replace(update, stages=STAGES[:1], plan=plan, new_tickets=3, replay=40).to_json())
    assert list(data) == [
        "accuracy",
        "macro_f1",
        "ece",
        "test_size",
        "calibration",
        "decision_coverage",
        "stages",
        "plan",
    ]
    assert data["plan"] == {"kind": "update", "reason": plan.reason, "new_tickets": 3, "replay": 40}
    assert data["stages"] == [STAGES[0].to_json()] and data["ece"] == 0.0213 and data["test_size"] == 100
    full = RUN.to_json()
    assert (full["incumbent_accuracy"], full["incumbent_macro_f1"]) == (0.8, evaluation(0.8).macro_f1)
    assert RunReport(mislabels=MislabelSummary({"Access": 2})).to_json() == {"mislabel_candidates": {"Access": 2}}
    assert RunReport(mislabels=MislabelSummary(error="MemoryError")).to_json() == {"mislabel_error": "MemoryError"}
    assert RunReport().to_json() == {}


def test_what_the_job_writes_reads_back_whole() -> None:
    assert VersionEvaluation.from_json(_stored(VERSION.to_json())) == VERSION
    full = replace(
        RUN,
        stages=STAGES,
        plan=TrainingPlan(PlanKind.FULL, "a person asked for a training"),
        mislabels=MislabelSummary({"Access": 1, "Storage": 2}),
    )
    assert RunReport.from_json(_stored(full.to_json())) == full
    failed = RunReport(mislabels=MislabelSummary(error="MemoryError: out of memory in fold 3"))
    assert RunReport.from_json(_stored(failed.to_json())) == failed


def test_a_temperature_not_applied_serves_the_ece_before() -> None:
    report = CalibrationReport.from_json(_stored(trust_report(applied=False).to_json()))
    assert report is not None and not report.calibration.applied and report.served_ece == 0.0871
    assert VersionEvaluation(calibration=report).served_ece == 0.0871


def test_a_run_s_summary_ece_comes_first() -> None:
    assert RunReport(ece=0.03, calibration=trust_report()).served_ece == 0.03
    assert RunReport(calibration=trust_report()).served_ece == 0.0213


def test_metrics_from_before_calibration_stages_and_plans_are_not_measured() -> None:
    old_version = _stored({"test": evaluation(0.8).to_json(), "training": {"seconds": 3.5}})
    version = VersionEvaluation.from_json(old_version)
    assert version.test == evaluation(0.8) and version.training == {"seconds": 3.5}
    assert version.calibration is None and version.served_ece is None and version.split is None
    assert version.stage is None and version.to_json() == old_version
    old_run = {"accuracy": 0.8, "macro_f1": 0.7, "test_size": 40, "incumbent_accuracy": 0.75}
    run = RunReport.from_json(old_run)
    assert (run.accuracy, run.test_size, run.incumbent_accuracy) == (0.8, 40, 0.75)
    assert run.calibration is None and run.served_ece is None and run.stages == () and run.plan is None
    assert run.to_json() == old_run
    assert VersionEvaluation.from_json(None) == VersionEvaluation() and RunReport.from_json([]) == RunReport()


@pytest.mark.parametrize(
    "broken",
    [
        {"calibration": "yes", "decision_coverage": [1, 2]},
        {"calibration": {"test_ece_before": "0.1", "reliability_before": "bins", "applied": "true"}},
        {**trust_report().to_json(), "decision_coverage": {"per_label": {"A": "x"}}},
        {**trust_report().to_json(), "decision_coverage": {"target_precision": 0.95, "per_label": {}}},
        {"test": {"accuracy": 0.7}, "split": {"train": -1}, "stages": "linear", "plan": {"kind": "sometimes"}},
        {"ece": float("nan"), "accuracy": True, "test_size": 2.5, "mislabel_candidates": {"A": "many"}},
    ],
)
def test_a_part_that_does_not_read_whole_is_not_measured_not_made_up(broken: dict[str, object]) -> None:
    version, run = VersionEvaluation.from_json(broken), RunReport.from_json(broken)
    assert version.calibration is None and run.calibration is None
    assert version.test is None and version.split is None and version.served_ece is None
    assert run.served_ece is None and run.accuracy is None and run.test_size is None
    assert run.stages == () and run.plan is None and run.mislabels is None


def test_reliability_bins_outside_zero_to_one_make_the_calibration_unreadable() -> None:
    data = _stored(trust_report().to_json())
    data["calibration"]["reliability_after"][0]["lower"] = -0.1
    assert CalibrationReport.from_json(data) is None
    data = _stored(trust_report().to_json())
    data["calibration"]["reliability_after"][-1]["accuracy"] = 2.0
    assert CalibrationReport.from_json(data) is None


def test_stage_entries_that_are_not_stages_are_skipped() -> None:
    recorded = [STAGES[0].to_json(), "not a stage", {"promoted": True}, STAGES[1].to_json()]
    assert RunReport.from_json({"stages": recorded}).stages == STAGES
