"""Full training or update: what decides the plan (domain.training_plan.plan_training)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.training_plan import PlanKind, RetrainingPolicy, plan_training

NOW = datetime(2026, 12, 7, tzinfo=UTC)
POLICY = RetrainingPolicy(full_growth=0.2, full_every=timedelta(days=7), replay=10, new_weight=4)


def plan(tickets: int = 1_000, new_tickets: int = 1, last_full_tickets: int = 1_000, manual: bool = False) -> PlanKind:
    return plan_training(
        POLICY,
        manual=manual,
        can_continue=True,
        tickets=tickets,
        new_tickets=new_tickets,
        last_full_at=NOW - timedelta(days=1),
        last_full_tickets=last_full_tickets,
        now=NOW,
    ).kind


def test_a_few_new_tickets_are_an_update() -> None:
    assert plan(tickets=1_005, new_tickets=5) is PlanKind.UPDATE


def test_a_grown_data_set_is_a_full_training() -> None:
    assert plan(tickets=1_200, new_tickets=5) is PlanKind.FULL


def test_many_relabelled_tickets_are_a_full_training_though_the_count_did_not_grow() -> None:
    """Relabelled tickets are new rows that supersede old ones: the count stays, yet an update would move every one
    of them into its training split (and a third of the data could empty its validation split)."""
    decided = plan_training(
        POLICY,
        manual=False,
        can_continue=True,
        tickets=1_000,
        new_tickets=300,
        last_full_at=NOW - timedelta(days=1),
        last_full_tickets=1_000,
        now=NOW,
    )
    assert decided.kind is PlanKind.FULL and "new or relabelled" in decided.reason
    assert plan(tickets=1_000, new_tickets=199) is PlanKind.UPDATE


def test_a_person_asking_is_a_full_training() -> None:
    assert plan(manual=True) is PlanKind.FULL
