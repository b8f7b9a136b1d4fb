"""The pieces every model shares: maturity levels, ids and the frozen base class."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

LEVEL_MIN = 0
LEVEL_MAX = 4

Level = Annotated[int, Field(ge=LEVEL_MIN, le=LEVEL_MAX, description="maturity level 0-4")]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="snake_case identifier")]
QuestionId = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", description="<area>.<slug>"),
]
NonEmpty = Annotated[str, Field(min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
