"""A name → function table that features fill at import (document builders, timer actions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

F = TypeVar("F", bound=Callable)


class Registry(Generic[F]):
    def __init__(self, what: str):
        self.what = what
        self._functions: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        def decorator(function: F) -> F:
            if self._functions.get(name, function) is not function:
                raise ValueError(f"{self.what} {name!r} registered twice")
            self._functions[name] = function
            return function

        return decorator

    def get(self, name: str) -> F | None:
        return self._functions.get(name)


async def release_expired_leases(session: AsyncSession, table, claimed: str, now) -> int:
    """Rows claimed by a worker that died (their lease ran out) wait for another worker again."""
    result = await session.execute(
        update(table).where(table.status == claimed, table.lease_until < now).values(status="pending", lease_until=None)
    )
    return result.rowcount
