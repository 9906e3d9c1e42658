"""Similar tickets and possible duplicates next to each answer, over fakes and the real numpy index."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from adapters.outbound.similarity.numpy_index import NumpyVectorIndex
from application.services import in_flight_tickets
from application.services.analysis_recorder import AnalysisRecorder
from application.services.reembed_tickets import LEASE_TTL, ReembedTickets, lease_name
from application.services.similar_tickets import SimilarTickets
from application.use_cases.analyze_ticket import AnalyzeTicket
from application.use_cases.labelled_tickets import Feedback, SubmitFeedback
from domain.analysis import TicketAnalysis
from domain.companies import Company, CompanyFlags
from domain.errors import InvalidInput, NotFound
from domain.labelled_tickets import LabelledTicket
from domain.predictions import CategoryPrediction
from domain.similar_tickets import StoredVector, pack_vector
from tests.settings_defaults import DEFAULTS, similar_tickets_policy
from tests.unit.conftest import World
from tests.unit.fakes import FakeEmbedder

EMBEDDER_SPACE = "base"
MAX_POLLS = 10_000
LAPTOP = "My laptop will not turn on before the client meeting"
PRINTER = "The printer on floor three jams on every page"


class SimilarWorld(World):
    """The fake world with similar tickets on: the classifier gives a vector with each prediction, as a trained
    version's encoder does (bag of words, so texts sharing words are close)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.vectors = FakeEmbedder()
        self.classifier.vectors = self.vectors._vector
        self.index = NumpyVectorIndex()
        self.similar = SimilarTickets(
            self.uow,
            self.index,
            self.classifier,
            self.embedder,
            EMBEDDER_SPACE,
            replace(similar_tickets_policy(), duplicate_similarity=0.84),
            DEFAULTS.similar_tickets_refresh_s,
        )
        self.analyze = self.analyze_ticket(similar=self.similar)
        self.uow.store.companies[2] = Company(2, "Globex")

    def reembed(self, batch_size: int = 2, holder: str = "this-process") -> ReembedTickets:
        return ReembedTickets(self.uow, self.similar, batch_size, self.clock, holder, idle_seconds=0.01, rest_ratio=0.0)


@pytest.fixture
def similar_world() -> Iterator[SimilarWorld]:
    world = SimilarWorld()
    yield world
    world.index.close()


async def test_an_earlier_ticket_is_similar_and_a_repeat_is_a_possible_duplicate(similar_world: SimilarWorld) -> None:
    first = await similar_world.analyze.execute(LAPTOP, 1)
    assert first.similar_tickets == () and first.possible_duplicate_of is None
    similar_world.clock.advance(hours=1)
    again = await similar_world.analyze.execute(LAPTOP, 1)
    assert again.similar_tickets is not None
    (nearest,) = again.similar_tickets
    assert nearest.analysis_id == first.id and nearest.similarity == pytest.approx(1.0, abs=1e-3)
    assert (nearest.category, nearest.category_is_human_label, nearest.team_id) == ("Hardware", False, 10)
    assert nearest.created_at == first.created_at
    assert again.possible_duplicate_of == nearest


async def test_the_vector_is_stored_beside_the_analysis_without_a_second_encoder_pass(
    similar_world: SimilarWorld,
) -> None:
    stored = await similar_world.analyze.execute(LAPTOP, 1)
    (row,) = similar_world.uow.store.ticket_vectors.values()
    assert (row.analysis_id, row.company_id, row.model_version) == (stored.id, 1, "fake-v1")
    assert row.vector == pack_vector(similar_world.vectors._vector(LAPTOP))
    assert similar_world.classifier.calls == 1 and similar_world.embedder.calls == []


async def test_a_ticket_never_sees_another_companys_tickets(similar_world: SimilarWorld) -> None:
    await similar_world.analyze.execute(LAPTOP, 1)
    other = await similar_world.analyze.execute(LAPTOP, 2)
    assert other.similar_tickets == () and other.possible_duplicate_of is None
    again = await similar_world.analyze.execute(LAPTOP, 1)
    assert again.similar_tickets is not None and len(again.similar_tickets) == 1


