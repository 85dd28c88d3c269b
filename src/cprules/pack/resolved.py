"""A resolved pack as YAML: a pack file of its own (``cprules pack show ID --resolved``).

The text :func:`resolved_yaml` writes is a pack with no ``extends``, ``include`` or
``overrides`` and no disabled rules: :func:`~cprules.load_pack` reads it back to a pack with
the same digest. With ``origin=True``, comments say where each rule, each field an override
changed, each disabled rule and the calendar came from (comments change nothing when loaded).

>>> from cprules.pack.loader import load_pack
>>> text = resolved_yaml(load_pack("stoke"), origin=True)
>>> for line in text.splitlines():
...     if line.startswith("# rule first-core-group"):
...         print(line.replace("; ", ";\\n"))
# rule first-core-group: from england (policies/england/pack.yaml:36);
citation (line 16), interpretation (line 19) from stoke (policies/stoke/pack.yaml)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from cprules.pack.loader import Origin, Pack

__all__ = ["resolved_yaml"]


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _source_relative(file: str) -> str:
    """A pack file named from the folder above its pack folder (``policies/england/pack.yaml``)."""
    path = Path(file)
    return str(Path(*path.parts[-3:])) if len(path.parts) >= 3 else file


def resolved_yaml(
    pack: Pack, *, origin: bool = False, show_file: Callable[[str], str] = _source_relative
) -> str:
    """The effective pack as YAML text, with a header naming its chain and digest.

    ``show_file`` writes a pack file's path in the origin comments (by default from the folder
    that holds the pack folders, as ``policies/england/pack.yaml``).
    """

    def where(found: Origin) -> str:
        return f"{found.pack_id} ({show_file(found.file)}:{found.line})"

    data = pack.resolved()
    rules = data.pop("rules")
    chain = " -> ".join(pack.chain)
    count = f"{len(pack.rules)} rule" + ("" if len(pack.rules) == 1 else "s")
    lines = [f"# pack {pack.id} {pack.version}, resolved ({chain}); {count}", f"# digest {pack.digest}"]
    head = _dump(data)
    if origin and pack.origins.calendar is not None:
        head = head.replace("\ncalendar:", f"\n# calendar: from {where(pack.origins.calendar)}\ncalendar:", 1)
    body = [head.rstrip("\n")]
    if not rules:
        body.append("rules: []")
    else:
        body.append("rules:")
        for rule in rules:
            if origin and rule["id"] in pack.origins.rules:
                found = pack.origins.rules[rule["id"]]
                text = f"# rule {rule['id']}: from {where(found.rule)}"
                by_file: dict[tuple[str, str], list[str]] = {}
                for name, changed in found.fields.items():
                    place = (changed.pack_id, show_file(changed.file))
                    by_file.setdefault(place, []).append(f"{name} (line {changed.line})")
                for (pack_id, file), names in by_file.items():
                    text += f"; {', '.join(names)} from {pack_id} ({file})"
                body.append(text)
            body.append(_dump([rule]).rstrip("\n"))
    if origin:
        for rule_id, switched_off in pack.origins.disabled.items():
            reason = next((d.reason for d in pack.disabled if d.id == rule_id), "")
            reason_text = " ".join(reason.split())
            body.append(f"# rule {rule_id}: disabled by {where(switched_off)}: {reason_text}")
    return "\n".join(lines + body) + "\n"
