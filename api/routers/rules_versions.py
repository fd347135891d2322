"""``GET /v1/rules/versions``: rulebook versions kept in the database."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from zhkh.api.deps import SessionDep
from zhkh.api.idempotency import TransactionalRoute
from zhkh.modules.rulebooks.service import versions

router = APIRouter(prefix="/v1/rules", tags=["rules"], route_class=TransactionalRoute)


@router.get("/versions", summary="Сохранённые версии правил")
def list_versions(session: SessionDep) -> dict[str, Any]:
    """Every rulebook version kept in the database (hash, stored, published when and by whom,
    current); ``zhkh calculate --rules-version H`` reproduces any of them exactly."""
    return {"versions": versions(session)}