async def test_vectors_of_two_versions_are_never_compared(similar_world: SimilarWorld) -> None:
    await similar_world.analyze.execute(LAPTOP, 1)
    similar_world.classifier.version = "fake-v2"
    swapped = await similar_world.analyze.execute(LAPTOP, 1)
    assert swapped.similar_tickets == ()
    assert {row.model_version for row in similar_world.uow.store.ticket_vectors.values()} == {"fake-v1", "fake-v2"}


async def test_only_close_tickets_are_similar_at_most_k_closest_first(similar_world: SimilarWorld) -> None:
    for text in (PRINTER, f"{LAPTOP} today", LAPTOP, "salary question about overtime"):
        await similar_world.analyze.execute(text, 1)
    answer = await similar_world.analyze.execute(LAPTOP, 1)
    assert answer.similar_tickets is not None
    similarities = [ticket.similarity for ticket in answer.similar_tickets]
    assert len(similarities) == 2 and similarities == sorted(similarities, reverse=True)
    assert all(similarity >= 0.5 for similarity in similarities)


async def test_an_old_repeat_is_similar_but_no_duplicate(similar_world: SimilarWorld) -> None:
    await similar_world.analyze.execute(LAPTOP, 1)
    similar_world.clock.advance(hours=25)
    late = await similar_world.analyze.execute(LAPTOP, 1)
    assert late.similar_tickets is not None and len(late.similar_tickets) == 1
    assert late.possible_duplicate_of is None


async def test_the_company_flag_turns_it_off(similar_world: SimilarWorld) -> None:
    store = similar_world.uow.store
    store.companies[1] = replace(store.companies[1], flags=CompanyFlags(similar_tickets=False))
    await similar_world.analyze.execute(LAPTOP, 1)
    answer = await similar_world.analyze.execute(LAPTOP, 1)
    assert answer.similar_tickets is None and answer.possible_duplicate_of is None
    assert store.ticket_vectors == {}
    assert answer.id is not None
    assert await similar_world.similar.for_analysis(answer.id, 5) == []


async def test_a_batch_is_answered_and_stored_like_single_tickets(similar_world: SimilarWorld) -> None:
    await similar_world.analyze.execute(LAPTOP, 1)
    answers = await similar_world.analyze.execute_many([LAPTOP, PRINTER, " "], 1)
    laptop, printer, blank = answers
    assert isinstance(laptop, TicketAnalysis) and isinstance(printer, TicketAnalysis)
    assert isinstance(blank, InvalidInput)
    assert laptop.possible_duplicate_of is not None and printer.similar_tickets == ()
    assert len(similar_world.uow.store.ticket_vectors) == 3


async def test_a_batch_sees_its_earlier_tickets_as_if_they_were_stored_before(similar_world: SimilarWorld) -> None:
    stored = await similar_world.analyze.execute(f"{LAPTOP} today", 1)
    similar_world.clock.advance(hours=1)
    first, printer, second = await similar_world.analyze.execute_many([LAPTOP, PRINTER, LAPTOP], 1)
    assert isinstance(first, TicketAnalysis) and isinstance(printer, TicketAnalysis)
    assert isinstance(second, TicketAnalysis)
    assert first.similar_tickets is not None and second.similar_tickets is not None
    assert [t.analysis_id for t in first.similar_tickets] == [stored.id], "a ticket never sees a later one"
    assert first.possible_duplicate_of is not None and first.possible_duplicate_of.analysis_id == stored.id
    assert [t.analysis_id for t in second.similar_tickets] == [first.id, stored.id], "merged, most similar first"
    peer = second.similar_tickets[0]
    assert peer.similarity == pytest.approx(1.0, abs=1e-3) and second.possible_duplicate_of == peer
    assert (peer.category, peer.category_is_human_label, peer.team_id) == ("Hardware", False, 10)
    assert peer.created_at == first.created_at and peer.labelled_ticket_id is None
    assert printer.similar_tickets == () and printer.possible_duplicate_of is None
    later = await similar_world.analyze.execute(LAPTOP, 1)
    assert later.similar_tickets is not None
    (once_stored,) = [t for t in later.similar_tickets if t.analysis_id == first.id]
    assert replace(once_stored, similarity=peer.similarity) == peer, "shown as the stored ticket is shown"


