from __future__ import annotations

import re
from pathlib import Path

import pytest

from bootstrap.settings import ConfigError, Settings, environment_variables, load_settings, mask_url


def settings(**env: str) -> Settings:
    return load_settings(environ=env, env_file=None)


def test_defaults_are_the_embedded_mode() -> None:
    loaded = settings()
    assert loaded.embedded and loaded.database_url.startswith("sqlite+aiosqlite:///")
    assert loaded.analyze_training_threshold == 100 and loaded.port == 8002
    assert loaded.training_export_path == Path("exports/tickets_training.xlsx")
    assert loaded.training_export_sheet_name == "Sheet1" and loaded.seed_demo_data
    assert (loaded.train_epochs, loaded.train_warm_start_epochs, loaded.train_max_length) == (3.0, 1.0, 128)


def test_seed_database_variables_build_a_mysql_url_with_escaped_password() -> None:
    loaded = settings(DB_HOST="db", DB_NAME="tickets", DB_USER="svc", DB_PASSWORD="p@ss:word", DB_PORT="3307")
    assert loaded.database_url == "mysql+aiomysql://svc:p%40ss%3Aword@db:3307/tickets?charset=utf8mb4"
    assert "p%40ss" not in str(loaded.describe()) and not loaded.embedded and not loaded.seed_demo_data


def test_celery_broker_url_is_accepted_in_place_of_broker_url() -> None:
    assert settings(CELERY_BROKER_URL="redis://localhost:6379/0").broker_url == "redis://localhost:6379/0"
    assert settings(BROKER_URL="redis://a:1/0", CELERY_BROKER_URL="redis://b:2/0").broker_url == "redis://a:1/0"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"ANALYZE_TRAINING_THRESHOLD": "zero"}, "ANALYZE_TRAINING_THRESHOLD"),
        ({"ANALYZE_TRAINING_THRESHOLD": "-5"}, "ANALYZE_TRAINING_THRESHOLD"),
        ({"TRAIN_WARM_START_EPOCHS": "0"}, "TRAIN_WARM_START_EPOCHS"),
        ({"DB_HOST": "db", "DB_USER": "u"}, "DB_NAME"),
        ({"DB_HOST": "db", "DB_NAME": "n", "DB_USER": "u", "DB_PORT": "99999"}, "DB_PORT"),
        ({"BROKER_URL": "amqp://guest@localhost"}, "BROKER_URL"),
        ({"BERT_CONF_MIN": "1.5"}, "BERT_CONF_MIN"),
        ({"SIM_MIN": "abc"}, "SIM_MIN"),
        ({"TRAINING_EXPORT_SHEET_NAME": "a/b"}, "TRAINING_EXPORT_SHEET_NAME"),
        ({"PRIORITY_HIGH_BELOW": "0.5", "PRIORITY_MEDIUM_BELOW": "0.1"}, "PRIORITY_HIGH_BELOW"),
        ({"LABELS_FILE": "/nonexistent.json"}, "LABELS_FILE"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        settings(**env)


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ANALYZE_TRAINING_THRESHOLD=7\nPORT=9000\n")
    loaded = load_settings(environ={"PORT": "9001"}, env_file=env_file)
    assert (loaded.analyze_training_threshold, loaded.port) == (7, 9001)


def test_passwords_are_masked() -> None:
    assert mask_url("mysql+aiomysql://u:secret@h/db") == "mysql+aiomysql://u:***@h/db"
    assert mask_url("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_seed_demo_data_defaults_to_embedded_and_can_be_forced_either_way() -> None:
    mysql = {"DATABASE_URL": "mysql+aiomysql://u@h/db"}
    assert settings().seed_demo_data and not settings(**mysql).seed_demo_data
    assert not settings(BROKER_URL="redis://localhost:6379/0").seed_demo_data, "a broker means not embedded"
    assert settings(SEED_DEMO_DATA="true", **mysql).seed_demo_data and not settings(SEED_DEMO_DATA="no").seed_demo_data


def test_a_bad_celery_broker_url_is_named_and_a_bad_database_url_is_not_echoed() -> None:
    with pytest.raises(ConfigError, match="CELERY_BROKER_URL"):
        settings(CELERY_BROKER_URL="amqp://guest@localhost")
    with pytest.raises(ConfigError, match="DATABASE_URL") as raised:
        settings(DATABASE_URL="postgres://u:hunter2@h/db")
    assert "hunter2" not in str(raised.value)


def test_every_variable_read_is_documented_in_the_readme_and_every_documented_one_is_read() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }
    assert documented == set(environment_variables())


def test_inference_runtime_defaults_to_onnx_int8_and_accepts_exactly_the_served_runtimes() -> None:
    from adapters.outbound.ml.serving.onnx_classifier import RUNTIMES

    assert settings().inference_runtime == "onnx-int8"
    assert [settings(INFERENCE_RUNTIME=name).inference_runtime for name in RUNTIMES] == list(RUNTIMES)
    for wrong in ("ONNX", "tensorrt", "onnx-int4"):
        with pytest.raises(ConfigError, match="INFERENCE_RUNTIME"):
            settings(INFERENCE_RUNTIME=wrong)
