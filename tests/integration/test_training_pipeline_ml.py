"""The retraining pipeline end to end on generated tickets and a tiny random BERT, fast enough for every run.

Why generated data and a tiny model: the real recipe (MiniLM on 34k tickets) takes tens of minutes; these tests
check the contract instead - a version folder holds only safetensors/JSON, loads back and gives probabilities,
the exported linear model matches scikit-learn, warm starts reuse or remap the head, and the time budget stops
training cleanly. The tokenizer is the bundled MiniLM one, so nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.outbound.ml.serving.model_version import LoadedModelVersion
from adapters.outbound.ml.training.config import FineTuneConfig
from adapters.outbound.ml.training.version_trainer import LabelledTexts, train_model_version
from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from tests.integration.tiny_models import tiny_base_model
from tests.settings_defaults import fine_tune_config, serving_options, trainer_options
from tests.training_policies import retraining_settings, trigger_policy

pytestmark = pytest.mark.integration

os.environ.setdefault("HF_HUB_OFFLINE", "1")

KEYWORDS = {
    "Hardware": ["laptop", "monitor", "keyboard", "printer", "screen", "mouse"],
    "Access": ["password", "login", "account", "unlock", "vpn", "credentials"],
    "Storage": ["mailbox", "quota", "drive", "folder", "disk", "archive"],
    "Purchase": ["order", "invoice", "receipt", "delivery", "po", "purchase"],
}
FILLER = ["please", "help", "hi", "thanks", "issue", "request", "urgent", "today", "team", "user", "need"]
LABELS = list(KEYWORDS)
FORBIDDEN_SUFFIXES = {".bin", ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".h5", ".msgpack"}


def make_split(per_label: int, seed: int) -> LabelledTexts:
    """Short tickets: two topic keywords among filler words, shuffled, so the label is learnable but not trivial."""
    rng = random.Random(seed)
    texts, labels = [], []
    for label, words in KEYWORDS.items():
        for _ in range(per_label):
            tokens = rng.sample(words, 2) + rng.sample(FILLER, rng.randint(2, 6))
            rng.shuffle(tokens)
            texts.append(" ".join(tokens))
            labels.append(label)
    return LabelledTexts(texts, labels)


def fast_config(**overrides: object) -> FineTuneConfig:
    settings: dict[str, object] = {
        "epochs": 4,
        "batch_size": 16,
        "max_length": 24,
        "learning_rate": 3e-3,
        "warmup_ratio": 0.1,
        "device": "cpu",
        "seed": 7,
        "time_budget_s": None,
    }
    settings.update(overrides)
    return fine_tune_config(**settings)


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT (hidden 32) saved with the bundled MiniLM tokenizer: a stand-in base checkpoint."""
    return tiny_base_model(tmp_path_factory.mktemp("tiny-base"), max_position_embeddings=64)


