from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.dataset_split import MIN_EXAMPLES_TO_EVALUATE, Example, split_dataset
from domain.metrics import LabelMetrics, at_least_as_good, evaluate

label_counts = st.dictionaries(st.sampled_from(["A", "B", "C", "D", "E"]), st.integers(1, 60), min_size=1)


def _examples(counts: dict[str, int]) -> list[Example]:
    return [Example(f"{label} text {n}", label) for label, count in counts.items() for n in range(count)]


@given(label_counts)
def test_split_partitions_every_example_exactly_once(counts: dict[str, int]) -> None:
    examples = _examples(counts)
    split = split_dataset(examples)
    together = Counter(split.train + split.validation + split.test)
    assert together == Counter(examples)


@given(label_counts)
def test_every_evaluable_label_is_in_every_split_and_rare_ones_train_only(counts: dict[str, int]) -> None:
    split = split_dataset(_examples(counts))
    for label, count in counts.items():
        in_test = any(e.label == label for e in split.test)
        in_validation = any(e.label == label for e in split.validation)
        if count >= MIN_EXAMPLES_TO_EVALUATE:
            assert in_test and in_validation and label not in split.train_only_labels
        else:
            assert not in_test and not in_validation and label in split.train_only_labels


def test_split_is_reproducible_by_seed_and_order_independent() -> None:
    examples = _examples({"A": 50, "B": 30})
    assert split_dataset(examples, seed=7) == split_dataset(list(reversed(examples)), seed=7)
    assert split_dataset(examples, seed=7) != split_dataset(examples, seed=8)


def test_split_shares_hold_within_sampling_noise() -> None:
    split = split_dataset(_examples({"A": 10_000}), validation_share=0.1, test_share=0.2)
    # Hash placement is binomial: 4 standard deviations of 10,000 draws at p=0.1/0.2 is 120/160.
    assert abs(len(split.validation) - 1_000) < 120
    assert abs(len(split.test) - 2_000) < 160
    assert len(split.train) + len(split.validation) + len(split.test) == 10_000


@given(label_counts, st.dictionaries(st.sampled_from(["A", "B", "C", "D", "E"]), st.integers(1, 40)))
def test_adding_tickets_never_moves_a_trained_ticket_into_test_or_validation(
    before: dict[str, int], added: dict[str, int]
) -> None:
    old = _examples(before)
    new = old + [Example(f"{label} new {n}", label) for label, count in added.items() for n in range(count)]
    first, second = split_dataset(old), split_dataset(new)
    settled = {label for label, count in before.items() if count >= 20}
    trained = {e for e in first.train if e.label in settled}
    assert not trained & set(second.validation + second.test)


def test_a_large_labels_split_only_grows_when_tickets_are_added() -> None:
    old = _examples({"A": 300, "B": 200})
    first = split_dataset(old)
    second = split_dataset(old + _examples({"C": 50}) + [Example(f"A later {n}", "A") for n in range(100)])
    assert set(first.train) <= set(second.train)
    assert set(first.validation) <= set(second.validation)
    assert set(first.test) <= set(second.test)


def test_metrics_on_a_hand_made_example() -> None:
    report = evaluate(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert report.accuracy == 0.75
    assert report.per_label["a"].precision == 1.0 and report.per_label["a"].recall == 0.5
    assert report.per_label["b"].precision == pytest.approx(2 / 3, abs=1e-6)
    assert report.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2, abs=1e-6)
    assert report.confusion_matrix == ((1, 1), (0, 2))


def test_the_model_label_order_is_kept_and_a_label_outside_it_is_an_error() -> None:
    report = evaluate(["a", "a", "a", "b", "b", "c"], ["a", "a", "b", "b", "c", "c"], labels=["c", "b", "a"])
    assert report.labels == ("c", "b", "a")
    assert report.confusion_matrix == ((1, 0, 0), (1, 1, 0), (0, 1, 2))
    assert report.per_label["a"] == LabelMetrics(precision=1.0, recall=0.666667, f1=0.8, support=3)
    assert report.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3, abs=1e-6)
    with pytest.raises(ValueError, match="not in the label list"):
        evaluate(["a"], ["z"], labels=["a", "b"])


def test_macro_f1_leaves_out_known_labels_that_never_occur_and_counts_invented_ones_as_zero() -> None:
    unused = evaluate(["a", "b"], ["a", "b"], labels=["a", "b", "c"])
    assert unused.macro_f1 == 1.0 and unused.per_label["c"].support == 0
    invented = evaluate(["a", "a"], ["a", "b"], labels=["a", "b", "c"])
    assert invented.macro_f1 == pytest.approx((2 / 3 + 0.0) / 2, abs=1e-6)


@settings(deadline=None)  # the first example imports scikit-learn
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcde")), min_size=1, max_size=40))
def test_macro_f1_and_accuracy_equal_scikit_learns(pairs: list[tuple[str, str]]) -> None:
    from sklearn.metrics import accuracy_score, f1_score

    truth, guess = [t for t, _ in pairs], [g for _, g in pairs]
    report = evaluate(truth, guess, labels=list("edcba"))
    assert report.macro_f1 == pytest.approx(f1_score(truth, guess, average="macro", zero_division=0), abs=1e-6)
    assert report.accuracy == pytest.approx(accuracy_score(truth, guess), abs=1e-6)
    assert evaluate(truth, guess).macro_f1 == report.macro_f1


def test_promotion_rule_prefers_macro_f1_then_accuracy_and_accepts_equal() -> None:
    good = evaluate(["a", "b", "b"], ["a", "b", "b"])
    worse = evaluate(["a", "b", "b"], ["b", "b", "b"])
    assert at_least_as_good(good, worse) and not at_least_as_good(worse, good)
    assert at_least_as_good(good, good)