async def test_tickets_of_a_batch_in_two_spaces_never_see_each_other(similar_world: SimilarWorld) -> None:
    """A text ending in a full stop gets no vector from the model, so it is placed in the embedder's space, with
    the very vector the model gives the same text without it."""
    classify = similar_world.classifier.classify

    async def no_vector_for_a_full_stop(text: str) -> CategoryPrediction:
        prediction = await classify(text)
        return replace(prediction, embedding=None) if text.endswith(".") else prediction

    similar_world.classifier.classify = no_vector_for_a_full_stop  # type: ignore[method-assign]
    answers = await similar_world.analyze.execute_many([LAPTOP, f"{LAPTOP}.", LAPTOP, f"{LAPTOP}."], 1)
    trained, base, trained_again, base_again = answers
    assert all(isinstance(answer, TicketAnalysis) for answer in answers)
    assert isinstance(trained, TicketAnalysis) and isinstance(base, TicketAnalysis)
    assert isinstance(trained_again, TicketAnalysis) and isinstance(base_again, TicketAnalysis)
    assert [a.text_vector.model_version if a.text_vector else None for a in (trained, base)] == ["fake-v1", "base"]
    assert base.similar_tickets == () and base.possible_duplicate_of is None
    assert trained_again.similar_tickets is not None and base_again.similar_tickets is not None
    assert [t.analysis_id for t in trained_again.similar_tickets] == [trained.id]
    assert [t.analysis_id for t in base_again.similar_tickets] == [base.id]
    assert base_again.possible_duplicate_of is not None and base_again.possible_duplicate_of.analysis_id == base.id


async def test_a_batch_of_a_company_with_similar_tickets_off_gets_none(similar_world: SimilarWorld) -> None:
    store = similar_world.uow.store
    store.companies[1] = replace(store.companies[1], flags=CompanyFlags(similar_tickets=False))
    answers = await similar_world.analyze.execute_many([LAPTOP, LAPTOP], 1)
    for answer in answers:
        assert isinstance(answer, TicketAnalysis) and answer.id is not None
        assert answer.similar_tickets is None and answer.possible_duplicate_of is None
    assert store.ticket_vectors == {}


class GatedRecorder(AnalysisRecorder):
    """Holds every recording until `together` requests wait to record, so each searched before any was stored (as
    concurrent requests do when they arrive together), then records them in the order they arrived. The request
    arriving `failing`-th (from 0) fails instead, once the others are stored (so they are waiting for it)."""

    def __init__(self, world: World, together: int, failing: int | None = None) -> None:
        super().__init__(world.retraining)
        self.together = together
        self.failing = failing
        self.arrived = 0
        self.stored = 0
        self._all_there = asyncio.Event()
        self._others_stored = asyncio.Event()

    async def record(self, analyses: Sequence[TicketAnalysis]) -> list[TicketAnalysis]:
        arrival, self.arrived = self.arrived, self.arrived + 1
        if self.arrived == self.together:
            self._all_there.set()
        await self._all_there.wait()
        if arrival == self.failing:
            await self._others_stored.wait()
            raise RuntimeError("the database went away")
        recorded = await super().record(analyses)
        self.stored += 1
        if self.stored == self.together - 1:
            self._others_stored.set()
        return recorded


def _gated(world: SimilarWorld, together: int, failing: int | None = None) -> AnalyzeTicket:
    world.recorder = GatedRecorder(world, together, failing)
    return world.analyze_ticket(similar=world.similar)


