"""The use cases the HTTP handlers ask for, read from the handlers themselves.

A handler asks for a use case with one parameter, `name: NamedDependency[UseCase]`, and nothing else lists it:
`create_app` collects every such declaration and hands them to a `UseCaseSource` (the composition root), which
returns one zero-argument factory per name, or refuses to start when it cannot serve one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from litestar import Router
from litestar.di import Dependency, Provide
from litestar.types import ControllerRouterHandler


@dataclass(frozen=True, slots=True)
class DeclaredUseCase:
    """`asked_by` (a handler, or the admin session guard) wants an instance of `wanted` under `name`."""

    asked_by: str
    name: str
    wanted: Any


UseCaseSource: TypeAlias = Callable[[Sequence[DeclaredUseCase]], Mapping[str, Callable[[], object]]]
"""Given every declaration, one zero-argument factory per declared name; raises, naming every declaration it cannot
serve, when some cannot be."""


def declared_use_cases(route_handlers: Iterable[ControllerRouterHandler]) -> list[DeclaredUseCase]:
    """Every `NamedDependency[...]` parameter of every handler under `route_handlers`, routers and controllers
    included, in the order the handlers come."""
    # A router registers and parses the handlers as the app will; nothing is ever served from this one.
    walker = Router(path="/", route_handlers=list(route_handlers))
    found = []
    for route in walker.routes:
        for handler in getattr(route, "route_handlers", ()):
            for name, parameter in handler.parsed_fn_signature.parameters.items():
                if any(isinstance(marker, Dependency) for marker in parameter.metadata):
                    found.append(DeclaredUseCase(handler.fn.__qualname__, name, parameter.annotation))
    return found


def litestar_dependencies(factories: Mapping[str, Callable[[], object]]) -> dict[str, Provide]:
    """Each factory as a Litestar dependency under its name; a fresh use case per request, built on the loop."""
    return {name: Provide(_plain(factory), sync_to_thread=False) for name, factory in factories.items()}


def _plain(factory: Callable[[], object]) -> Callable[[], object]:
    """Litestar reads a dependency's signature, so a factory that is not a plain function is wrapped in one."""

    def provide() -> object:
        return factory()

    return provide
