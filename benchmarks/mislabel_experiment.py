"""Does leaving the likeliest-mislabelled tickets out of training help on tickets the training never saw?

    nice -n 10 .venv/bin/python benchmarks/mislabel_experiment.py [--csv PATH] [--k 0 250 500 1000 2000]

1. Holds out the same stratified 10% (seed 1234) as benchmarks/accuracy_benchmark.py.
2. Judges every other ticket's label out-of-fold (K=5 folds of the service's TF-IDF + logistic-regression
   recipe, `adapters.outbound.ml.training.mislabel_detector`) and ranks the candidates as the job does
   (`domain.mislabels.select_candidates`, without its stored-count limit).
3. For each k, trains the same linear recipe (`tfidf_fit.train_tfidf_linear`) on the rest minus the top-k
   candidates and scores it on the held-out tickets (`domain.metrics.evaluate`).
Linear model only: the fine-tuned transformer half of the hybrid is too expensive to retrain once per k here.
Prints accuracy, macro-F1, the held-out tickets each k gets right that the first k got wrong and the other way
round (a paired comparison: the difference is noise unless one side clearly outnumbers the other), and the
candidates per label. It asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.accuracy_benchmark import SHARED_CSV, stratified_holdout


def main() -> None:
    from adapters.outbound.ml.training.mislabel_detector import judge
    from adapters.outbound.ml.training.tfidf_fit import train_tfidf_linear
    from domain.metrics import evaluate
    from domain.mislabels import candidates_per_label, select_candidates

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=SHARED_CSV)
    parser.add_argument("--k", type=int, nargs="+", default=[0, 250, 500, 1000, 2000])
    args = parser.parse_args()
    with args.csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kept, held = stratified_holdout(rows, 0.1, seed=1234)
    print(
        f"{len(rows)} tickets; {len(kept)} for training, {len(held)} held out (stratified 10%, seed 1234)", flush=True
    )
    texts = [row["Document"] for row in kept]
    targets = [row["Topic_group"] for row in kept]
    labels = sorted(set(targets))
    started = time.perf_counter()
    judgements = judge(list(range(len(kept))), texts, targets)
    candidates = select_candidates(judgements, training_run_id=0, limit=len(kept))
    print(
        f"out-of-fold judgement (5 folds) took {time.perf_counter() - started:.0f} s; "
        f"out-of-fold accuracy {sum(j.proposed_label == j.given_label for j in judgements) / len(judgements):.4f}; "
        f"{len(candidates)} candidates (another label proposed, given label < 0.5)",
        flush=True,
    )
    for k in (250, 500, 1000, 2000):
        top = candidates[:k]
        if top:
            print(
                f"  top {k}: given probability <= {top[-1].given_probability:.4f}; per label "
                f"{candidates_per_label(top)}",
                flush=True,
            )
    print(f"  all candidates per label: {candidates_per_label(candidates)}", flush=True)
    held_texts = [row["Document"] for row in held]
    truth = [row["Topic_group"] for row in held]
    print(
        f"{'k':>6} {'trained on':>10} {'accuracy':>9} {'macro-F1':>9} {'fixed':>6} {'broken':>6} {'fit s':>6}",
        flush=True,
    )
    baseline: list[bool] | None = None
    for k in args.k:
        dropped = {c.labelled_ticket_id for c in candidates[:k]}
        keep = [i for i in range(len(kept)) if i not in dropped]
        started = time.perf_counter()
        model = train_tfidf_linear([texts[i] for i in keep], [targets[i] for i in keep], labels)
        probabilities = model.predict_proba(held_texts)
        predicted = [labels[int(i)] for i in probabilities.argmax(axis=1)]
        report = evaluate(truth, predicted, labels)
        right = [guess == label for guess, label in zip(predicted, truth, strict=True)]
        baseline = baseline or right
        fixed = sum(now and not before for now, before in zip(right, baseline, strict=True))
        broken = sum(before and not now for now, before in zip(right, baseline, strict=True))
        print(
            f"{k:>6} {len(keep):>10} {report.accuracy:>9.4f} {report.macro_f1:>9.4f} {fixed:>6} {broken:>6} "
            f"{time.perf_counter() - started:>6.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
