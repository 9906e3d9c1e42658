"""The out-of-fold detector (real scikit-learn) finds labels planted wrong on a small generated data set."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from adapters.outbound.ml.training.mislabel_detector import SklearnMislabelDetector
from domain.labelled_tickets import LabelledTicket
from domain.mislabels import select_candidates

pytestmark = pytest.mark.integration

TOPICS = {
    "Hardware": ["laptop", "screen", "keyboard", "mouse", "printer", "monitor", "battery", "charger", "dock"],
    "Access": ["password", "login", "account", "locked", "vpn", "token", "permission", "reset", "mfa"],
    "HR Support": ["salary", "payslip", "holiday", "leave", "contract", "pension", "benefits", "overtime", "bonus"],
}
FILLER = ["please", "help", "today", "urgent", "my", "the", "is", "not", "working", "since", "yesterday", "again"]
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def generated(per_topic: int = 40, seed: int = 5) -> list[LabelledTicket]:
    rng = random.Random(seed)
    tickets = []
    for label, words in TOPICS.items():
        for _ in range(per_topic):
            text = " ".join(rng.sample(words, 4) + rng.sample(FILLER, 4))
            tickets.append(LabelledTicket(text, label, "test", WHEN, id=len(tickets) + 1))
    rng.shuffle(tickets)
    return tickets


async def test_planted_wrong_labels_rank_at_the_top_with_their_true_label_proposed() -> None:
    tickets = generated()
    labels = list(TOPICS)
    planted: dict[int, str] = {}
    for position in range(0, 50, 10):  # five tickets get another topic's label
        ticket = tickets[position]
        planted[ticket.id or 0] = ticket.category
        wrong = labels[(labels.index(ticket.category) + 1) % len(labels)]
        tickets[position] = LabelledTicket(ticket.text, wrong, "test", WHEN, id=ticket.id)
    judgements = await SklearnMislabelDetector(folds=5).find(tickets)
    assert len(judgements) == len(tickets)
    top = select_candidates(judgements, training_run_id=1, limit=5)
    assert {c.labelled_ticket_id for c in top} == set(planted)
    assert all(c.proposed_label == planted[c.labelled_ticket_id] for c in top)
    assert all(c.given_probability < 0.5 for c in top)


async def test_a_label_with_fewer_tickets_than_folds_is_not_judged_nor_proposed() -> None:
    tickets = generated(per_topic=20)
    rare = [LabelledTicket(f"storage quota disk full {n}", "Storage", "test", WHEN, id=1000 + n) for n in range(3)]
    judgements = await SklearnMislabelDetector(folds=5).find([*tickets, *rare])
    assert {j.labelled_ticket_id for j in judgements} == {t.id for t in tickets}
    assert all(j.proposed_label != "Storage" for j in judgements)
    only_one = [t for t in tickets if t.category == "Hardware"]
    assert await SklearnMislabelDetector(folds=5).find(only_one) == [], "one judgeable label: nothing to compare"
