"""A unit of work's repository, built on its first use in a transaction rather than for every transaction.

A unit of work class lists its repositories as `name = LazyRepository[Port](ImplementationClass)`, one line each:
that list is its registry. The first read of `uow.name` builds `ImplementationClass(uow.repository_source())` (the
SQL session, say) and keeps it on the unit of work, so later reads are plain attribute reads and a transaction
pays only for the repositories it touches. Parameterising with the port makes mypy check, on that line, that the
class implements the port, and types `uow.name` as the port.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

T = TypeVar("T")


class RepositorySource(Protocol):
    """A unit of work whose repositories are lazy: it says what each repository is built on."""

    def repository_source(self) -> Any:
        """What every repository of the current transaction is constructed with; raises outside a transaction."""
        ...


class LazyRepository(Generic[T]):
    """The descriptor behind one repository attribute (see the module docstring)."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> LazyRepository[T]: ...

    @overload
    def __get__(self, uow: RepositorySource, owner: type) -> T: ...

    def __get__(self, uow: RepositorySource | None, owner: type) -> T | LazyRepository[T]:
        if uow is None:
            return self
        repository = self._build(uow.repository_source())
        # Kept in the instance's dict, which attribute lookup reads before a descriptor without `__set__`.
        vars(uow)[self._name] = repository
        return repository

    if TYPE_CHECKING:
        # Declared for mypy only: the ports' units of work declare settable attributes. At run time the descriptor
        # has no `__set__`, so the built repository in the instance's dict is found without calling `__get__`.
        def __set__(self, uow: RepositorySource, repository: T) -> None: ...
