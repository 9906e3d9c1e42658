"""Retraining the topic classifier: a fine-tuned transformer, a TF-IDF linear model, and their blend.

Why a hybrid: on the helpdesk tickets (lower-cased, stop-words removed keyword soup) a TF-IDF linear model and a
fine-tuned MiniLM each reach a similar accuracy but make different mistakes, so a validation-weighted average
of their probabilities beats both. Everything here must train on a 2-core CPU inside a wall-clock budget and save
only safetensors and JSON (no pickles: a model folder must never be able to run code on load).

Nothing heavy is imported at module import time: torch, transformers, numpy and scikit-learn are imported inside
the functions that need them, so importing this package costs nothing for processes that never train.
"""
