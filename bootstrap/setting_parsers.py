"""Parsers for configuration values: each turns a variable's text into a value or raises ValueError.

A parser carries its `rule`, the phrase an error shows after "<VARIABLE> must be", so the bounds a value must
respect are stated once, next to the code that enforces them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from adapters.outbound.ml.training.config import PRECISIONS

T = TypeVar("T")
MIN_API_KEY_LENGTH = 16
MIN_SESSION_SECRET_LENGTH = 32


@dataclass(frozen=True, slots=True)
class Parser(Generic[T]):
    convert: Callable[[str], T]
    rule: str

    def __call__(self, raw: str) -> T:
        return self.convert(raw)


def _bounded(convert: Callable[[str], T], accept: Callable[[T], bool]) -> Callable[[str], T]:
    def parse(raw: str) -> T:
        value = convert(raw)
        if not accept(value):
            raise ValueError
        return value

    return parse


def _one_of(*options: str, normalise: Callable[[str], str] = str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = normalise(raw)
        if value not in options:
            raise ValueError
        return value

    return parse


def _bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError


def _redis_url(raw: str) -> str:
    if urlsplit(raw).scheme not in {"redis", "rediss"}:
        raise ValueError
    return raw


def _s3_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError
    return raw


def _database_url(raw: str) -> str:
    if not raw.startswith(("mysql+aiomysql://", "sqlite+aiosqlite://")):
        raise ValueError
    return raw


def _api_keys(raw: str) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in raw.split(",") if key.strip())
    if not keys or any(len(key) < MIN_API_KEY_LENGTH or any(char.isspace() for char in key) for key in keys):
        raise ValueError
    return keys


def _sheet_name(raw: str) -> str:
    if not 0 < len(raw) <= 31 or any(char in raw for char in "[]:*?/\\"):
        raise ValueError
    return raw


TEXT = Parser(str, "text")
PATH = Parser(Path, "a path")
BOOL = Parser(_bool, "true or false")
POSITIVE_INT = Parser(_bounded(int, lambda value: value > 0), "a positive integer")
POSITIVE_SECONDS = Parser(_bounded(int, lambda value: value > 0), "a positive number of seconds")
NON_NEGATIVE_INT = Parser(_bounded(int, lambda value: value >= 0), "a whole number, 0 or more")
GROUP_SIZE = Parser(_bounded(int, lambda value: value >= 2), "a whole number, 2 or more")
NON_NEGATIVE_SECONDS = Parser(_bounded(int, lambda value: value >= 0), "a number of seconds, 0 or more")
POSITIVE_FLOAT = Parser(_bounded(float, lambda value: value > 0), "a positive number")
TCP_PORT = Parser(_bounded(int, lambda value: 0 < value < 65536), "a TCP port number (1-65535)")
PROBABILITY = Parser(_bounded(float, lambda value: 0.0 <= value <= 1.0), "a number between 0 and 1")
UNIT_INTERVAL = Parser(_bounded(float, lambda value: -1.0 <= value <= 1.0), "a number between -1 and 1")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_LEVEL = Parser(_one_of(*LOG_LEVELS, normalise=str.upper), f"one of {', '.join(LOG_LEVELS)}")
# The transformer always stays part of the model: "linear" alone is an experiment, not a product.
MODEL_KIND = Parser(_one_of("hybrid", "bert"), "hybrid or bert")
TRAIN_PRECISION = Parser(_one_of(*PRECISIONS), f"one of {', '.join(PRECISIONS)}")
# The same names as the serving adapter's runtimes (onnx_classifier.RUNTIMES); a unit test keeps them in step.
INFERENCE_RUNTIMES = ("onnx-int8", "onnx", "torch")
INFERENCE_RUNTIME = Parser(_one_of(*INFERENCE_RUNTIMES), "one of onnx-int8, onnx, torch")
REDIS_URL = Parser(_redis_url, "a redis:// or rediss:// URL")
S3_URL = Parser(_s3_url, "an s3://bucket or s3://bucket/prefix URL")
CACHED_VERSIONS = Parser(_bounded(int, lambda value: value >= 2), "an integer of at least 2")
DATABASE_URL = Parser(_database_url, "a URL starting with mysql+aiomysql:// or sqlite+aiosqlite://")
EXISTING_FILE = Parser(_bounded(Path, Path.is_file), "the path of an existing JSON file")
EXISTING_DIR = Parser(_bounded(Path, Path.is_dir), "the path of an existing folder")
SHEET_NAME = Parser(_sheet_name, "an Excel sheet name (1-31 characters, none of []:*?/\\)")
API_KEYS = Parser(
    _api_keys, f"a comma-separated list of keys, each at least {MIN_API_KEY_LENGTH} characters without spaces"
)
SESSION_SECRET = Parser(
    _bounded(str, lambda value: len(value) >= MIN_SESSION_SECRET_LENGTH),
    f"at least {MIN_SESSION_SECRET_LENGTH} characters long",
)
