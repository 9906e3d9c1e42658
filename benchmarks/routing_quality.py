"""How often a held-out shared ticket reaches the right team, under each routing rule and candidate improvement.

    .venv/bin/python benchmarks/routing_quality.py --model-dir models/v20261126-...

Eight teams, one per label, each with a name and a one-sentence description (TEAMS below); a ticket is routed
right when its team is the one for its true label. Tickets: the same stratified 10% holdout (seed 1234) as
accuracy_benchmark.py, or a fixed random subset (--sample, default 2000; 0 = all of it). Rules, each through the
service's own `domain.routing.route_ticket` with its default policy:

  category teams          teams carry their category; the version's blended prediction routes (similarity with
                          base MiniLM when the confidence is below the policy's minimum)
  description teams       teams carry no category: pure cosine similarity between the ticket's and the team's
                          base all-MiniLM-L6-v2 embeddings (the old service's rule)
  (a) fine-tuned encoder  the same similarity rule, embeddings mean-pooled from the version's fine-tuned bert/
  (b) classified teams    each team's description text is classified by the version; the team carries that
                          predicted category and tickets route by category as above
  (c) label-space cosine  cosine between the version's probability vectors of ticket and team text
  (d) service path        the service's own rule for description teams: each team's derived category and vector
                          from `application.services.served_team_readings` (the version as the classifier), routed
                          by `route_ticket` with the ticket's vector from the version's own pass only where
                          `needs_embedding` says so (also prints how many tickets were compared with the teams)
  (e) service path        the same for teams with a category: the similarity fallback compares the version's
                          own vectors instead of base MiniLM's (one transformer pass per ticket)
Prints accuracy for each (the issue's goal for the description-only rule: at least 0.80). Asserts nothing.

Description sets and team evidence (issue 21):

    .venv/bin/python benchmarks/routing_quality.py --model-dir models/v... --service-only \
        --descriptions benchmarks/team_descriptions/long.json --confirmed 0,1,5 --priors 1

  --descriptions FILE...  (with --service-only) the eight teams' names and descriptions from JSON files
                          ({label: {name, description}}), each measured in turn, instead of TEAMS below;
                          benchmarks/team_descriptions/ holds sets written independently: short, long, vague
  --service-only          only the service's rule for description teams ((d)), with evidence: no base-MiniLM
                          rules, so a run costs one classification of the held-out tickets
  --confirmed 0,5         confirmed tickets per team (team evidence, as feedback with `team_id` gives it), drawn
                          per label from the tickets outside the holdout (seeded); one line per count
  --priors 1              TEAM_EVIDENCE_PRIOR values to try (tune on one description set, report the others)
  --share-mins 0.2        TEAM_LABEL_SHARE_MIN values to try
Each line also prints the share decided automatically (`team_decision: auto` by the service's `decide_team`, for a
company with the default policy: autofill at a target precision of 0.95) and its realised routing precision.

A team's categories together (issue 21):

    nice -n 5 .venv/bin/python benchmarks/routing_quality.py --model-dir models/v... --grouped --sample 2000

  --grouped               teams owning several of the eight labels, as a real IT department's would: one team
                          for the devices people use, repairing (Hardware) and buying them (Purchase), and one for
                          what a person may do, accounts and access (Access) and local admin rights
                          (Administrative rights), both a permission granted to one person; the other four labels
                          are a team each (GROUPED). Pairs a model mixes up are what the lever is for, so the
                          grouping is one that a company would choose for its own reasons, not the pairs the model
                          confuses most. Routed right, automatic share and the realised precision of the automatic
                          decisions, with the lever and without it (the same code with the predictions' alternatives
                          left out); the same for the eight one-label teams, where the lever can change nothing
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_CSV = ROOT.parent / "shared" / "data" / "it_service_tickets.csv"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TEAMS: dict[str, tuple[str, str]] = {
    "Hardware": (
        "Desktop Support",
        "We repair and replace broken laptops, monitors, printers, phones and other office equipment.",
    ),
    "HR Support": (
        "People Team",
        "We handle employee joiners and leavers, holidays, absences, timesheets and payroll questions.",
    ),
    "Access": (
        "Identity and Access",
        "We reset passwords, unlock accounts and grant access to systems, VPN and applications.",
    ),
    "Miscellaneous": (
        "Service Desk",
        "We take general requests such as mailing list changes, approvals and ticket status updates.",
    ),
    "Storage": (
        "Storage and Mailboxes",
        "We manage shared folders, mailbox quotas, disk space and file share permissions.",
    ),
    "Purchase": (
        "Procurement",
        "We raise purchase orders and track orders, deliveries and receipts for new equipment.",
    ),
    "Internal Project": (
        "Project Office",
        "We set up internal projects, project codes and their costs and forecasts in Oracle.",
    ),
    "Administrative rights": (
        "Workstation Administration",
        "We grant local admin rights to install or upgrade software on your computer.",
    ),
}
GOAL = 0.80
GROUPED: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("Hardware", "Purchase"),
        "End-user Devices",
        "We repair and replace broken laptops, monitors, printers and phones, and order new equipment and track "
        "its delivery.",
    ),
    (
        ("Access", "Administrative rights"),
        "Identity and Access",
        "We reset passwords, unlock accounts and grant access to systems, VPN and applications, and local admin "
        "rights to install software.",
    ),
    *(((label,), *TEAMS[label]) for label in ("HR Support", "Miscellaneous", "Storage", "Internal Project")),
)
"""The --grouped company: (labels the team owns, its main category first; name; description)."""


def held_out_tickets(csv_path: Path, sample: int) -> list[dict[str, str]]:
    from onnx_experiment import held_out_tickets as held

    return held(csv_path, sample)


def teams(
    with_category: bool, categories: dict[str, str] | None = None, embed: Callable[[list[str]], list[Any]] | None = None
) -> tuple[list[Any], dict[int, str]]:
    """Domain teams (id = position + 1) and which true label each one serves."""
    from domain.companies import Team

    built, serves = [], {}
    for position, (label, (name, description)) in enumerate(TEAMS.items(), start=1):
        category = (categories or {}).get(label, label) if with_category else None
        built.append(Team(position, 1, name, category, description))
        serves[position] = label
    if embed is not None:
        vectors = embed([team.embedding_text() for team in built])
        built = [
            Team(t.id, t.company_id, t.name, t.category, t.description, tuple(v))
            for t, v in zip(built, vectors, strict=True)
        ]
    return built, serves


def route_all(
    ticket_vectors: Sequence[Any],
    team_list: list[Any],
    serves: dict[int, str],
    truth: Sequence[str],
    predictions: Sequence[Any] | None,
) -> tuple[float, Counter[str]]:
    from domain.routing import route_ticket

    policy, right, reasons = _routing_policy(), 0, Counter[str]()
    for index, vector in enumerate(ticket_vectors):
        prediction = predictions[index] if predictions is not None else None
        assignment = route_ticket(tuple(vector), team_list, prediction, policy)
        reasons[assignment.reason.value] += 1
        right += assignment.assigned_team_id is not None and serves[assignment.assigned_team_id] == truth[index]
    return right / len(truth), reasons


def route_service_path(
    team_list: list[Any],
    serves: dict[int, str],
    truth: Sequence[str],
    predictions: Sequence[Any],
    version: Any,
) -> tuple[float, Counter[str]]:
    """The service's rule (`AnalyzeTicket._route`): teams read by the version through the service's cache (derived
    categories for teams without one, and the teams' vectors in the version's space), then `route_ticket`, given
    the ticket's own vector from the version's pass only where `needs_embedding` says so."""
    import asyncio

    from application.services.served_team_readings import (
        ServedTeamReadings,
        derived_owners,
        teams_in_model_space,
    )
    from domain.routing import needs_embedding, route_ticket

    readings = asyncio.run(
        ServedTeamReadings(_version_classifier(version), _routing_policy().evidence_prior).for_teams(team_list, "v")
    )
    derived = derived_owners(team_list, readings, _routing_policy().label_share_min)
    placed = teams_in_model_space(team_list, readings, "v")
    if placed is None:
        raise SystemExit("the version gives no text vectors (no transformer): the service would embed separately")
    policy, right, reasons = _routing_policy(), 0, Counter[str]()
    for index, prediction in enumerate(predictions):
        needed = needs_embedding(team_list, prediction, policy, derived)
        reasons["compared"] += needed
        assignment = route_ticket(prediction.embedding if needed else None, placed, prediction, policy, derived)
        reasons[assignment.reason.value] += 1
        right += assignment.assigned_team_id is not None and serves[assignment.assigned_team_id] == truth[index]
    return right / len(truth), reasons


def load_descriptions(path: Path | None) -> dict[str, tuple[str, str]]:
    """{label: (name, description)} from a description set (keys starting with `_` are notes), or TEAMS."""
    if path is None:
        return dict(TEAMS)
    data = json.loads(path.read_text(encoding="utf-8"))
    return {label: (entry["name"], entry["description"]) for label, entry in data.items() if not label.startswith("_")}


def evidence_pool(csv_path: Path, count: int, seed: int = 7) -> dict[str, list[str]]:
    """`count` ticket texts per label from the tickets outside the holdout (those a company's agents would have
    confirmed before), drawn with a fixed seed."""
    import csv
    import random

    from accuracy_benchmark import stratified_holdout

    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kept, _ = stratified_holdout(rows, 0.1, seed=1234)
    by_label: dict[str, list[str]] = {}
    for row in kept:
        by_label.setdefault(row["Topic_group"], []).append(row["Document"])
    rng = random.Random(seed)
    return {label: rng.sample(texts, min(count, len(texts))) for label, texts in sorted(by_label.items())}


def route_with_evidence(
    descriptions: dict[str, tuple[str, str]],
    evidence: dict[str, list[str]],
    prior: float,
    share_min: float,
    truth: Sequence[str],
    predictions: Sequence[Any],
    version: Any,
    base: BaseMiniLm,
) -> tuple[float, float, float, Counter[str]]:
    """The service's rule for description-only teams carrying `evidence` (confirmed tickets with their true
    label), read by the version through `ServedTeamReadings` with TEAM_EVIDENCE_PRIOR `prior`. Returns accuracy,
    automatic share and its precision, reasons (`route_and_decide`)."""
    from domain.companies import Team
    from domain.team_evidence import TeamEvidence

    team_list, team_of = [], {}
    for position, (label, (name, description)) in enumerate(descriptions.items(), start=1):
        items = tuple(TeamEvidence(text, label) for text in evidence.get(label, ()))
        team_list.append(Team(position, 1, name, None, description, evidence=items))
        team_of[label] = position
    policy = dataclasses.replace(_routing_policy(), evidence_prior=prior, label_share_min=share_min)
    derived, placed, ticket_vectors = served_teams(team_list, policy, version, base)
    return route_and_decide(placed, team_of, derived, policy, truth, predictions, version.thresholds, ticket_vectors)


def served_teams(
    team_list: list[Any], policy: Any, version: Any, base: BaseMiniLm
) -> tuple[dict[int, tuple[str, ...]], list[Any], Sequence[Any] | None]:
    """A company's teams as the service reads them (`TeamRouter`): the labels each team without a category takes,
    and the teams with the vectors tickets are compared with: the version's own, or where the version gives no
    vectors (a linear-only version) base MiniLM's (the teams' stored vectors blended with their evidence's).
    Returns those labels, those teams and the tickets' base-MiniLM vectors (None: each prediction's own)."""
    import asyncio

    from application.services.served_team_readings import (
        ServedTeamReadings,
        derived_owners,
        teams_in_model_space,
    )
    from domain.team_evidence import blend_vectors

    reader = ServedTeamReadings(_version_classifier(version), policy.evidence_prior)
    readings = asyncio.run(reader.for_teams(team_list, "v"))
    derived = derived_owners(team_list, readings, policy.label_share_min)
    placed = teams_in_model_space(team_list, readings, "v")
    if placed is not None:
        return derived, placed, None
    vectors = base.encode([team.embedding_text() for team in team_list])
    placed = []
    for team, vector in zip(team_list, vectors, strict=True):
        found = [tuple(v) for v in base.encode([e.text for e in team.evidence])] if team.evidence else []
        blended = blend_vectors(tuple(vector), found, policy.evidence_prior) or tuple(vector)
        placed.append(dataclasses.replace(team, embedding=blended))
    return derived, placed, base.ticket_vectors()


def route_and_decide(
    placed: list[Any],
    team_of: dict[str, int],
    derived: dict[int, tuple[str, ...]],
    policy: Any,
    truth: Sequence[str],
    predictions: Sequence[Any],
    thresholds: Any,
    ticket_vectors: Sequence[Any] | None,
) -> tuple[float, float, float, Counter[str]]:
    """Each ticket routed by the service's rule (`route_ticket`, the ticket's vector only where `needs_embedding`
    says so) and its team decided by `decide_team` for a company with the default policy (autofill, target 0.95).
    Right: the routed team is `team_of` its true label. Returns the share routed right, the share decided
    automatically, the realised precision of those, and the routing reasons."""
    from domain.decision_policy import DecisionPolicy
    from domain.decisions import Decision, decide_team
    from domain.routing import needs_embedding, route_ticket

    company = DecisionPolicy()
    right, auto, auto_right, reasons = 0, 0, 0, Counter[str]()
    for index, prediction in enumerate(predictions):
        vector = None
        if needs_embedding(placed, prediction, policy, derived):
            vector = tuple(ticket_vectors[index]) if ticket_vectors is not None else prediction.embedding
        assignment = route_ticket(vector, placed, prediction, policy, derived)
        reasons[assignment.reason.value] += 1
        correct = assignment.assigned_team_id is not None and assignment.assigned_team_id == team_of[truth[index]]
        right += correct
        if decide_team(assignment, prediction, thresholds, company) is Decision.AUTO:
            auto += 1
            auto_right += correct
    total = len(truth)
    return right / total, auto / total, (auto_right / auto if auto else 0.0), reasons


class BaseMiniLm:
    """Base all-MiniLM-L6-v2, loaded only when a rule needs it, and the held-out tickets' vectors, encoded once."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self._model: Any = None
        self._vectors: list[Any] | None = None

    def encode(self, batch: list[str]) -> list[Any]:
        from adapters.outbound.ml.serving.minilm_embedder import MiniLmEmbedder

        self._model = self._model or MiniLmEmbedder(max_length=256)
        return list(self._model.encode(batch))

    def ticket_vectors(self) -> list[Any]:
        if self._vectors is None:
            self._vectors = self.encode(list(self._texts))
        return self._vectors

    def close(self) -> None:
        if self._model is not None:
            self._model.close()


