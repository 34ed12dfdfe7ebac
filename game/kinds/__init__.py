"""The scenario language: every effect kind (``op:``) and condition kind (``test:``).

Each kind is one class in a module of this package (see :mod:`game.kinds.base` for
what a kind must define). Importing the package imports every module in it, so a new
kind needs no other registration: its module is found, its class registers itself,
and :data:`Effect` and :data:`Condition` (the discriminated unions the scenario models
use) include it.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from game.kinds.base import CONDITIONS, EFFECTS, ConditionKind, EffectKind, missing_parts

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

if TYPE_CHECKING:
    Effect = EffectKind
    Condition = ConditionKind
else:
    Effect = Annotated[Union[tuple(EFFECTS.values())], Field(discriminator="op")]  # noqa: UP007 - built at run time
    Condition = Annotated[Union[tuple(CONDITIONS.values())], Field(discriminator="test")]  # noqa: UP007
    # Kinds name Effect and Condition in their fields (an `if` holds effects and a
    # condition); pydantic resolves those names in the kind's own module.
    for _kind in (*EFFECTS.values(), *CONDITIONS.values()):
        _namespace = importlib.import_module(_kind.__module__)
        _namespace.Effect, _namespace.Condition = Effect, Condition

__all__ = ["CONDITIONS", "EFFECTS", "Condition", "ConditionKind", "Effect", "EffectKind", "missing_parts"]
