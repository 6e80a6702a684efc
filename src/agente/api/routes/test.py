"""``POST /api/test``: the runbook's end-to-end functional check."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from agente.api.deps import SelfTestDep
from agente.readiness import SelfTestResult

router = APIRouter(prefix="/api", tags=["diagnostics"])


class SelfTestRequest(BaseModel):
    message: str = Field(min_length=1, max_length=200)


@router.post("/test", response_model=SelfTestResult, responses={503: {"model": SelfTestResult}})
async def self_test(body: SelfTestRequest, test: SelfTestDep) -> JSONResponse:
    """Round trip through every part; ``success`` (200) or ``failure`` naming the parts (503)."""
    result = await test.run(body.message)
    return JSONResponse(result.model_dump(mode="json"), status_code=200 if result.status == "success" else 503)
