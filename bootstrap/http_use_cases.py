"""The HTTP handlers' use cases, served by the container's provider of the same name, and the start-up check.

A handler that asks for `get_company: NamedDependency[GetCompany]` gets `Container.get_company`, which must build a
`GetCompany`. So adding a use case to the HTTP edge takes its module, its provider in bootstrap/container.py and
the handler's parameter; a handler asking for a name the container does not provide, or provides as another class,
stops start-up with a message naming the handler, the name and both classes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adapters.inbound.http.use_case_dependencies import DeclaredUseCase, UseCaseSource
from bootstrap.container import Container


class StartupCheckError(RuntimeError):
    """An HTTP handler asks for a use case the container does not provide."""


def container_use_cases(container: Container) -> UseCaseSource:
    """Serves each declared use case from the provider named like it."""

    def serve(declared: Sequence[DeclaredUseCase]) -> dict[str, Callable[[], object]]:
        providers = container.providers
        problems = sorted({problem for wanted in declared if (problem := _problem(wanted, providers.get(wanted.name)))})
        if problems:
            raise StartupCheckError("HTTP handlers and the container disagree: " + "; ".join(problems))
        return {wanted.name: providers[wanted.name] for wanted in declared}

    return serve


def _problem(declared: DeclaredUseCase, provider: Any) -> str | None:
    wanted = _name(declared.wanted)
    if provider is None:
        return (
            f"{declared.asked_by} asks for {declared.name}: {wanted}, but bootstrap/container.py has no provider "
            f"named {declared.name}"
        )
    # What a Factory or Singleton provider builds; another kind of provider (an object, a function) builds no class.
    built = getattr(provider, "provides", None)
    if isinstance(built, type) and isinstance(declared.wanted, type) and issubclass(built, declared.wanted):
        return None
    return f"{declared.asked_by}: {declared.name} is {wanted}, but {_name(built)} is provided"


def _name(thing: object) -> str:
    return getattr(thing, "__name__", repr(thing))
