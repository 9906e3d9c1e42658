"""The job's calibration step on a really trained (tiny) version, and a fresh serving process that applies it.

Why a fresh `ServedCategoryModel`: the temperature and the thresholds reach the API only through the version
folder, so the check is that a process that reads nothing but that folder answers the calibrated confidences,
carries the stored threshold table and names words of the ticket as its reasons.
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from adapters.outbound.ml.serving.model_version import (
    LoadedModelVersion,
    scale_probabilities,
)
from adapters.outbound.ml.serving.served_classifier import ServedCategoryModel
from adapters.outbound.ml.training.hybrid_trainer import HybridModelTrainer
from adapters.outbound.ml.training.version_trainer import update_manifest
from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from application.services.model_retention import ModelRetention
from application.services.retraining_trigger import RetrainingTrigger
from application.use_cases.export_tickets_and_retrain import (
    ExportTicketsAndRetrain,
)
from application.use_cases.trigger_retraining import TriggerRetraining
from domain.calibration import apply_temperature
from domain.decision_thresholds import ThresholdTable
from domain.model_versions import ModelStatus
from domain.predictions import CategoryPrediction
from domain.training_runs import RunStatus
from tests.integration.test_training_pipeline_ml import (  # noqa: F401 - fixture
    fast_config,
    make_split,
    tiny_base,
)
from tests.settings_defaults import serving_options, trainer_options
from tests.training_policies import retraining_settings, trigger_policy
from tests.unit.fakes import (
    FakeExporter,
    FakeJobQueue,
    FakeRegistryChanges,
    FakeUnitOfWorkFactory,
    FixedClock,
)

pytestmark = pytest.mark.integration

TICKETS = [
    "my laptop screen is broken please help",
    "cannot login, password expired and vpn locked",
    "mailbox quota full, need a bigger drive",
    "invoice for the purchase order is missing",
]


class StaticFallback:
    async def classify(self, text: str) -> CategoryPrediction:
        return CategoryPrediction("Hardware", 1.0, "fallback")

    def is_ready(self) -> bool:
        return True


def test_vectorised_temperature_equals_the_domain_rule() -> None:
    rows = np.random.default_rng(3).dirichlet(np.ones(5), size=40)
    rows[0] = [1.0, 0.0, 0.0, 0.0, 0.0]  # zeros are clipped like the domain clips them
    for temperature in (0.4, 1.0, 1.7, 6.0):
        scaled = scale_probabilities(rows, temperature)
        expected = [apply_temperature(row, temperature) for row in rows.tolist()]
        assert np.abs(scaled - np.asarray(expected)).max() < 1e-12


async def test_the_job_stores_a_calibration_that_a_fresh_serving_process_applies(
    tiny_base: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    uow = FakeUnitOfWorkFactory()
    split = make_split(40, 5)
    for text, label in zip(split.texts, split.labels, strict=True):
        uow.store.add_labelled(text, label, FixedClock().now())
    clock = FixedClock()
    trigger = TriggerRetraining(RetrainingTrigger(uow, FakeJobQueue(), clock, trigger_policy(threshold=100)))
    store = FilesystemModelStore(tmp_path / "store")
    job = ExportTicketsAndRetrain(
        uow,
        FakeExporter(),
        HybridModelTrainer(
            store,
            fast_config(),
            # torch: the checks below compare the served answers with torch's raw probabilities
            **trainer_options(base_model_dir=str(tiny_base), warm_start_epochs=None, serving_runtime="torch"),
        ),
        store,
        clock,
        retraining_settings(validation_share=0.25, test_share=0.25),
        changes=FakeRegistryChanges(),
        retention=ModelRetention(uow, store, keep_last=5),
    )
    started = await trigger.execute(manual=True)
    assert started.run_id is not None
    run = await job.execute(started.run_id)
    assert run.status is RunStatus.SUCCEEDED, run.error
    (version,) = [v for v in uow.store.versions.values() if v.status is ModelStatus.ACTIVE]

    manifest = json.loads(Path(version.location, "model.json").read_text(encoding="utf-8"))
    table = ThresholdTable.from_json(manifest["thresholds"])
    sizes = version.metrics.to_json()["split"]  # as stored and shown by the API
    assert set(table.labels) <= set(version.labels)
    assert sum(len(p) for p in table.points.values()) == sizes["validation"]
    for metrics in (run.metrics.to_json(), version.metrics.to_json()):
        assert metrics["calibration"]["temperature"] == manifest["temperature"]
        coverage = metrics["decision_coverage"]
        assert coverage["target_precision"] == 0.95
        assert coverage["overall"]["support"] == sizes["test"]
        for label, line in coverage["per_label"].items():
            assert line["threshold"] == table.threshold_for(label, 0.95)
    calibration = run.metrics.calibration.calibration
    assert math.isclose(
        run.metrics.ece,
        calibration.test_ece_after if manifest["temperature"] != 1.0 else calibration.test_ece_before,
    )

    # Force a temperature that is far from 1, so the check below cannot pass by serving the raw blend. A published
    # version never changes, so the copy with that temperature is published as a version of its own.
    forced = Path(store.staging_area(), "forced")
    shutil.copytree(version.location, forced)
    update_manifest(forced, {"temperature": 1.7})
    version = replace(version, name="forced", location=await store.publish(str(forced), "forced"))
    served = ServedCategoryModel(StaticFallback(), store=store, **serving_options(runtime="torch"))
    await served.serve(version)
    raw = LoadedModelVersion(version.location).predict_components(TICKETS)["hybrid"].tolist()
    for text, raw_row in zip(TICKETS, raw, strict=True):
        prediction = await served.classify(text)
        expected = dict(zip(version.labels, apply_temperature(raw_row, 1.7), strict=True))
        assert math.isclose(prediction.confidence, expected[prediction.label], abs_tol=1e-9)
        for alternative in prediction.alternatives:
            assert math.isclose(alternative.confidence, expected[alternative.label], abs_tol=1e-9)
        assert prediction.thresholds == table
        assert prediction.reasons and len(prediction.reasons) <= 5
        words = set(text.replace(",", " ").split())
        assert all(set(reason.split()) <= words for reason in prediction.reasons), prediction.reasons
    await served.serve(None)


def test_a_version_without_calibration_serves_raw_and_without_thresholds(
    tiny_base: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from adapters.outbound.ml.training.version_trainer import train_model_version

    out = tmp_path / "linear-only"
    train_model_version(
        make_split(20, 1),
        make_split(4, 2),
        sorted(set(make_split(1, 1).labels)),
        out,
        fast_config(),
        tiny_base,
        kind="linear",
    )
    loaded = LoadedModelVersion(out)
    assert loaded.temperature == 1.0 and loaded.thresholds is None
    ((probabilities, reasons, embedding),) = loaded.predict_with_reasons([TICKETS[0]])
    assert probabilities == loaded.predict_components([TICKETS[0]])["hybrid"].tolist()[0]
    assert reasons and set(" ".join(reasons).split()) <= set(TICKETS[0].split())
    assert embedding is None  # a linear-only version has no encoder to give a text vector


def test_reasons_are_the_words_that_pushed_most_towards_the_label() -> None:
    from adapters.outbound.ml.serving.tfidf_model import (
        TfidfLinearModel,
        make_vectorizer,
    )

    words = make_vectorizer("word", (1, 1), False)
    words.fit(["printer jam", "screen broken", "password reset", "printer screen password"])
    chars = make_vectorizer("char_wb", (3, 3), False)
    chars.fit(["printer jam"])
    vocabulary = words.vocabulary_
    coef = np.zeros((2, len(vocabulary) + len(chars.vocabulary_)))
    coef[0, vocabulary["printer"]], coef[0, vocabulary["screen"]], coef[0, vocabulary["password"]] = 3.0, 1.0, -2.0
    coef[0, len(vocabulary) :] = 50.0  # character n-grams never become reasons, however strong
    coef[1, vocabulary["password"]] = 4.0
    model = TfidfLinearModel(["Hardware", "Access"], [words, chars], coef, np.zeros(2))
    features = model.transform(["printer screen password", "password", "jam"])

    assert model.reasons(features, [0, 1, 0]) == [("printer", "screen"), ("password",), ()]
    assert model.reasons(features, [1, 0, 1], top=1) == [("password",), (), ()]
