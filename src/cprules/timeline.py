"""The index of one case's timeline as at one date: built once, read by every rule.

Rules never rescan the raw event list: they ask the index for the positions of the events a
selector accepts, and for the plan episode an event belongs to. Each selector is matched once
per timeline, in one pass over the events of its types (:meth:`Timeline.selection`); every rule
whose selector has the same :attr:`~cprules.pack.model.Selector.key` shares that pass, and a
range of positions is then a binary search, not a scan.

>>> from datetime import date
>>> from cprules.calendar import WorkingCalendar
>>> from cprules.case import parse_case
>>> case = parse_case({"case_id": "T-1", "events": [
...     {"id": "ic", "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
...     {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
...     {"id": "cg", "type": "core_group", "date": "2024-04-02", "status": "held"},
...     {"id": "late", "type": "core_group", "date": "2024-09-02", "status": "held"}]})
>>> timeline = Timeline.build(case, date(2024, 6, 1), WorkingCalendar())
>>> [e.id for e in timeline.events], timeline.episode_of(0), timeline.episodes[0].end_index
(['ic', 'ps', 'cg'], 1, None)
>>> timeline.position_of("cg"), timeline.position_of("late")
(2, None)
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from cprules.calendar import WorkingCalendar
from cprules.case import AnyEvent, Case, Episode
from cprules.pack.model import Selector

__all__ = ["Selection", "Timeline"]


class Selection(NamedTuple):
    """What one selector makes of a timeline's events, as positions in timeline order."""

    sure: list[int]
    """The events it surely accepts."""
    unknown: list[int]
    """The events it may accept: a tested field is empty (or the child's age is unknown)."""
    possible: list[int]
    """Both, merged."""


_NOTHING = Selection([], [], [])


@dataclass(frozen=True, slots=True)
class Timeline:
    """One case's events on or before ``as_of``, in timeline order, indexed by type and episode."""

    case: Case
    as_of: date
    calendar: WorkingCalendar
    events: tuple[AnyEvent, ...]
    by_type: Mapping[str, Sequence[int]]
    episodes: tuple[Episode, ...]
    episode_at: tuple[int | None, ...]
    birth: date | None
    records: frozenset[str] | None
    _selections: dict[str, Selection] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, case: Case, as_of: date, calendar: WorkingCalendar) -> Timeline:
        """Index ``case`` as at ``as_of`` (events after it are not seen)."""
        ordered = case.ordered_events
        visible = bisect_right(ordered, as_of, key=_date_of)
        all_types = case.positions_by_type
        if visible == len(ordered):  # nothing after as_of: the case's own index serves
            events = ordered
            by_type = all_types
        else:
            events = ordered[:visible]
            by_type = {}
            for kind, positions in all_types.items():
                if positions[-1] < visible:
                    by_type[kind] = positions
                elif positions[0] < visible:
                    by_type[kind] = positions[: bisect_left(positions, visible)]
        episodes: list[Episode] = []
        episode_at: list[int | None] = [None] * visible
        for episode in case.episodes:
            if episode.start_index >= visible:
                break
            end = episode.end_index if episode.end_index is not None and episode.end_index < visible else None
            clipped = (
                episode
                if end == episode.end_index
                else Episode(episode.number, episode.start_index, end, episode.opened_by_index)
            )
            episodes.append(clipped)
            first = episode.opened_by_index if episode.opened_by_index is not None else episode.start_index
            stop = end + 1 if end is not None else visible
            episode_at[first:stop] = [episode.number] * (stop - first)
        return cls(
            case=case,
            as_of=as_of,
            calendar=calendar,
            events=events,
            by_type=by_type,
            episodes=tuple(episodes),
            episode_at=tuple(episode_at),
            birth=case.child.date_of_birth,
            records=frozenset(case.records) if case.records is not None else None,
        )

    # -- looking things up -------------------------------------------------------------------

    def selection(self, selector: Selector) -> Selection:
        """The events ``selector`` surely or maybe accepts (matched once per timeline).

        The lists are shared: read them, never change them (the methods below hand out copies).
        """
        key = selector.key
        found = self._selections.get(key)
        if found is None:
            kinds = selector.types
            candidates: Sequence[int]
            if len(kinds) == 1:
                candidates = self.by_type.get(kinds[0], ())
            else:
                candidates = sorted(p for kind in kinds for p in self.by_type.get(kind, ()))
            if candidates:
                sure, unknown = selector.classify(self.events, candidates, self.birth)
                found = Selection(sure, unknown, sorted(sure + unknown) if unknown else sure)
            else:
                found = _NOTHING
            self._selections[key] = found
        return found

    def positions(self, selector: Selector, start: int = 0, stop: int | None = None) -> list[int]:
        """Positions in ``[start, stop)`` of the events ``selector`` surely accepts."""
        return _between(self.selection(selector).sure, start, stop)

    def unknown_positions(self, selector: Selector, start: int = 0, stop: int | None = None) -> list[int]:
        """Positions in ``[start, stop)`` of events of the selector's types whose tested fields are empty."""
        return _between(self.selection(selector).unknown, start, stop)

    def split(
        self, selector: Selector, start: int = 0, stop: int | None = None
    ) -> tuple[list[int], list[int]]:
        """Positions in ``[start, stop)`` that ``selector`` surely accepts, and those it may accept."""
        found = self.selection(selector)
        return _between(found.sure, start, stop), _between(found.unknown, start, stop)

    def first(self, selector: Selector, start: int = 0, stop: int | None = None) -> int | None:
        """The first position in ``[start, stop)`` whose event ``selector`` accepts."""
        sure = self.selection(selector).sure
        index = bisect_left(sure, start)
        if index < len(sure) and (stop is None or sure[index] < stop):
            return sure[index]
        return None

    def last(self, selector: Selector, start: int = 0, stop: int | None = None) -> int | None:
        """The last position in ``[start, stop)`` whose event ``selector`` accepts."""
        sure = self.selection(selector).sure
        index = (len(sure) if stop is None else bisect_left(sure, stop)) - 1
        if index >= 0 and sure[index] >= start:
            return sure[index]
        return None

    def position_of(self, event_id: str) -> int | None:
        """The position of the event with this id (None when there is none on or before ``as_of``)."""
        position = self.case.positions_by_id.get(event_id)
        return position if position is not None and position < len(self.events) else None

    def episode_of(self, position: int) -> int | None:
        """The number (1-based) of the plan episode the event at ``position`` belongs to."""
        return self.episode_at[position]

    def episode(self, number: int) -> Episode:
        """The episode with this number."""
        return self.episodes[number - 1]

    def episode_bounds(self, number: int) -> tuple[int, int]:
        """``(start, stop)`` positions of an episode, its opening conference included."""
        episode = self.episodes[number - 1]
        start = episode.opened_by_index if episode.opened_by_index is not None else episode.start_index
        stop = episode.end_index + 1 if episode.end_index is not None else len(self.events)
        return start, stop

    def recorded(self, need: str) -> bool:
        """Whether the case's source records an event type or ``type.field`` at all."""
        records = self.records
        if records is None:
            return True
        kind, _, field_name = need.partition(".")
        if kind in records:
            return True
        if not field_name:
            prefix = kind + "."
            return any(entry.startswith(prefix) for entry in records)
        return need in records


def _between(positions: list[int], start: int, stop: int | None) -> list[int]:
    """The positions (sorted) in ``[start, stop)``, as a new list."""
    low = bisect_left(positions, start) if start > 0 else 0
    high = len(positions) if stop is None else bisect_left(positions, stop)
    return positions[low:high]


def _date_of(event: AnyEvent) -> date:
    return event.date
