"""The Jinja2 environment the pages are rendered with, and what they share.

Autoescaping is on for every template: case ids, event ids, titles and citations come from
case files and packs, and none of them may become markup. Undefined names are errors, so a
typo in a template fails its test rather than printing nothing.

>>> from markupsafe import Markup
>>> environment().from_string("<b>{{ text }}</b>").render(text="<script>")
'<b>&lt;script&gt;</b>'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jinja2

__all__ = ["STATUS_LOOK", "StatusLook", "environment", "long_date", "short_date"]


@dataclass(frozen=True, slots=True)
class StatusLook:
    """How a status is drawn: its words, its colour, and a glyph whose shape alone tells it."""

    value: str
    label: str
    colour: str
    glyph: str
    """The id of its ``<symbol>`` in the page (each status a different shape)."""
    meaning: str


#: every status, in the order a reader acts on them (colours from the Okabe-Ito palette, told
#: apart by people with the common colour vision deficiencies; shapes tell them apart in grey)
STATUS_LOOK: dict[str, StatusLook] = {
    look.value: look
    for look in (
        StatusLook("overdue", "overdue", "#c0392b", "g-overdue", "not done, and the due date has passed"),
        StatusLook(
            "missed", "missed", "#6a3d9a", "g-missed", "never done: the window closed after the due date"
        ),
        StatusLook("late", "late", "#d55e00", "g-late", "done after the due date"),
        StatusLook(
            "violated", "violated", "#cc3d8f", "g-violated", "a condition of the procedure was broken"
        ),
        StatusLook("due", "due", "#0072b2", "g-due", "not done yet, due date still to come"),
        StatusLook(
            "undetermined", "undetermined", "#6b6b6b", "g-undetermined", "a fact the rule needs is missing"
        ),
        StatusLook("met", "met", "#009e73", "g-met", "done on time"),
        StatusLook("not_applicable", "not applicable", "#9a9a9a", "g-not_applicable", "nothing to do"),
    )
}


def look(status: str) -> StatusLook:
    """The look of ``status``; a status this module does not know yet is drawn as undetermined."""
    found = STATUS_LOOK.get(status)
    if found is not None:
        return found
    base = STATUS_LOOK["undetermined"]
    return StatusLook(status, status.replace("_", " "), base.colour, base.glyph, "")


def short_date(day: date | None) -> str:
    """``19 Mar 2024`` (empty for None)."""
    return "" if day is None else f"{day.day} {day:%b %Y}"


def long_date(day: date | None) -> str:
    """``Tue 19 Mar 2024`` (empty for None)."""
    return "" if day is None else f"{day:%a} {day.day} {day:%b %Y}"


def _number(value: int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The environment of the bundled templates (autoescaped, strict about undefined names)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cprules.pages", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["short_date"] = short_date
    env.filters["long_date"] = long_date
    env.filters["number"] = _number
    env.filters["percent"] = _percent
    env.globals["STATUS_LOOK"] = STATUS_LOOK
    env.globals["look"] = look
    return env