async def test_concurrent_requests_see_the_ones_that_searched_before_them(similar_world: SimilarWorld) -> None:
    """An outage: the platform sends the same ticket as separate requests at once; none is in the index when the
    others search it."""
    analyze = _gated(similar_world, together=3)
    first, second, third = await asyncio.gather(*(analyze.execute(LAPTOP, 1) for _ in range(3)))
    assert first.similar_tickets == () and first.possible_duplicate_of is None, "a ticket never sees a later one"
    assert second.similar_tickets is not None and third.similar_tickets is not None
    assert [t.analysis_id for t in second.similar_tickets] == [first.id]
    assert [t.analysis_id for t in third.similar_tickets] == [first.id, second.id], "most similar first, then earlier"
    peer = second.similar_tickets[0]
    assert peer.similarity == pytest.approx(1.0, abs=1e-3) and second.possible_duplicate_of == peer
    assert third.possible_duplicate_of is not None and third.possible_duplicate_of.analysis_id == first.id
    assert (peer.category, peer.category_is_human_label, peer.team_id) == ("Hardware", False, 10)
    assert similar_world.similar.in_flight.count() == 0
    later = await similar_world.analyze.execute(LAPTOP, 1)
    assert later.similar_tickets is not None
    (once_stored,) = [t for t in later.similar_tickets if t.analysis_id == first.id]
    assert replace(once_stored, similarity=peer.similarity) == peer, "shown as the stored ticket is shown"


