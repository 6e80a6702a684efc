"""``Annotated[float, InRange(bound)]``: a number the admin API accepts only inside its range.

The refusal is a 422 whose message names the whole range ("must be between 1 and 3600
seconds"), and the OpenAPI document carries it as ``minimum``/``maximum``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from agente.ops.bounds import Bound


@dataclass(frozen=True, slots=True)
class InRange:
    bound: Bound

    def _check(self, value: float) -> float:
        if not self.bound.holds(value):
            raise PydanticCustomError("out_of_range", "must be {range}", {"range": self.bound.describe()})
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minimum=self.bound.low, maximum=self.bound.high)
        return json_schema
