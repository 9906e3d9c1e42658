"""The methods the composition root calls on a port are declared on it, so it calls them directly, and every
implementation (the fakes included) has them."""

from __future__ import annotations

import inspect

import pytest

from adapters.outbound.ml.serving.served_classifier import ServedCategoryModel
from adapters.outbound.ml.serving.zero_shot_classifier import EmbeddingZeroShotClassifier
from adapters.outbound.queue.dramatiq_job_queue import DramatiqRetrainingQueue
from adapters.outbound.queue.in_process_job_queue import InProcessRetrainingQueue
from application.ports.category_classifier import CategoryClassifier
from application.ports.job_queue import RetrainingJobQueue
from application.ports.served_model import ServedModel
from tests.settings_defaults import serving_options
from tests.unit.fakes import FakeClassifier, FakeJobQueue, FakeModelStore, FakeServedModel


def _declared(port: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(port, inspect.isfunction) if not name.startswith("_")}


@pytest.mark.parametrize(
    ("port", "implementations"),
    [
        (CategoryClassifier, [ServedCategoryModel, EmbeddingZeroShotClassifier, FakeClassifier]),
        (ServedModel, [ServedCategoryModel, FakeServedModel]),
        (RetrainingJobQueue, [DramatiqRetrainingQueue, InProcessRetrainingQueue, FakeJobQueue]),
    ],
)
def test_every_implementation_has_every_method_of_its_port(port: type, implementations: list[type]) -> None:
    for implementation in implementations:
        missing = _declared(port) - set(dir(implementation))
        assert not missing, f"{implementation.__name__} lacks {sorted(missing)} of {port.__name__}"


async def test_the_served_model_warms_its_fallback_and_names_no_version_while_the_fallback_serves() -> None:
    fallback = FakeClassifier()
    served = ServedCategoryModel(fallback, store=FakeModelStore(), **serving_options())
    await served.warm_up()
    assert fallback.warmed_up and served.serving_version_name() is None and served.serving_version_id() is None


async def test_draining_a_queue_that_hands_jobs_to_workers_returns_at_once() -> None:
    await DramatiqRetrainingQueue(broker=None, queue_name="default").drain()