async def test_a_request_whose_recording_fails_holds_up_no_concurrent_one(
    similar_world: SimilarWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(in_flight_tickets, "EARLIER_WAIT_SECONDS", 3_600.0)  # only its failure can release the other
    analyze = _gated(similar_world, together=2, failing=0)
    failed, answered = await asyncio.wait_for(
        asyncio.gather(analyze.execute(LAPTOP, 1), analyze.execute(LAPTOP, 1), return_exceptions=True), timeout=60
    )
    assert isinstance(failed, RuntimeError)
    assert isinstance(answered, TicketAnalysis) and answered.id is not None
    assert answered.similar_tickets == () and answered.possible_duplicate_of is None
    assert similar_world.similar.in_flight.count() == 0
    again = await similar_world.analyze.execute(LAPTOP, 1)
    assert again.similar_tickets is not None
    assert [t.analysis_id for t in again.similar_tickets] == [answered.id]


async def test_concurrent_requests_of_two_companies_never_see_each_other(similar_world: SimilarWorld) -> None:
    analyze = _gated(similar_world, together=2)
    acme, globex = await asyncio.gather(analyze.execute(LAPTOP, 1), analyze.execute(LAPTOP, 2))
    for answer in (acme, globex):
        assert answer.similar_tickets == () and answer.possible_duplicate_of is None
    assert similar_world.similar.in_flight.count() == 0


async def test_a_ticket_in_flight_the_index_already_found_is_shown_once(similar_world: SimilarWorld) -> None:
    """The earlier request was added to the index but is still in flight when the later one searches: the later one
    finds it both in the index and in flight."""
    similar, recorder = similar_world.similar, similar_world.recorder
    await similar_world.analyze.execute(PRINTER, 1)  # the index is loaded, so it holds what `remember` adds

    def bare(text: str) -> TicketAnalysis:
        return TicketAnalysis(1, text, None, None, None, None, None, similar_world.clock.now())

    with similar.in_flight.flight(1) as first_flight:
        first = await recorder.record(await similar.attach([bare(LAPTOP)], first_flight))
        first = await similar.with_peers(first, first_flight)
        await similar.remember(first)
        with similar.in_flight.flight(1) as second_flight:
            second = await recorder.record(await similar.attach([bare(LAPTOP)], second_flight))
            (answered,) = await similar.with_peers(second, second_flight)
    assert answered.similar_tickets is not None
    assert [t.analysis_id for t in answered.similar_tickets] == [first[0].id]
    assert answered.possible_duplicate_of == answered.similar_tickets[0]
    assert similar.in_flight.count() == 0


async def test_a_model_without_vectors_places_tickets_with_the_embedder() -> None:
    world = SimilarWorld()
    world.classifier.vectors = None
    await world.analyze.execute(LAPTOP, 1)
    answer = await world.analyze.execute(LAPTOP, 1)
    assert answer.possible_duplicate_of is not None
    assert {row.model_version for row in world.uow.store.ticket_vectors.values()} == {EMBEDDER_SPACE}
    world.index.close()


async def test_a_persons_label_shows_on_the_similar_ticket(similar_world: SimilarWorld) -> None:
    first = await similar_world.analyze.execute(LAPTOP, 1)
    assert first.id is not None
    feedback = SubmitFeedback(
        similar_world.uow,
        similar_world.clock,
        similar_world.retraining,
        DEFAULTS.team_evidence_per_team,
        similar_world.similar,
    )
    await feedback.execute(first.id, Feedback(category="Access"))
    again = await similar_world.analyze.execute(f"{LAPTOP} again", 1)
    assert again.similar_tickets is not None
    (nearest,) = again.similar_tickets
    assert (nearest.category, nearest.category_is_human_label) == ("Access", True)
    (row,) = [r for r in similar_world.uow.store.ticket_vectors.values() if r.analysis_id == first.id]
    assert (row.category, row.label_is_human) == ("Access", True)


async def test_more_similar_tickets_of_a_recorded_analysis(similar_world: SimilarWorld) -> None:
    for n in range(6):
        await similar_world.analyze.execute(f"{LAPTOP} {n}", 1)
    await similar_world.analyze.execute(LAPTOP, 2)
    asked = await similar_world.analyze.execute(LAPTOP, 1)
    assert asked.id is not None
    found = await similar_world.similar.for_analysis(asked.id, 5)
    assert len(found) == 5 and asked.id not in {ticket.analysis_id for ticket in found}
    with pytest.raises(NotFound):
        await similar_world.similar.for_analysis(9_999, 5)
    with pytest.raises(InvalidInput) as error:
        await similar_world.similar.for_analysis(asked.id, 0)
    assert error.value.field == "k"


async def test_a_fresh_process_loads_the_stored_vectors_and_reads_what_others_stored(
    similar_world: SimilarWorld,
) -> None:
    first = await similar_world.analyze.execute(LAPTOP, 1)
    restarted = NumpyVectorIndex()
    similar = SimilarTickets(
        similar_world.uow,
        restarted,
        similar_world.classifier,
        similar_world.embedder,
        EMBEDDER_SPACE,
        replace(similar_tickets_policy(), duplicate_similarity=0.84),
        refresh_seconds=0.0,
    )
    analyze: AnalyzeTicket = similar_world.analyze_ticket(similar=similar)
    answer = await analyze.execute(LAPTOP, 1)
    assert answer.possible_duplicate_of is not None and answer.possible_duplicate_of.analysis_id == first.id
    other_process = await similar_world.analyze.execute(PRINTER, 1)  # stored by the first "process"
    printer = await analyze.execute(PRINTER, 1)
    assert printer.possible_duplicate_of is not None and printer.possible_duplicate_of.analysis_id == other_process.id
    restarted.close()


async def test_reembedding_after_a_swap_completes_while_serving_answers(similar_world: SimilarWorld) -> None:
    texts = [f"{LAPTOP} number {n}" for n in range(7)]
    for text in texts:
        await similar_world.analyze.execute(text, 1)
    async with similar_world.uow() as uow:
        (labelled,) = await uow.labelled_tickets.add_many([LabelledTicket(PRINTER, "Printing", "api", NOW)])
        assert labelled.id is not None
        await uow.ticket_vectors.add_many(
            [StoredVector(1, "fake-v1", pack_vector(similar_world.vectors._vector(PRINTER)), NOW, None, labelled.id)]
        )
        await uow.commit()
    similar_world.classifier.version = "fake-v2"
    reembed = similar_world.reembed(batch_size=3)
    runner = asyncio.create_task(reembed.run())
    answers = [await similar_world.analyze.execute(f"{LAPTOP} number {n}", 1) for n in range(3)]
    assert all(answer.id is not None for answer in answers)
    for _ in range(MAX_POLLS):  # a bound on polls, not on time: a broken re-embedding fails instead of hanging
        if all(row.model_version != "fake-v1" for row in similar_world.uow.store.ticket_vectors.values()):
            break
        await asyncio.sleep(0.01)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    rows = list(similar_world.uow.store.ticket_vectors.values())
    assert {row.model_version for row in rows} == {"fake-v2"}
    assert len(rows) == len(texts) + 1 + 3
    answer = await similar_world.analyze.execute(PRINTER, 1)
    assert answer.possible_duplicate_of is not None and answer.possible_duplicate_of.labelled_ticket_id == labelled.id


async def test_reembedding_waits_until_the_served_model_is_in_step(similar_world: SimilarWorld) -> None:
    await similar_world.analyze.execute(LAPTOP, 1)
    similar_world.classifier.version = "fake-v2"
    similar_world.classifier.is_ready = lambda: False  # type: ignore[method-assign]
    assert await similar_world.reembed().run_once() == 0
    assert {row.model_version for row in similar_world.uow.store.ticket_vectors.values()} == {"fake-v1"}


def _second_process(world: SimilarWorld) -> SimilarTickets:
    """Another API process's similar tickets over the same database: its own index, the same served model."""
    return SimilarTickets(
        world.uow,
        NumpyVectorIndex(),
        world.classifier,
        world.embedder,
        EMBEDDER_SPACE,
        replace(similar_tickets_policy(), duplicate_similarity=0.84),
        refresh_seconds=0.0,
    )


def _reembedded_texts(world: SimilarWorld, since: int) -> list[str]:
    """The ticket texts the model was given since the `since`-th call, its probes of the served space left out."""
    probe = "printer not working"
    return [text for text in world.classifier.texts[since:] if text != probe]


async def _store_tickets(world: SimilarWorld, per_company: dict[int, int]) -> list[str]:
    """Analyses `count` tickets of each company, stored with their vectors in the served space; their texts."""
    texts = []
    for company_id, count in per_company.items():
        for n in range(count):
            texts.append(f"{LAPTOP} at company {company_id}, number {n}")
            await world.analyze.execute(texts[-1], company_id)
    return texts


async def test_two_processes_reembed_each_ticket_once_between_them(similar_world: SimilarWorld) -> None:
    texts = await _store_tickets(similar_world, {1: 7, 2: 5})
    similar_world.classifier.version = "fake-v2"
    since = len(similar_world.classifier.texts)
    first = similar_world.reembed(batch_size=2, holder="host-a:1:aa")
    second = ReembedTickets(
        similar_world.uow, _second_process(similar_world), 2, similar_world.clock, "host-b:1:bb", rest_ratio=0.0
    )
    done = await asyncio.gather(first.run_once(), second.run_once())
    assert all(count > 0 for count in done), "the second process took the company the first one was not on"
    for _ in range(3):  # each comes back for the company it skipped: by then done, so only the old space goes
        done += await asyncio.gather(first.run_once(), second.run_once())
    assert sorted(_reembedded_texts(similar_world, since)) == sorted(texts)
    assert sum(done) == len(texts)
    assert {row.model_version for row in similar_world.uow.store.ticket_vectors.values()} == {"fake-v2"}
    assert similar_world.uow.store.work_leases == {}, "every lease released"


async def test_a_company_whose_process_died_is_taken_over_when_its_lease_expires(similar_world: SimilarWorld) -> None:
    texts = await _store_tickets(similar_world, {1: 3})
    similar_world.classifier.version = "fake-v2"
    died_at = similar_world.clock.now()
    similar_world.uow.store.work_leases[lease_name(1, "fake-v2")] = ("dead-host:7:dd", died_at + LEASE_TTL)
    reembed = similar_world.reembed()
    assert await reembed.run_once() == 0
    assert {row.model_version for row in similar_world.uow.store.ticket_vectors.values()} == {"fake-v1"}
    similar_world.clock.advance(seconds=LEASE_TTL.total_seconds())
    assert await reembed.run_once() == len(texts)
    assert {row.model_version for row in similar_world.uow.store.ticket_vectors.values()} == {"fake-v2"}
    assert similar_world.uow.store.work_leases == {}


async def test_a_process_that_lost_its_lease_writes_nothing_more(similar_world: SimilarWorld) -> None:
    """Its lease expired while it embedded a batch, and another process took the company over: the batch is not
    written and the process leaves the company, and the lease, to the other."""
    texts = await _store_tickets(similar_world, {1: 4})
    similar_world.classifier.version = "fake-v2"
    name = lease_name(1, "fake-v2")
    classify = similar_world.classifier.classify

    async def slow_enough_to_lose_the_lease(text: str) -> CategoryPrediction:
        if text == texts[0]:
            similar_world.clock.advance(seconds=LEASE_TTL.total_seconds())
            async with similar_world.uow() as uow:
                assert await uow.work_leases.try_acquire(name, "other", similar_world.clock.now(), LEASE_TTL)
                await uow.commit()
        return await classify(text)

    similar_world.classifier.classify = slow_enough_to_lose_the_lease  # type: ignore[method-assign]
    assert await similar_world.reembed(batch_size=2).run_once() == 0
    assert {row.model_version for row in similar_world.uow.store.ticket_vectors.values()} == {"fake-v1"}
    assert similar_world.uow.store.work_leases[name][0] == "other"


async def test_the_index_answers_concurrent_searches_of_several_companies_together() -> None:
    index = NumpyVectorIndex()
    embed = FakeEmbedder()._vector
    texts = [LAPTOP, PRINTER, "salary question"]
    for company in (1, 2):
        await index.add(
            company,
            "v",
            [
                StoredVector(company, "v", pack_vector(embed(text)), NOW + timedelta(minutes=n), company * 100 + n)
                for n, text in enumerate(texts)
            ],
        )
    found = await asyncio.gather(*(index.search(c, "v", embed(t), 1, 0.9) for c in (1, 2) for t in texts))
    assert [[ticket.analysis_id for ticket in answer] for answer in found] == [[100], [101], [102], [200], [201], [202]]
    assert await index.search(3, "v", embed(LAPTOP), 3, 0.0) == []
    assert await index.search(1, "w", embed(LAPTOP), 3, 0.0) == []
    assert index.size(1, "v") == 3 and index.memory_bytes() > 0
    index.close()


async def test_the_index_compares_a_batch_with_its_earlier_tickets_of_the_same_key() -> None:
    index = NumpyVectorIndex()
    embed = FakeEmbedder()._vector

    def ticket(n: int, company: int, version: str, text: str = LAPTOP) -> StoredVector:
        return StoredVector(company, version, pack_vector(embed(text)), NOW + timedelta(minutes=n), n, team_id=n)

    # More than are compared on the caller's thread: alternating companies, then a second version, then a printer.
    batch = [ticket(n, 1 + n % 2, "v" if n < 30 else "w") for n in range(40)] + [ticket(40, 1, "v", PRINTER)]
    found = await index.search_earlier(batch, 3, 0.9)
    ids = [[t.analysis_id for t in tickets] for tickets in found]
    assert ids[0] == ids[1] == [] and ids[2] == [0] and ids[3] == [1]
    assert ids[10] == [0, 2, 4], "at most k, a tie going to the earlier position"
    assert ids[30] == ids[31] == [] and ids[32] == [30], "a version's tickets see only that version's"
    assert ids[40] == [], "below the minimum similarity"
    (nearest,) = found[2]
    assert nearest == batch[0].found(nearest.similarity) and nearest.similarity == pytest.approx(1.0)
    assert (nearest.created_at, nearest.team_id) == (NOW, 0)
    assert await index.search_earlier(batch[:4], 3, 0.9) == found[:4]
    assert await index.search_earlier(batch[:4], 0, 0.9) == [[], [], [], []]
    assert await index.search_earlier(batch, 3, 0.9, searched_from=10) == found[10:], "earlier rows only found"
    assert await index.search_earlier(batch[:4], 3, 0.9, searched_from=2) == found[2:4]
    assert await index.search_earlier(batch[:4], 3, 0.9, searched_from=4) == []
    assert index.size(1, "v") == 0, "nothing was added"
    with pytest.raises(ValueError):
        await index.search_earlier([batch[0], StoredVector(1, "v", pack_vector((1.0, 0.0)), NOW, 99)], 3, 0.0)
    index.close()


NOW = World().clock.now()