def classify_held_out(args: argparse.Namespace) -> tuple[list[str], list[str], Any, list[Any]]:
    """The held-out tickets' texts and true labels, the version, and its predictions as the service makes them
    (label, three alternatives, the transformer's vector when it has one)."""
    import numpy as np

    from adapters.outbound.ml.serving.model_version import LoadedModelVersion
    from domain.predictions import CategoryPrediction

    held = held_out_tickets(args.csv, args.sample)
    texts, truth = [row["Document"] for row in held], [row["Topic_group"] for row in held]
    version = LoadedModelVersion(args.model_dir)
    started = time.perf_counter()
    scored = version.predict_with_reasons(texts)
    predictions = [
        CategoryPrediction.from_scores(dict(zip(version.labels, row, strict=True)), "v", embedding=vector)
        for row, _, vector in scored
    ]
    accuracy = np.mean([p.label == t for p, t in zip(predictions, truth, strict=True)])
    print(
        f"version {args.model_dir.name} (kind {version.kind}); "
        f"{len(held)} held-out tickets classified in {time.perf_counter() - started:.0f} s, accuracy {accuracy:.4f}"
    )
    return texts, truth, version, predictions


def service_only(args: argparse.Namespace) -> None:
    texts, truth, version, predictions = classify_held_out(args)
    base = BaseMiniLm(texts)
    counts = [int(part) for part in args.confirmed.split(",")]
    pool = evidence_pool(args.csv, max(counts))
    for path in args.descriptions or [None]:
        descriptions = load_descriptions(path)
        missing = set(descriptions) ^ set(version.labels)
        if missing:
            raise SystemExit(f"the version's labels differ from the description set's: {sorted(missing)}")
        print(f"descriptions {path or 'built-in TEAMS'}")
        measure_set(args, descriptions, pool, counts, truth, predictions, version, base)
    base.close()