@pytest.fixture(scope="module")
def version(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    out = tmp_path_factory.mktemp("versions") / "v1"
    phases: list[str] = []
    report = train_model_version(
        make_split(30, 1),
        make_split(8, 2),
        LABELS,
        out,
        fast_config(),
        tiny_base,
        lambda phase, percent, loss: phases.append(phase),
    )
    assert {"linear", "training", "evaluating", "blending", "done"} <= set(phases)
    yield out, report


def test_version_folder_holds_only_safetensors_and_json(version: tuple[Path, dict]) -> None:
    out, report = version
    files = [path for path in out.rglob("*") if path.is_file()]
    assert not [path for path in files if path.suffix in FORBIDDEN_SUFFIXES]
    assert {path.suffix for path in files} <= {".json", ".safetensors", ".txt", ".onnx"}
    assert (out / "bert" / "model.safetensors").is_file() and (out / "linear" / "linear.safetensors").is_file()
    assert not out.with_name(out.name + ".partial").exists()
    manifest = json.loads((out / "model.json").read_text())
    assert manifest["format"] == 1 and manifest["kind"] == "hybrid" and manifest["labels"] == LABELS
    assert 0.0 <= manifest["bert_weight"] <= 1.0 and manifest["max_length"] == 24
    bert_config = json.loads((out / "bert" / "config.json").read_text())
    assert bert_config["id2label"] == {str(i): label for i, label in enumerate(LABELS)}
    assert set(report["val"]) == {"bert", "linear", "hybrid"}
    assert report["val"]["hybrid"]["accuracy"] >= 0.9  # keyword tickets: the linear half alone gets these right


def test_version_files_are_readable_by_a_serving_process_of_another_user(version: tuple[Path, dict]) -> None:
    out, _ = version
    umask = os.umask(0o022)
    os.umask(umask)
    modes = {path.name: path.stat().st_mode & 0o777 for path in out.rglob("*") if path.is_file()}
    assert set(modes.values()) == {0o666 & ~umask}, modes


def test_loaded_version_predicts_probabilities(version: tuple[Path, dict]) -> None:
    out, _ = version
    model = LoadedModelVersion(out)
    assert model.labels == LABELS
    texts = ["laptop screen broken please help", "unlock my vpn account", "", "x" * 3000]
    rows = model.predict_proba(texts)
    assert len(rows) == len(texts)
    for row in rows:
        assert len(row) == len(LABELS) and min(row) >= 0.0 and abs(sum(row) - 1.0) < 1e-6
    assert LABELS[max(range(len(LABELS)), key=rows[0].__getitem__)] == "Hardware"
    assert model.predict_proba([]) == []


def test_a_version_blends_transformer_probabilities_measured_earlier_as_it_blends_its_own(
    version: tuple[Path, dict],
) -> None:
    import numpy as np

    out, _ = version
    model = LoadedModelVersion(out, load_unused=True)
    texts = ["laptop screen broken please help", "unlock my vpn account", ""]
    parts = model.predict_components(texts)

    assert np.array_equal(model.blend_with_transformer(texts, parts["bert"]), parts["hybrid"])


def test_served_linear_part_gives_the_training_time_probabilities(tmp_path: Path) -> None:
    """Serving rebuilds scikit-learn's own vectorizers from tfidf.json, so it must agree with the fitted pipeline."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    from adapters.outbound.ml.serving.tfidf_model import TfidfLinearModel
    from adapters.outbound.ml.training.tfidf_fit import LinearSettings, export_sklearn_model, fit_sklearn_model

    train = make_split(30, 3)
    settings = LinearSettings(C=5.0)
    vectorizers, classifier = fit_sklearn_model(train.texts, train.labels, LABELS, settings)
    trained = export_sklearn_model(vectorizers, classifier, LABELS, settings)
    trained.save(tmp_path)
    loaded = TfidfLinearModel.load(tmp_path)
    texts = list(make_split(5, 4).texts) + ["", "Ünïcode   LAPTOP-screen!! broken", "a b", "po po po order"]
    expected = classifier.predict_proba(sp.hstack([v.transform(texts) for v in vectorizers], format="csr"))
    assert all(isinstance(vectorizer, TfidfVectorizer) for vectorizer in loaded.vectorizers)
    assert (loaded.transform(texts) != trained.transform(texts)).nnz == 0
    assert np.abs(trained.predict_proba(texts) - expected).max() < 1e-12
    assert np.abs(loaded.predict_proba(texts) - expected).max() < 1e-12


def test_a_warm_refit_reaches_the_optimum_a_cold_fit_over_the_same_vocabulary_reaches() -> None:
    """An update refits the served linear model warm: over its vocabulary, the objective is the cold fit's and
    convex, so both land on the same model (up to the solver's tolerance) - the warm one in fewer iterations."""
    import numpy as np

    from adapters.outbound.ml.training.tfidf_fit import (
        LinearSettings,
        export_sklearn_model,
        fit_sklearn_model,
        refit_tfidf_linear,
    )

    settings = LinearSettings(C=5.0, tol=1e-8)
    first = make_split(30, 5)
    vectorizers, classifier = fit_sklearn_model(first.texts, first.labels, LABELS, settings)
    start = export_sklearn_model(vectorizers, classifier, LABELS, settings)
    grown = make_split(35, 6)
    texts, labels = [*first.texts, *grown.texts], [*first.labels, *grown.labels]

    warm = refit_tfidf_linear(texts, labels, LABELS, settings, start)

    from sklearn.linear_model import LogisticRegression

    cold = LogisticRegression(C=settings.C, max_iter=settings.max_iter, tol=settings.tol)
    cold.fit(start.transform(texts), [LABELS.index(label) for label in labels])
    assert warm is not None
    assert all(a is b for a, b in zip(warm.vectorizers, start.vectorizers, strict=True)), "the vocabulary is kept"
    probe = list(make_split(5, 7).texts)
    reference = cold.predict_proba(start.transform(probe))
    assert np.abs(warm.predict_proba(probe) - reference).max() < 1e-3


def test_a_warm_refit_learns_a_label_the_start_did_not_know() -> None:
    from adapters.outbound.ml.training.tfidf_fit import (
        LinearSettings,
        export_sklearn_model,
        fit_sklearn_model,
        refit_tfidf_linear,
    )

    settings = LinearSettings()
    first = make_split(30, 8)
    known = [label for label in LABELS if label != "Purchase"]
    kept = [(text, label) for text, label in zip(first.texts, first.labels, strict=True) if label in known]
    vectorizers, classifier = fit_sklearn_model([t for t, _ in kept], [lb for _, lb in kept], known, settings)
    start = export_sklearn_model(vectorizers, classifier, known, settings)
    assert _top_label(start, "order invoice delivery receipt") != "Purchase"

    warm = refit_tfidf_linear(first.texts, first.labels, LABELS, settings, start)

    assert warm is not None and warm.labels == LABELS
    assert _top_label(warm, "order invoice delivery receipt") == "Purchase"


def test_a_two_class_start_is_not_warm_started() -> None:
    from adapters.outbound.ml.training.tfidf_fit import LinearSettings, refit_tfidf_linear, train_tfidf_linear

    settings = LinearSettings()
    tickets = make_split(20, 9)
    two = [(text, label) for text, label in zip(tickets.texts, tickets.labels, strict=True) if label in LABELS[:2]]
    texts, labels = [text for text, _ in two], [label for _, label in two]
    start = train_tfidf_linear(texts, labels, LABELS[:2], settings)

    assert refit_tfidf_linear(texts, labels, LABELS[:2], settings, start) is None


def _top_label(model: Any, text: str) -> str:
    return str(model.labels[int(model.predict_proba([text]).argmax(axis=1)[0])])


def test_warm_start_reuses_or_remaps_the_head(version: tuple[Path, dict], tmp_path: Path) -> None:
    import torch

    from adapters.outbound.ml.training.classifier_head import load_classifier

    out, _ = version
    report = train_model_version(
        make_split(10, 5), make_split(4, 6), LABELS, tmp_path / "v2", fast_config(epochs=1), out, kind="bert"
    )
    assert report["fine_tune"]["head"] == "reused" and report["bert_weight"] == 1.0
    assert LoadedModelVersion(tmp_path / "v2").predict_proba(["printer keyboard"])[0]

    previous, _ = load_classifier(out / "bert", LABELS)
    new_labels = ["Storage", "Hardware", "Payroll"]
    remapped, head = load_classifier(out / "bert", new_labels)
    assert head == "remapped" and remapped.config.id2label == dict(enumerate(new_labels))
    assert remapped.classifier.out_features == 3
    assert torch.equal(remapped.classifier.weight[0], previous.classifier.weight[LABELS.index("Storage")])
    assert torch.equal(remapped.classifier.weight[1], previous.classifier.weight[LABELS.index("Hardware")])


def test_time_budget_stops_early_and_keeps_the_model(tiny_base: Path, tmp_path: Path) -> None:
    from adapters.outbound.ml.training.fine_tune import train_sequence_classifier

    val = make_split(3, 8)
    summary = train_sequence_classifier(
        make_split(30, 7).texts,
        make_split(30, 7).labels,
        val.texts,
        val.labels,
        LABELS,
        tmp_path / "bert",
        fast_config(epochs=500, time_budget_s=1.0),
        tiny_base,
    ).summary
    assert summary["stopped_by_budget"] is True
    assert 0 < summary["steps"] < summary["planned_steps"]
    assert summary["durations_s"]["train"] < 10.0
    assert (tmp_path / "bert" / "model.safetensors").is_file()


async def test_a_warm_start_runs_its_own_epochs_on_a_fresh_shuffle(version: tuple[Path, dict], tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from adapters.outbound.ml.training.hybrid_trainer import HybridModelTrainer
    from domain.dataset_split import Example
    from domain.model_versions import ModelStatus, ModelVersion

    out, _ = version
    trainer = HybridModelTrainer(
        FilesystemModelStore(tmp_path / "store"),
        fast_config(epochs=4),
        **trainer_options(kind="bert", warm_start_epochs=0.5, serving_runtime="torch"),
    )
    active = ModelVersion("v1", str(out), tuple(LABELS), ModelStatus.ACTIVE, datetime.now(UTC))
    train, val = make_split(16, 9), make_split(3, 10)  # 64 tickets: 4 batches of 16 an epoch
    trained = await trainer.train(
        [Example(t, label) for t, label in zip(train.texts, train.labels, strict=True)],
        [Example(t, label) for t, label in zip(val.texts, val.labels, strict=True)],
        LABELS,
        [active],
        lambda progress: None,
    )
    assert trained.details["warm_start"] == str(out)
    assert trained.details["config"]["epochs"] == 0.5 and trained.details["config"]["seed"] != 7
    assert trained.details["fine_tune"]["epochs_done"] == 0.5


async def test_an_update_continues_the_served_linear_model_and_a_full_training_fits_its_own(
    version: tuple[Path, dict], tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from adapters.outbound.ml.serving.tfidf_model import TfidfLinearModel
    from adapters.outbound.ml.training.hybrid_trainer import HybridModelTrainer
    from domain.dataset_split import Example
    from domain.model_versions import ModelStatus, ModelVersion

    out, _ = version
    trainer = HybridModelTrainer(
        FilesystemModelStore(tmp_path / "store"),
        fast_config(epochs=1),
        **trainer_options(kind="hybrid", warm_start_epochs=0.5, serving_runtime="torch"),
    )
    active = ModelVersion("v1", str(out), tuple(LABELS), ModelStatus.ACTIVE, datetime.now(UTC))
    train, val = make_split(16, 11), make_split(3, 12)
    examples = [Example(t, label) for t, label in zip(train.texts, train.labels, strict=True)]
    validation = [Example(t, label) for t, label in zip(val.texts, val.labels, strict=True)]

    update = await trainer.train(examples, validation, LABELS, [active], lambda _: None, encoder_examples=examples[:8])
    full = await trainer.train(examples, validation, LABELS, [active], lambda _: None)

    served_vocabulary = TfidfLinearModel.load(out / "linear").vectorizers[0].vocabulary_
    assert update.details.get("linear_warm_started") is True
    assert TfidfLinearModel.load(Path(update.path) / "linear").vectorizers[0].vocabulary_ == served_vocabulary
    assert "linear_warm_started" not in full.details
    assert TfidfLinearModel.load(Path(full.path) / "linear").vectorizers[0].vocabulary_ != served_vocabulary


async def test_the_job_serves_the_linear_version_before_the_hybrid(tiny_base: Path, tmp_path: Path) -> None:
    """A fresh install's run promotes the linear-only version first (and a serving process answers with it while
    the transformer trains), then the hybrid, which takes the linear fit over and starts from the base model."""
    from adapters.outbound.ml.serving.served_classifier import ServedCategoryModel
    from adapters.outbound.ml.training.hybrid_trainer import HybridModelTrainer
    from application.services.model_retention import ModelRetention
    from application.services.retraining_trigger import RetrainingTrigger
    from application.use_cases.export_tickets_and_retrain import ExportTicketsAndRetrain
    from application.use_cases.trigger_retraining import TriggerRetraining
    from domain.model_versions import ModelStatus
    from domain.predictions import CategoryPrediction
    from domain.training_runs import RunStatus
    from tests.unit.fakes import FakeExporter, FakeJobQueue, FakeRegistryChanges, FakeUnitOfWorkFactory, FixedClock

    class NoFallback:
        async def classify(self, text: str) -> CategoryPrediction:
            raise AssertionError("the trained version answers, not the fallback")

        def is_ready(self) -> bool:
            return True

    uow = FakeUnitOfWorkFactory()
    store = FilesystemModelStore(tmp_path / "store")
    served = ServedCategoryModel(NoFallback(), store=store, **serving_options(runtime="torch"))
    seen_while_training: list[tuple[str, str, str]] = []

    class ServingWhileTraining(HybridModelTrainer):
        async def train(self, train, validation, labels, warm_starts, on_progress, reuse_linear=None):
            (active,) = [v for v in uow.store.versions.values() if v.status is ModelStatus.ACTIVE]
            await served.serve(active)
            answer = await served.classify("cannot login, my password expired")
            seen_while_training.append(
                (active.location, json.loads(Path(active.location, "model.json").read_text())["kind"], answer.label)
            )
            return await super().train(train, validation, labels, warm_starts, on_progress, reuse_linear)

    split = make_split(40, 5)
    for text, label in zip(split.texts, split.labels, strict=True):
        uow.store.add_labelled(text, label, FixedClock().now())
    clock = FixedClock()
    trigger = TriggerRetraining(RetrainingTrigger(uow, FakeJobQueue(), clock, trigger_policy(threshold=100)))
    trainer = ServingWhileTraining(
        store,
        fast_config(),
        **trainer_options(base_model_dir=str(tiny_base), warm_start_epochs=None, serving_runtime="torch"),
    )
    job = ExportTicketsAndRetrain(
        uow,
        FakeExporter(),
        trainer,
        store,
        clock,
        retraining_settings(validation_share=0.25, test_share=0.25),
        changes=FakeRegistryChanges(),
        retention=ModelRetention(uow, store, keep_last=5),
    )
    started = await trigger.execute(manual=True)
    assert started.run_id is not None
    run = await job.execute(started.run_id)
    await served.serve(None)

    assert run.status is RunStatus.SUCCEEDED, run.error
    linear_stage, hybrid_stage = run.metrics.stages
    assert linear_stage.stage == "linear" and linear_stage.promoted and hybrid_stage.stage == "hybrid"
    linear = uow.store.versions[linear_stage.model_version_id]
    hybrid = uow.store.versions[hybrid_stage.model_version_id]
    assert seen_while_training == [(linear.location, "linear", "Access")], "the linear version served during training"
    assert not (Path(linear.location) / "bert").exists() and (Path(hybrid.location) / "bert").is_dir()
    training = hybrid.metrics.training
    assert training["linear_reused_from"] == linear.location
    assert training["warm_start"] is None, "a linear-only version is no warm start"
    reused = LoadedModelVersion(linear.location).predict_components(TICKET_TEXTS)["linear"]
    blended = LoadedModelVersion(hybrid.location, load_unused=True).predict_components(TICKET_TEXTS)["linear"]
    assert (reused == blended).all(), "the hybrid's linear part is the linear stage's fit"
    expected_status = ModelStatus.ACTIVE if hybrid_stage.promoted else ModelStatus.REJECTED
    assert hybrid.status is expected_status
    assert linear.status is (ModelStatus.RETIRED if hybrid_stage.promoted else ModelStatus.ACTIVE)


TICKET_TEXTS = ["my laptop screen is broken please help", "mailbox quota full, need a bigger drive"]


def test_training_exports_the_onnx_graphs_or_records_why_not(version: tuple[Path, dict]) -> None:
    out, report = version
    bert = out / "bert"
    assert report["durations_s"]["onnx_export"] >= 0.0
    exported, rule = report["onnx"], report["int8_rule"]
    assert (bert / "model.onnx").is_file() == ("onnx" in exported["written"])
    assert (bert / "model.onnx").is_file() or exported["refused"]["onnx"]
    if (bert / "model.int8.onnx").is_file():
        assert "onnx-int8" in exported["written"] and rule["int8_kept"] is True
        assert rule["fp32_accuracy"] - rule["int8_accuracy"] <= rule["max_drop"]
    else:
        assert exported["refused"].get("onnx-int8") or rule["int8_kept"] is False, (exported, rule)
    assert json.loads((out / "training.json").read_text())["onnx"] == exported


@pytest.fixture(scope="module")
def bert_version(tiny_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A transformer-only version (the hybrid above may give the transformer no weight, so serving skips it)."""
    out = tmp_path_factory.mktemp("versions") / "bert"
    train_model_version(make_split(20, 13), make_split(6, 14), LABELS, out, fast_config(), tiny_base, kind="bert")
    return out


async def test_the_served_version_runs_on_onnx_close_to_torch(bert_version: Path) -> None:
    from datetime import UTC, datetime

    from adapters.outbound.ml.serving.served_classifier import ServedCategoryModel
    from domain.model_versions import ModelStatus, ModelVersion

    out = bert_version
    served = ServedCategoryModel(
        NeverAsked(), store=FilesystemModelStore(out.parent), **serving_options(runtime="onnx-int8", threads=1)
    )
    await served.serve(ModelVersion("v1", str(out), tuple(LABELS), ModelStatus.ACTIVE, datetime.now(UTC), id=1))
    try:
        runtime = served.serving_runtime()
        assert runtime == ("onnx-int8" if (out / "bert" / "model.int8.onnx").is_file() else "onnx")
        variant = json.loads((out / "bert" / "onnx.json").read_text())["variants"][runtime]
        tolerance = variant["tolerance"]
        torch_model = LoadedModelVersion(out)
        assert torch_model.runtime == "torch", "training and evaluation keep torch by default"
        for text in TICKET_TEXTS:
            prediction = await served.classify(text)
            expected = dict(zip(LABELS, torch_model.predict_proba([text])[0], strict=True))
            scores = {prediction.label: prediction.confidence}
            scores |= {alternative.label: alternative.confidence for alternative in prediction.alternatives}
            assert prediction.model_version == "v1"
            assert all(abs(score - expected[label]) <= tolerance for label, score in scores.items()), (scores, expected)
            ((_, _, torch_vector),) = torch_model.predict_with_reasons([text])
            assert prediction.embedding is not None and torch_vector is not None
            cosine = sum(a * b for a, b in zip(prediction.embedding, torch_vector, strict=True))
            assert cosine >= variant["min_embedding_cosine"]
    finally:
        await served.serve(None)


async def test_a_served_version_with_broken_graphs_falls_back_to_torch_and_answers(
    bert_version: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging
    import shutil
    from datetime import UTC, datetime

    from adapters.outbound.ml.serving.served_classifier import ServedCategoryModel
    from domain.model_versions import ModelStatus, ModelVersion

    broken = tmp_path / "broken"
    shutil.copytree(bert_version, broken)
    for name in ("model.onnx", "model.int8.onnx"):
        (broken / "bert" / name).write_bytes(b"not an onnx graph")
    served = ServedCategoryModel(
        NeverAsked(), store=FilesystemModelStore(tmp_path), **serving_options(runtime="onnx-int8")
    )
    with caplog.at_level(logging.WARNING):
        await served.serve(ModelVersion("v1", str(broken), tuple(LABELS), ModelStatus.ACTIVE, datetime.now(UTC), id=1))
    try:
        assert served.serving_runtime() == "torch"
        assert "serving torch instead of onnx-int8" in caplog.text
        prediction = await served.classify(TICKET_TEXTS[0])
        assert prediction.model_version == "v1" and prediction.label in LABELS
    finally:
        await served.serve(None)


def test_a_failed_onnx_export_never_fails_the_training(
    tiny_base: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters.outbound.ml.training import onnx_export

    def failing_export(*args: object, **kwargs: object) -> None:
        raise RuntimeError("exporter crashed")

    monkeypatch.setattr(onnx_export, "export_onnx", failing_export)
    report = train_model_version(
        make_split(10, 11), make_split(3, 12), LABELS, tmp_path / "v", fast_config(epochs=1), tiny_base, kind="bert"
    )

    assert "exporter crashed" in report["onnx"]["refused"]["onnx"] and report["int8_rule"] is None
    assert not list((tmp_path / "v" / "bert").glob("*.onnx"))
    assert LoadedModelVersion(tmp_path / "v", runtime="onnx-int8").runtime == "torch"


class NeverAsked:
    async def classify(self, text: str) -> object:
        raise AssertionError("the trained version answers, not the fallback")

    def is_ready(self) -> bool:
        return True


def _fine_tune(base: Path, out: Path, seeds: tuple[int, int], per_label: int = 12, **config: object) -> Any:
    """The transformer half alone, on generated tickets, with `config` over the fast test settings."""
    from adapters.outbound.ml.training.fine_tune import train_sequence_classifier

    train, val = make_split(per_label, seeds[0]), make_split(3, seeds[1])
    return train_sequence_classifier(
        train.texts, train.labels, val.texts, val.labels, LABELS, out, fast_config(**config), base
    )


def _layer_tensors(path: Path, marker: str) -> dict[str, object]:
    from safetensors.torch import load_file

    return {key.split(marker, 1)[1]: value for key, value in load_file(str(path)).items() if marker in key}


def test_frozen_bottom_layers_keep_their_weights_while_the_layers_above_learn(tiny_base: Path, tmp_path: Path) -> None:
    import torch

    outcome = _fine_tune(tiny_base, tmp_path / "bert", (3, 4), epochs=1, frozen_layers=1)

    assert outcome.summary["frozen_layers"] == 1
    base, trained = tiny_base / "model.safetensors", tmp_path / "bert" / "model.safetensors"
    frozen_before, frozen_after = _layer_tensors(base, "layer.0."), _layer_tensors(trained, "layer.0.")
    assert frozen_before and all(torch.equal(frozen_before[k], frozen_after[k]) for k in frozen_before)
    above_before, above_after = _layer_tensors(base, "layer.1."), _layer_tensors(trained, "layer.1.")
    assert any(not torch.equal(above_before[k], above_after[k]) for k in above_before)


def test_early_stopping_ends_training_after_an_epoch_that_gained_too_little(tiny_base: Path, tmp_path: Path) -> None:
    # No epoch can gain 0.99 in accuracy over the one before, so training stops after scoring the second epoch.
    outcome = _fine_tune(tiny_base, tmp_path / "bert", (5, 6), epochs=4, early_stop_min_delta=0.99)

    summary = outcome.summary
    assert summary["stopped_early"] is True
    assert summary["stopped_by_budget"] is False
    assert summary["epochs_done"] == 2.0
    assert len(summary["epoch_val_accuracy"]) == 2


def test_without_early_stopping_every_planned_epoch_runs_unscored(tiny_base: Path, tmp_path: Path) -> None:
    outcome = _fine_tune(tiny_base, tmp_path / "bert", (5, 6), epochs=2)

    assert outcome.summary["epochs_done"] == 2.0
    assert outcome.summary["stopped_early"] is False
    assert outcome.summary["epoch_val_accuracy"] == []


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_training_runs_in_the_asked_precision_on_cpu(tiny_base: Path, tmp_path: Path, precision: str) -> None:
    import numpy as np

    outcome = _fine_tune(tiny_base, tmp_path / "bert", (7, 8), per_label=8, epochs=1, precision=precision)

    assert outcome.summary["precision"] == precision
    assert np.all(np.isfinite(outcome.val_probabilities))
    assert np.allclose(outcome.val_probabilities.sum(axis=1), 1.0)


@pytest.mark.parametrize("runtime", ["onnx-int8", "torch"])
async def test_a_version_is_calibrated_on_the_probabilities_its_serving_runtime_gives(
    bert_version: Path, tmp_path: Path, runtime: str
) -> None:
    """Decision thresholds and the temperature fitted on torch would be off by int8's small probability shifts."""
    import shutil

    from adapters.outbound.ml.training.calibration_fit import measure_calibration
    from adapters.outbound.ml.training.hybrid_trainer import HybridModelTrainer
    from domain.dataset_split import Example

    version = tmp_path / "version"
    shutil.copytree(bert_version, version)
    validation, test = make_split(8, 21), make_split(8, 22)
    trainer = HybridModelTrainer(
        FilesystemModelStore(tmp_path / "store"), fast_config(), **trainer_options(serving_runtime=runtime)
    )

    calibrated = await trainer.calibrate(
        str(version),
        [Example(t, label) for t, label in zip(validation.texts, validation.labels, strict=True)],
        [Example(t, label) for t, label in zip(test.texts, test.labels, strict=True)],
    )

    served = LoadedModelVersion(version, runtime=runtime)
    assert served.runtime == runtime
    raw = served.predict_components([*validation.texts, *test.texts])["hybrid"].tolist()
    expected, _ = measure_calibration(
        served.labels, raw[: len(validation.texts)], validation.labels, raw[len(validation.texts) :], test.labels
    )
    assert calibrated.report == expected
    winners = [served.labels[max(range(len(row)), key=row.__getitem__)] for row in raw[len(validation.texts) :]]
    assert list(calibrated.test_predictions) == winners
    assert (await trainer.predict(str(version), [*test.texts, "laptop screen broken"]))[:-1] == winners


def _examples(split: LabelledTexts) -> list[Any]:
    from domain.dataset_split import Example

    return [Example(text, label) for text, label in zip(split.texts, split.labels, strict=True)]


async def _calibrate_int8(version: Path, validation: LabelledTexts, test: LabelledTexts, store: Path) -> Any:
    from adapters.outbound.ml.training.hybrid_trainer import HybridModelTrainer

    trainer = HybridModelTrainer(
        FilesystemModelStore(store), fast_config(), **trainer_options(serving_runtime="onnx-int8")
    )
    return await trainer.calibrate(str(version), _examples(validation), _examples(test))


async def test_calibration_reads_the_int8_rules_validation_pass_back_instead_of_running_it_again(
    bert_version: Path, tmp_path: Path
) -> None:
    """The int8 accuracy rule ran the served graph over the validation split while training; calibration takes
    those probabilities instead of a second pass, and deletes them so they are never published."""
    import shutil

    import numpy as np

    from adapters.outbound.ml.training.calibration_fit import measure_calibration
    from adapters.outbound.ml.training.recorded_validation import (
        VALIDATION_FILE,
        record_validation,
        recorded_validation,
    )

    version = tmp_path / "version"
    shutil.copytree(bert_version, version)
    validation, test = make_split(6, 14), make_split(8, 22)  # the validation split bert_version was trained with
    served = LoadedModelVersion(version, runtime="onnx-int8")
    assert served.runtime == "onnx-int8"
    rule_pass = recorded_validation(version, "onnx-int8", validation.texts, served.labels, served.max_length)
    assert rule_pass is not None, "training records the kept int8 graph's pass"
    # Int8 probabilities move slightly with batch composition (dynamic quantisation), so close, not equal.
    assert np.allclose(rule_pass, served.predict_components(validation.texts)["bert"], atol=0.02)
    # Rows no transformer pass would give (each ticket's label at 0.9) show which probabilities calibration used.
    planted = np.full((len(validation.texts), len(LABELS)), 0.1 / (len(LABELS) - 1))
    planted[np.arange(len(validation.labels)), [served.labels.index(label) for label in validation.labels]] = 0.9
    record_validation(version, "onnx-int8", validation.texts, served.labels, served.max_length, planted)

    calibrated = await _calibrate_int8(version, validation, test, tmp_path / "store")

    test_rows = served.predict_components(test.texts)["hybrid"].tolist()
    expected, _ = measure_calibration(served.labels, planted.tolist(), validation.labels, test_rows, test.labels)
    assert calibrated.report == expected
    assert not (version / VALIDATION_FILE).exists()


@pytest.mark.parametrize("damage", ["other texts", "corrupt file"])
async def test_calibration_runs_the_transformer_again_when_the_recorded_pass_does_not_hold(
    bert_version: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import shutil

    from adapters.outbound.ml.training.calibration_fit import measure_calibration
    from adapters.outbound.ml.training.recorded_validation import VALIDATION_FILE

    version = tmp_path / "version"
    shutil.copytree(bert_version, version)
    validation, test = make_split(6, 14), make_split(8, 22)
    if damage == "other texts":
        validation = LabelledTexts([*validation.texts[:-1], "printer laptop"], validation.labels)
    else:
        (version / VALIDATION_FILE).write_text('{"runtime": "onnx-int8", "texts": ', encoding="utf-8")

    with caplog.at_level(logging.INFO):
        calibrated = await _calibrate_int8(version, validation, test, tmp_path / "store")

    served = LoadedModelVersion(version, runtime="onnx-int8")
    raw = served.predict_components([*validation.texts, *test.texts])["hybrid"].tolist()
    n = len(validation.texts)
    expected, _ = measure_calibration(served.labels, raw[:n], validation.labels, raw[n:], test.labels)
    assert calibrated.report == expected
    assert "runs over the validation split again" in caplog.text
    assert not (version / VALIDATION_FILE).exists()


def test_micro_batches_accumulate_the_gradient_of_the_whole_batch(tiny_base: Path) -> None:
    """Gradient accumulation over micro-batches gives the step the whole batch would (dropout off, so both see the
    same network: up to float rounding, the same loss and the same gradient)."""
    import numpy as np
    import torch
    from transformers import AutoTokenizer

    from adapters.outbound.ml.training.classifier_head import load_classifier
    from adapters.outbound.ml.training.fine_tune import accumulate_gradients
    from adapters.outbound.ml.training.token_corpus import tokenize_compact

    split = make_split(4, 12)
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_base), local_files_only=True)
    corpus = tokenize_compact(tokenizer, [*split.texts[:-1], "printer " * 40], max_length=24, chunk_size=5)
    targets = np.asarray([LABELS.index(label) for label in split.labels], dtype=np.int64)
    torch.manual_seed(3)
    model, _ = load_classifier(tiny_base, LABELS)
    model.eval()  # no dropout: its draws depend on the batch's shape
    batch = [5, 0, 15, 9, 2, 11, 7]

    def gradients(micro_batch_size: int | None) -> tuple[float, int, dict[str, torch.Tensor]]:
        model.zero_grad(set_to_none=True)
        loss, tokens = accumulate_gradients(model, corpus, targets, batch, micro_batch_size, 0, "cpu", False)
        return loss, tokens, {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}

    whole_loss, whole_tokens, whole = gradients(None)
    for size in (1, 3):
        loss, tokens, accumulated = gradients(size)
        assert tokens == whole_tokens == sum(corpus.lengths()[i] for i in batch)
        assert loss == pytest.approx(whole_loss, rel=1e-5)
        assert accumulated.keys() == whole.keys() and whole
        for name, gradient in whole.items():
            torch.testing.assert_close(accumulated[name], gradient, atol=1e-6, rtol=1e-4)


def test_the_compact_corpus_pads_batches_as_the_serving_helper_does() -> None:
    import torch
    from transformers import AutoTokenizer

    from adapters.outbound.ml.serving.batching import pad_batch
    from adapters.outbound.ml.serving.minilm_embedder import default_minilm_dir
    from adapters.outbound.ml.serving.transformer_inference import tokenize
    from adapters.outbound.ml.training.token_corpus import tokenize_compact

    tokenizer = AutoTokenizer.from_pretrained(default_minilm_dir(), local_files_only=True)
    texts = make_split(5, 11).texts + ["a ticket far longer than the limit " * 20, "ok"]

    corpus = tokenize_compact(tokenizer, texts, max_length=24, chunk_size=7)

    as_lists = tokenize(tokenizer, texts, 24)
    assert [corpus.row(i).tolist() for i in range(len(corpus))] == as_lists
    picked = [3, 0, len(texts) - 2, len(texts) - 1]
    padded, expected = corpus.padded(picked, 0), pad_batch([as_lists[i] for i in picked], 0)
    assert padded.keys() == expected.keys()
    for key, tensor in expected.items():
        assert padded[key].dtype == torch.long and torch.equal(padded[key], tensor)
