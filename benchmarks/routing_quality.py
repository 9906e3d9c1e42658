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
Each line also prints the share decided automatically (a category or derived match whose category the version's
thresholds trust at 0.95, as `team_decision: auto`) and its realised routing precision.
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
    base_vectors: Callable[[], Sequence[Any]],
    base_encode: Callable[[list[str]], list[Any]],
) -> tuple[float, float, float, Counter[str]]:
    """The service's rule for description-only teams carrying `evidence` (confirmed tickets with their true
    label), read by the version through `ServedTeamReadings` with TEAM_EVIDENCE_PRIOR `prior`. Where the version
    gives no vectors (a linear-only version), tickets and teams are compared in base MiniLM's space as the service
    does (the teams' stored description vectors). Returns accuracy, automatic share and its precision, reasons."""
    import asyncio

    from application.services.served_team_readings import (
        ServedTeamReadings,
        derived_owners,
        teams_in_model_space,
    )
    from domain.companies import Team
    from domain.routing import RoutingReason, needs_embedding, route_ticket
    from domain.team_evidence import TeamEvidence

    team_list, serves = [], {}
    for position, (label, (name, description)) in enumerate(descriptions.items(), start=1):
        items = tuple(TeamEvidence(text, label) for text in evidence.get(label, ()))
        team_list.append(Team(position, 1, name, None, description, evidence=items))
        serves[position] = label
    policy = dataclasses.replace(_routing_policy(), evidence_prior=prior, label_share_min=share_min)
    readings = asyncio.run(ServedTeamReadings(_version_classifier(version), prior).for_teams(team_list, "v"))
    derived = derived_owners(team_list, readings, policy.label_share_min)
    placed = teams_in_model_space(team_list, readings, "v")
    ticket_vectors: Sequence[Any] | None = None
    if placed is None:  # as TeamRouter: the stored description vectors blended with the evidence's, base MiniLM
        from domain.team_evidence import blend_vectors

        vectors = base_encode([team.embedding_text() for team in team_list])
        placed = []
        for team, vector in zip(team_list, vectors, strict=True):
            found = [tuple(v) for v in base_encode([e.text for e in team.evidence])] if team.evidence else []
            blended = blend_vectors(tuple(vector), found, prior) or tuple(vector)
            placed.append(Team(team.id, 1, team.name, None, team.description, blended, evidence=team.evidence))
        ticket_vectors = base_vectors()
    thresholds = version.thresholds
    right, auto, auto_right, reasons = 0, 0, 0, Counter[str]()
    for index, prediction in enumerate(predictions):
        needed = needs_embedding(team_list, prediction, policy, derived)
        vector = None
        if needed:
            vector = tuple(ticket_vectors[index]) if ticket_vectors is not None else prediction.embedding
        assignment = route_ticket(vector, placed, prediction, policy, derived)
        reasons[assignment.reason.value] += 1
        correct = assignment.assigned_team_id is not None and serves[assignment.assigned_team_id] == truth[index]
        right += correct
        by_category = assignment.reason in (RoutingReason.CATEGORY_MATCH, RoutingReason.DERIVED_CATEGORY_MATCH)
        trusted = thresholds is not None and thresholds.allows(prediction.label, prediction.confidence, 0.95)
        if by_category and trusted:
            auto += 1
            auto_right += correct
    total = len(truth)
    return right / total, auto / total, (auto_right / auto if auto else 0.0), reasons


def service_only(args: argparse.Namespace) -> None:
    import numpy as np

    from adapters.outbound.ml.serving.minilm_embedder import MiniLmEmbedder
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
    base: MiniLmEmbedder | None = None
    cached: list[Sequence[Any]] = []

    def base_encode(batch: list[str]) -> list[Any]:
        nonlocal base
        base = base or MiniLmEmbedder(max_length=256)
        return list(base.encode(batch))

    def base_vectors() -> Sequence[Any]:
        if not cached:
            cached.append(base_encode(texts))
        return cached[0]

    counts = [int(part) for part in args.confirmed.split(",")]
    pool = evidence_pool(args.csv, max(counts))
    for path in args.descriptions or [None]:
        descriptions = load_descriptions(path)
        missing = set(descriptions) ^ set(version.labels)
        if missing:
            raise SystemExit(f"the version's labels differ from the description set's: {sorted(missing)}")
        print(f"descriptions {path or 'built-in TEAMS'}")
        measure_set(args, descriptions, pool, counts, truth, predictions, version, base_vectors, base_encode)
    if base is not None:
        base.close()


def measure_set(
    args: argparse.Namespace,
    descriptions: dict[str, tuple[str, str]],
    pool: dict[str, list[str]],
    counts: list[int],
    truth: Sequence[str],
    predictions: Sequence[Any],
    version: Any,
    base_vectors: Callable[[], Sequence[Any]],
    base_encode: Callable[[list[str]], list[Any]],
) -> None:
    for prior, share_min, count in itertools.product(
        [float(part) for part in args.priors.split(",")], [float(part) for part in args.share_mins.split(",")], counts
    ):
        evidence = {label: texts_[:count] for label, texts_ in pool.items()}
        accuracy, auto, precision, reasons = route_with_evidence(
            descriptions, evidence, prior, share_min, truth, predictions, version, base_vectors, base_encode
        )
        print(
            f"  prior {prior:<4g} share_min {share_min:<4g} confirmed/team {count:<3d} routing accuracy "
            f"{accuracy:.4f}   automatic {auto:.3f} at precision {precision:.3f}   ({dict(reasons)})"
        )


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
    args = parser.parse_args()
    if args.service_only:
        from adapters.outbound.ml.torch_threads import configure_torch_threads

        configure_torch_threads(args.threads)
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
