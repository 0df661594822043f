"""/admin: switch the latency scenarios at runtime, guarded by ADMIN_TOKEN."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, status
from pydantic import BaseModel, ConfigDict, StrictBool

from services.chat.deps import Settings, Switch
from services.chat.scenarios import INCIDENT, SCENARIOS, UnknownScenario


async def _require_admin(settings: Settings, authorization: Annotated[str | None, Header()] = None) -> None:
    expected = settings.admin_token.get_secret_value() if settings.admin_token else None
    scheme, _, token = (authorization or "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "admin token required", {"WWW-Authenticate": "Bearer"})


router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(_require_admin)])


class ScenarioChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: StrictBool


def _report(active: frozenset[str]) -> dict:
    return {
        "active": sorted(active),
        "scenarios": {
            name: {"on": name in active, "symptom": s.symptom, "fix": s.fix} for name, s in SCENARIOS.items()
        },
    }


@router.get("/scenarios")
async def list_scenarios(switch: Switch) -> dict:
    return _report(switch.active)


@router.put("/scenarios/{name}")
async def set_scenario(name: str, change: ScenarioChange, switch: Switch) -> dict:
    try:
        return _report(await switch.set({name: change.on}))
    except UnknownScenario:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scenario {name!r}; known: {', '.join(SCENARIOS)}") from None


@router.post("/fix")
async def fix_all(switch: Switch) -> dict:
    """Every scenario off: all the fixes applied."""
    return _report(await switch.set({name: False for name in SCENARIOS}))


@router.post("/break")
async def back_to_the_incident(switch: Switch) -> dict:
    """Back to the write-up's incident: only the missing index."""
    return _report(await switch.set({name: name in INCIDENT for name in SCENARIOS}))
