"""What an import stores is what the trainer learns from: texts exactly as the file has them, formula-like or not."""

from __future__ import annotations

from collections.abc import Sequence

from application.ports.spreadsheet_reader import SheetRow
from application.use_cases.import_labelled_tickets import ImportLabelledTickets
from domain.dataset_split import Example
from tests.unit.fakes import FakeModelStore, FakeTrainer, FixedClock
from tests.unit.test_retraining import Pipeline

FORMULA_LIKE = ["=1+1", "\t=cmd", "-5 degrees", "@home", "+44 phone", "  padded  "]


class ListReader:
    def __init__(self, rows: list[SheetRow]) -> None:
        self.rows = rows

    async def read(self, path: str, text_column: str, label_column: str, sheet: str | None) -> list[SheetRow]:
        return self.rows


class RecordingTrainer(FakeTrainer):
    def __init__(self, store: FakeModelStore) -> None:
        super().__init__(store)
        self.seen: list[str] = []

    async def train(
        self,
        train: Sequence[Example],
        validation: Sequence[Example],
        labels,
        warm_starts,
        on_progress,
        reuse_linear=None,
    ):
        self.seen = [example.text for example in (*train, *validation)]
        return await super().train(train, validation, labels, warm_starts, on_progress, reuse_linear)


async def test_imported_texts_are_stored_and_trained_on_exactly_as_given() -> None:
    pipeline = Pipeline()
    pipeline.add_tickets()
    trainer = RecordingTrainer(pipeline.store)
    pipeline.job._trainer = trainer
    rows = [SheetRow(index + 2, text, "Hardware") for index, text in enumerate(FORMULA_LIKE)]
    report = await ImportLabelledTickets(pipeline.uow, ListReader(rows), FixedClock(), 10_000).execute("f.csv")
    assert report.imported == len(FORMULA_LIKE)
    stored = {ticket.text for ticket in pipeline.uow.store.labelled.values()}
    assert set(FORMULA_LIKE) <= stored, "nothing stripped or quoted on the way in"
    await pipeline.run()
    # The split puts each text in train, validation or test by its hash: every one the trainer sees is exact.
    assert set(FORMULA_LIKE) & set(trainer.seen), "some of them reach training or validation"
    assert not [text for text in trainer.seen if text.startswith("'")], "never the CSV export's quoted form"


async def test_a_blank_text_is_still_refused_though_texts_are_not_stripped() -> None:
    pipeline = Pipeline()
    rows = [SheetRow(2, " \t ", "Hardware"), SheetRow(3, "ok", "Hardware")]
    report = await ImportLabelledTickets(pipeline.uow, ListReader(rows), FixedClock(), 10_000).execute("f.csv")
    assert [problem.row for problem in report.problems] == [2] and pipeline.uow.store.labelled == {}