def measure_set(
    args: argparse.Namespace,
    descriptions: dict[str, tuple[str, str]],
    pool: dict[str, list[str]],
    counts: list[int],
    truth: Sequence[str],
    predictions: Sequence[Any],
    version: Any,
    base: BaseMiniLm,
) -> None:
    for prior, share_min, count in itertools.product(
        [float(part) for part in args.priors.split(",")], [float(part) for part in args.share_mins.split(",")], counts
    ):
        evidence = {label: texts_[:count] for label, texts_ in pool.items()}
        accuracy, auto, precision, reasons = route_with_evidence(
            descriptions, evidence, prior, share_min, truth, predictions, version, base
        )
        print(
            f"  prior {prior:<4g} share_min {share_min:<4g} confirmed/team {count:<3d} routing accuracy "
            f"{accuracy:.4f}   automatic {auto:.3f} at precision {precision:.3f}   ({dict(reasons)})"
        )


def grouped(args: argparse.Namespace) -> None:
    """The lever of issue 21 (a team's categories together) on a company whose teams own several labels, and on
    the eight one-label teams, where it can change nothing: each routed and decided without the lever (the
    predictions without their alternatives, which is exactly the old rule: a team's probability is then the
    predicted label's) and with it."""
    from domain.companies import Team

    texts, truth, version, predictions = classify_held_out(args)
    missing = {label for labels, _, _ in GROUPED for label in labels} ^ set(version.labels)
    if missing:
        raise SystemExit(f"the version's labels differ from the grouped company's: {sorted(missing)}")
    mixed = Counter(tuple(sorted((p.label, t))) for p, t in zip(predictions, truth, strict=True) if p.label != t)
    print("labels mixed up most (either way): " + ", ".join(f"{a} / {b} {n}" for (a, b), n in mixed.most_common(6)))
    base = BaseMiniLm(texts)
    policy = _routing_policy()
    one_per_label = tuple(((label,), name, description) for label, (name, description) in TEAMS.items())
    alone = [dataclasses.replace(prediction, alternatives=()) for prediction in predictions]
    for company, groups in (("one team per label", one_per_label), ("grouped company", GROUPED)):
        team_list, team_of = [], {}
        for position, (labels, name, description) in enumerate(groups, start=1):
            team_list.append(Team(position, 1, name, labels[0], description, extra_categories=labels[1:]))
            team_of.update(dict.fromkeys(labels, position))
        wrong = [(p.label, t) for p, t in zip(predictions, truth, strict=True) if p.label != t]
        inside = sum(team_of[label] == team_of[true] for label, true in wrong)
        print(
            f"{company}: {', '.join('+'.join(labels) for labels, _, _ in groups)}; "
            f"{len(wrong)} tickets of the wrong label, {inside} of them the right team's"
        )
        derived, placed, ticket_vectors = served_teams(team_list, policy, version, base)
        for lever, scored in (("without the lever", alone), ("with the lever", predictions)):
            right, auto, precision, reasons = route_and_decide(
                placed, team_of, derived, policy, truth, scored, version.thresholds, ticket_vectors
            )
            print(
                f"  {lever:18s} routed right {right:.4f}   automatic {auto:.4f} at precision {precision:.4f}   "
                f"({dict(reasons)})"
            )
    base.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, required=True, help="a version folder (model.json, bert/, linear/)")
    parser.add_argument("--csv", type=Path, default=SHARED_CSV)
    parser.add_argument("--sample", type=int, default=2000, help="held-out tickets to route (0 = all)")
    parser.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    parser.add_argument(
        "--descriptions", type=Path, nargs="+", help="description sets (JSON), each measured in turn; default: TEAMS"
    )
    parser.add_argument("--service-only", action="store_true", help="only the service's rule, with evidence")
    parser.add_argument("--confirmed", default="0", help="confirmed tickets per team, comma-separated")
    parser.add_argument("--priors", default="1", help="TEAM_EVIDENCE_PRIOR values, comma-separated")
    parser.add_argument("--share-mins", default="0.2", help="TEAM_LABEL_SHARE_MIN values, comma-separated")
    parser.add_argument(
        "--grouped",
        action="store_true",
        help="only the lever of a team's categories together, on a company whose teams own several labels "
        "(GROUPED) and on the eight one-label teams, each with and without it",
    )
    args = parser.parse_args()
    if args.service_only or args.grouped:
        from adapters.outbound.ml.torch_threads import configure_torch_threads

        configure_torch_threads(args.threads)
        if args.grouped:
            grouped(args)
        else:
            service_only(args)
        return

    import numpy as np

    from adapters.outbound.ml.serving.minilm_embedder import MiniLmEmbedder
    from adapters.outbound.ml.serving.model_version import LoadedModelVersion
    from adapters.outbound.ml.torch_threads import configure_torch_threads
    from domain.predictions import CategoryPrediction

    configure_torch_threads(args.threads)
    held = held_out_tickets(args.csv, args.sample)
    texts, truth = [row["Document"] for row in held], [row["Topic_group"] for row in held]
    manifest = json.loads((args.model_dir / "model.json").read_text(encoding="utf-8"))
    missing = set(TEAMS) ^ set(manifest["labels"])
    if missing:
        raise SystemExit(f"the version's labels differ from the eight teams' labels: {sorted(missing)}")
    print(f"version {args.model_dir.name}; {len(held)} held-out tickets; 8 teams, one per label")

    started = time.perf_counter()
    version = LoadedModelVersion(args.model_dir)
    scored = version.predict_with_reasons(texts)
    probabilities = np.asarray([row for row, _, _ in scored])
    predictions = [
        CategoryPrediction.from_scores(dict(zip(version.labels, row, strict=True)), "v", embedding=vector)
        for row, _, vector in scored
    ]
    print(
        f"classified the tickets in {time.perf_counter() - started:.0f} s; version's own accuracy "
        f"{np.mean([p.label == t for p, t in zip(predictions, truth, strict=True)]):.4f}"
    )

    base = MiniLmEmbedder(max_length=256)
    base_vectors = base.encode(texts)
    tuned = MiniLmEmbedder(model_dir=str(args.model_dir / "bert"), max_length=int(manifest["max_length"]))
    tuned_vectors = tuned.encode(texts)
    results: list[tuple[str, float, Counter[str]]] = []

    category_teams, serves = teams(True, embed=base.encode)
    results.append(
        ("category teams (version's prediction)", *route_all(base_vectors, category_teams, serves, truth, predictions))
    )
    plain_teams, serves = teams(False, embed=base.encode)
    results.append(
        ("description teams, base MiniLM cosine", *route_all(base_vectors, plain_teams, serves, truth, None))
    )
    tuned_teams, serves = teams(False, embed=tuned.encode)
    results.append(
        (
            "(a) description teams, fine-tuned encoder cosine",
            *route_all(tuned_vectors, tuned_teams, serves, truth, None),
        )
    )

    descriptions = [f"{name}. {description}" for name, description in TEAMS.values()]
    team_probabilities = version.predict_proba_array(descriptions)
    inferred = {label: version.labels[int(row.argmax())] for label, row in zip(TEAMS, team_probabilities, strict=True)}
    print("(b) each team's description classified by the version:")
    for label, category in inferred.items():
        print(f"    {TEAMS[label][0]:28s} -> {category:22s} {'ok' if category == label else 'WRONG'}")
    classified_teams, serves = teams(True, categories=inferred, embed=base.encode)
    results.append(
        (
            "(b) description teams classified by the version",
            *route_all(base_vectors, classified_teams, serves, truth, predictions),
        )
    )

    def label_space(rows: Any) -> list[Any]:
        return list(np.asarray(rows) / np.linalg.norm(rows, axis=1, keepdims=True))

    space_teams, serves = teams(False, embed=lambda team_texts: label_space(version.predict_proba_array(team_texts)))
    results.append(
        (
            "(c) description teams, label-space cosine",
            *route_all(label_space(probabilities), space_teams, serves, truth, None),
        )
    )

    service_teams, serves = teams(False)
    results.append(
        (
            "(d) description teams, derived category (service)",
            *route_service_path(service_teams, serves, truth, predictions, version),
        )
    )
    service_teams, serves = teams(True)
    results.append(
        (
            "(e) category teams, version's own vectors (service)",
            *route_service_path(service_teams, serves, truth, predictions, version),
        )
    )

    print()
    for name, accuracy, reasons in results:
        flag = "" if name.startswith("category") else ("  >= goal" if accuracy >= GOAL else "  < goal")
        print(f"  {name:52s} routing accuracy {accuracy:.4f}{flag}   ({dict(reasons)})")
    print(f"(goal for the description-only rule: {GOAL:.2f})")
    base.close()
    tuned.close()


def _version_classifier(version: Any) -> Any:
    """The trained version as the service's CategoryClassifier port, one text at a time (version "v")."""
    from domain.predictions import CategoryPrediction

    class VersionClassifier:
        async def classify(self, text: str) -> CategoryPrediction:
            ((row, _, vector),) = version.predict_with_reasons([text])
            return CategoryPrediction.from_scores(dict(zip(version.labels, row, strict=True)), "v", embedding=vector)

        def is_ready(self) -> bool:
            return True

    return VersionClassifier()


def _routing_policy() -> Any:
    """The service's routing thresholds as a start without any environment sets them (BERT_CONF_MIN, SIM_MIN)."""
    from bootstrap.settings import load_settings
    from domain.routing import RoutingPolicy

    defaults = load_settings(environ={}, env_file=None)
    return RoutingPolicy(
        defaults.bert_conf_min, defaults.sim_min, defaults.team_evidence_prior, defaults.team_label_share_min
    )


if __name__ == "__main__":
    main()
