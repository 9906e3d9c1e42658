"""A column type for raw bytes (fp16 vectors) that every driver here writes intact.

Why: aiomysql's escaping of `bytes` parameters fails (it reaches a pymysql helper whose signature changed), so on
MariaDB the bytes travel as a hex string and `UNHEX()` stores them as the same raw bytes; reads come back as
`bytes` from every driver. SQLite takes the bytes as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

_MYSQL = ("mysql", "mariadb")


class _Unhex(FunctionElement[bytes]):
    """`UNHEX(value)` on MariaDB/MySQL; the bare value elsewhere."""

    inherit_cache = True
    type = sa.LargeBinary()


@compiles(_Unhex)
def _bare(element: _Unhex, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_Unhex, "mysql")
@compiles(_Unhex, "mariadb")
def _unhex(element: _Unhex, compiler: Any, **kw: Any) -> str:
    return f"UNHEX({compiler.process(element.clauses, **kw)})"


class RawBytes(sa.TypeDecorator[bytes]):
    """BLOB on MariaDB and SQLite; see the module docstring for how the bytes get there."""

    impl = sa.LargeBinary
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return _Unhex(bindvalue)

    def bind_processor(self, dialect: sa.Dialect) -> Callable[[Any], Any] | None:
        if dialect.name in _MYSQL:
            return lambda value: None if value is None else bytes(value).hex()
        return super().bind_processor(dialect)
