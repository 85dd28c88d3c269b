"""Policy packs: the YAML format, its models, and loading with extends/include/overrides.

>>> from cprules.pack import load_pack
>>> load_pack("stoke").chain
('stoke', 'england')
"""

from cprules.pack.loader import (
    CalendarSpec,
    DisabledRule,
    Pack,
    PackFile,
    PackSource,
    bundled_pack_ids,
    load_pack,
    policies_dir,
    validate_pack,
)
from cprules.pack.model import RULE_ADAPTER, RULE_KINDS, Period, Rule, Selector

__all__ = [
    "RULE_ADAPTER",
    "RULE_KINDS",
    "CalendarSpec",
    "DisabledRule",
    "Pack",
    "PackFile",
    "PackSource",
    "Period",
    "Rule",
    "Selector",
    "bundled_pack_ids",
    "load_pack",
    "policies_dir",
    "validate_pack",
]
