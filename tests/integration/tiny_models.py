"""Random 2-layer, 32-wide BERT checkpoints with MiniLM's tokenizer: they load and train in seconds and go through
the real code paths. Saved as safetensors, as the training job saves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.outbound.ml.serving.minilm_embedder import default_minilm_dir


def _tiny_config(**fields: Any) -> Any:
    from transformers import BertConfig

    return BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, **fields)


def tiny_base_model(directory: Path, max_position_embeddings: int = 128) -> Path:
    """A seeded base checkpoint (no head) saved in `directory`, for training to start from: the same weights
    whichever tests ran before it, so what a test trains on top of it does not depend on the order tests run in."""
    import torch
    from transformers import AutoTokenizer, BertModel

    tokenizer = AutoTokenizer.from_pretrained(default_minilm_dir(), local_files_only=True)
    config = _tiny_config(vocab_size=tokenizer.vocab_size, max_position_embeddings=max_position_embeddings)
    torch.manual_seed(0)
    BertModel(config).save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory


def tiny_classifier(directory: Path, labels: list[str]) -> Path:
    """A seeded sequence classifier over `labels` saved in `directory`, as a fine-tuned checkpoint is saved."""
    import torch
    from transformers import AutoTokenizer, BertForSequenceClassification

    config = _tiny_config(
        vocab_size=30522,
        max_position_embeddings=128,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(default_minilm_dir(), local_files_only=True).save_pretrained(directory)
    return directory
