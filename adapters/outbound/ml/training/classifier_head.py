"""Loads the sequence classifier to fine-tune, with a head that fits the current label set.

Warm starts: the base may be the sentence-embedding MiniLM (a fresh classification head is added) or an earlier
fine-tuned folder; if the earlier label set differs, rows of the head are carried over for labels that survive and
the rest are initialised fresh, so a renamed or added topic never inherits another topic's weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load_classifier(base_model_dir: Path, labels: list[str]) -> tuple[Any, str]:
    """Loads a sequence classifier for `labels` from `base_model_dir`; says how the head was obtained.

    Returns (model, head) where head is "new" (base had no classifier), "reused" (same labels, same order)
    or "remapped" (earlier fine-tune with another label set: surviving labels keep their rows).
    """
    from transformers import AutoConfig, AutoModelForSequenceClassification

    base_config = AutoConfig.from_pretrained(str(base_model_dir), local_files_only=True)
    is_classifier = any(name.endswith("ForSequenceClassification") for name in (base_config.architectures or []))
    id2label = dict(enumerate(labels))
    label2id = {label: index for index, label in id2label.items()}
    if not is_classifier:
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base_model_dir),
            num_labels=len(labels),
            id2label=id2label,
            label2id=label2id,
            local_files_only=True,
            use_safetensors=True,
        )
        return model, "new"
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base_model_dir), local_files_only=True, use_safetensors=True
    )
    old_labels = [str(model.config.id2label[index]) for index in range(model.config.num_labels)]
    if old_labels == labels:
        return model, "reused"
    _remap_head(model, old_labels, labels)
    return model, "remapped"


def _remap_head(model: Any, old_labels: list[str], labels: list[str]) -> None:
    """Replaces the output layer for a new label set, copying the rows of labels present in both."""
    import torch
    from torch import nn

    container = model.classifier
    parent, attribute, old = _find_output_layer(container, len(old_labels))
    new = nn.Linear(old.in_features, len(labels), bias=old.bias is not None)
    std = float(getattr(model.config, "initializer_range", 0.02))
    with torch.no_grad():
        new.weight.normal_(0.0, std)
        if new.bias is not None:
            new.bias.zero_()
        old_index = {label: index for index, label in enumerate(old_labels)}
        for index, label in enumerate(labels):
            if label in old_index:
                new.weight[index] = old.weight[old_index[label]]
                if new.bias is not None and old.bias is not None:
                    new.bias[index] = old.bias[old_index[label]]
    new.to(old.weight.device)
    if parent is None:
        model.classifier = new
    else:
        setattr(parent, attribute, new)
    model.num_labels = len(labels)
    model.config.num_labels = len(labels)
    model.config.id2label = dict(enumerate(labels))
    model.config.label2id = {label: index for index, label in enumerate(labels)}


def freeze_embeddings(model: Any) -> None:
    """Stops gradients into the input embeddings (word, position, token-type) and their LayerNorm."""
    embeddings = getattr(getattr(model, "base_model", model), "embeddings", None)
    modules = [embeddings] if embeddings is not None else [model.get_input_embeddings()]
    for module in modules:
        for parameter in module.parameters():
            parameter.requires_grad_(False)


def freeze_bottom_layers(model: Any, count: int) -> int:
    """Stops gradients into the lowest `count` encoder layers (BERT-style `encoder.layer`); returns how many were
    frozen. Backward then stops above them, which is where a CPU step saves its time."""
    encoder = getattr(getattr(model, "base_model", model), "encoder", None)
    layers = list(getattr(encoder, "layer", []))[:count]
    for layer in layers:
        for parameter in layer.parameters():
            parameter.requires_grad_(False)
    return len(layers)


def _find_output_layer(container: Any, n_out: int) -> tuple[Any, str, Any]:
    """The Linear producing the logits: the head itself (BERT) or its last Linear child (RoBERTa's out_proj)."""
    from torch import nn

    if isinstance(container, nn.Linear):
        return None, "classifier", container
    for name, module in reversed(list(container.named_modules())):
        if isinstance(module, nn.Linear) and module.out_features == n_out and "." not in name and name:
            return container, name, module
    raise ValueError("cannot find the classification layer to re-initialise for the new label set")
