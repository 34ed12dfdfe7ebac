"""The field types every scenario model shares: ids, card kinds, phases and the strict base.

They live apart from :mod:`game.scenario.models` so that the effect and condition
kinds (:mod:`game.kinds`), which the scenario models are assembled from, can use them
without importing the models they are part of.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=48)]
CARD_KINDS = ("sanction", "tariff_carrot", "arms_sale", "framing", "event")
CardKind = Literal["sanction", "tariff_carrot", "arms_sale", "framing", "event"]
PHASES = ("shock", "diplomacy", "orders", "adjudication", "upkeep")
Phase = Literal["shock", "diplomacy", "orders", "adjudication", "upkeep"]
#: Role references inside effects may name a role id or one of these placeholders.
ROLE_PLACEHOLDERS = ("owner", "target")
DICE_RE = re.compile(r"^([1-9])d(4|6|8|10|12|20)$")


class Strict(BaseModel):
    # defer_build: pydantic builds a model's validator on first use instead of at import.
    # Building all ~40 models eagerly cost ~130 ms at every start of the UI, for models that
    # are only ever validated as part of a Scenario (whose one build covers them all).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True, strict=True)
