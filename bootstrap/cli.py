"""The `ticket-utils` command: serve, worker, migrate (and more as the service grows)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any

from bootstrap.settings import ConfigError, Settings, load_settings


def _prepare_database(settings: Settings) -> None:
    from adapters.outbound.persistence.sqlalchemy.migrate import upgrade_to_head

    if settings.database_url.startswith("sqlite"):
        Path(settings.database_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.database_url)


def serve(settings: Settings, args: argparse.Namespace) -> None:
    import uvicorn

    if args.workers < 1:
        raise ConfigError(f"--workers must be at least 1, got {args.workers}")
    if settings.embedded or args.migrate:
        # The embedded default migrates itself; a server database is migrated by `migrate` or --migrate.
        _prepare_database(settings)
    prepare_worker_processes(settings, args.workers, os.environ)
    uvicorn.run(
        "bootstrap.http:create_http_app",
        **uvicorn_options(
            settings, host=args.host or settings.host, port=args.port or settings.port, workers=args.workers
        ),
    )


def torch_threads_per_process(workers: int, cores: int | None = None) -> int:
    """Each of `workers` processes gets its share of the cores, so together they never oversubscribe them."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // workers)


def prepare_worker_processes(settings: Settings, workers: int, environ: MutableMapping[str, str]) -> None:
    """What every API process must agree on, set in the environment they inherit before uvicorn starts them:
    the intra-op thread count of each (`TORCH_THREADS` when set, else cores ÷ workers), and with several workers
    the directory their Prometheus metrics share (`PROMETHEUS_MULTIPROC_DIR`; a fresh one unless set), emptied of
    an earlier run's files. Hot swaps, caches and the retraining counter need nothing here: every process polls
    the registry and the catalogue stamp, and the counter lives in the database."""
    from adapters.outbound.metrics.prometheus_metrics import MULTIPROC_ENV, prepare_multiprocess_dir

    if settings.torch_threads is None:
        environ["TORCH_THREADS"] = str(torch_threads_per_process(workers))
    if workers > 1 and not environ.get(MULTIPROC_ENV):
        environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="ticket-utils-metrics-")
    if environ.get(MULTIPROC_ENV):
        prepare_multiprocess_dir(environ[MULTIPROC_ENV])


def uvicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """How `serve` runs uvicorn. Forwarded headers (X-Forwarded-For, -Proto) are trusted only from the proxies
    listed in `FORWARDED_ALLOW_IPS`; unset, from none. Uvicorn's own default trusts them from 127.0.0.1, which
    would let anyone on the host pick the client address that login throttling counts by. The access log (a line
    per request) is written at DEBUG only: at INFO a request costs no logging work. Every connection has Nagle's
    algorithm off (`bootstrap.http_protocol`), which `--workers N` would otherwise leave on."""
    trusted = settings.forwarded_allow_ips or ""
    return {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": settings.log_level.lower(),
        "access_log": settings.log_level.upper() == "DEBUG",
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        "http": "bootstrap.http_protocol:NoDelayHTTPProtocol",
    }


def worker(settings: Settings, args: argparse.Namespace) -> None:
    from bootstrap.worker import run_worker

    run_worker(settings, threads=args.threads)


def migrate(settings: Settings, args: argparse.Namespace) -> None:
    from bootstrap.settings import mask_url

    _prepare_database(settings)
    print(f"database at {mask_url(settings.database_url)} is at the latest schema")


def import_command(settings: Settings, args: argparse.Namespace) -> int:
    from bootstrap.operator_commands import import_tickets

    _prepare_database_if_embedded(settings)
    return import_tickets(settings, args.file, args.text_column, args.label_column, args.sheet, args.skip_invalid)


def train_command(settings: Settings, args: argparse.Namespace) -> int:
    from bootstrap.operator_commands import train_now

    _prepare_database_if_embedded(settings)
    return train_now(settings)


def createsuperuser_command(settings: Settings, args: argparse.Namespace) -> int:
    from bootstrap.admin_commands import create_superuser

    _prepare_database_if_embedded(settings)
    return create_superuser(settings, args.username, args.password_stdin)


def changepassword_command(settings: Settings, args: argparse.Namespace) -> int:
    from bootstrap.admin_commands import change_password

    _prepare_database_if_embedded(settings)
    return change_password(settings, args.username, args.password_stdin)


def _prepare_database_if_embedded(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite"):
        _prepare_database(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ticket-utils", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="run the HTTP API (default 127.0.0.1:8002)")
    serve_parser.add_argument("--host", default=None)
    serve_parser.add_argument("--port", type=int, default=None)
    serve_parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve_parser.add_argument("--migrate", action="store_true", help="apply migrations before serving")
    serve_parser.set_defaults(handler=serve)

    worker_parser = commands.add_parser("worker", help="run the Dramatiq worker that executes retraining jobs")
    worker_parser.add_argument("--threads", type=int, default=1)
    worker_parser.set_defaults(handler=worker)

    migrate_parser = commands.add_parser("migrate", help="apply database migrations")
    migrate_parser.set_defaults(handler=migrate)

    import_parser = commands.add_parser("import", help="import labelled tickets from an XLSX or CSV file")
    import_parser.add_argument("file")
    import_parser.add_argument("--text-column", default="Document")
    import_parser.add_argument("--label-column", default="Topic_group")
    import_parser.add_argument("--sheet", default=None, help="XLSX sheet (default: the first)")
    import_parser.add_argument("--skip-invalid", action="store_true", help="import the valid rows, list the others")
    import_parser.set_defaults(handler=import_command)

    train_parser = commands.add_parser("train", help="run the retraining job now, in the foreground")
    train_parser.set_defaults(handler=train_command)

    for name, handler, summary in (
        ("createsuperuser", createsuperuser_command, "create an admin user for the admin site at /admin/"),
        (
            "changepassword",
            changepassword_command,
            "set an admin user's password (ends their sessions, lifts a lockout)",
        ),
    ):
        account_parser = commands.add_parser(name, help=summary)
        account_parser.add_argument("--username", required=True)
        account_parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from the first line of standard input"
        )
        account_parser.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    return int(args.handler(settings, args) or 0)


if __name__ == "__main__":
    sys.exit(main())
