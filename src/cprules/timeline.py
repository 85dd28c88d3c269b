"""The index of one case's timeline as at one date: built once, read by every rule.

Rules never rescan the raw event list: they ask the index for the positions of the events a
selector accepts (looked up by type), and for the plan episode an event belongs to.

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
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date

from cprules.calendar import WorkingCalendar
from cprules.case import AnyEvent, Case, Episode
from cprules.pack.model import Selector

__all__ = ["Timeline"]


@dataclass(frozen=True, slots=True)
class Timeline:
    """One case's events on or before ``as_of``, in timeline order, indexed by type and episode."""

    case: Case
    as_of: date
    calendar: WorkingCalendar
    events: tuple[AnyEvent, ...]
    by_type: dict[str, list[int]]
    index_of: dict[str, int]
    episodes: tuple[Episode, ...]
    episode_at: tuple[int | None, ...]
    birth: date | None
    records: frozenset[str] | None

    @classmethod
    def build(cls, case: Case, as_of: date, calendar: WorkingCalendar) -> Timeline:
        """Index ``case`` as at ``as_of`` (events after it are not seen)."""
        ordered = case.ordered_events
        visible = bisect_right(ordered, as_of, key=_date_of)
        events = ordered[:visible]
        by_type: dict[str, list[int]] = {}
        index_of: dict[str, int] = {}
        for position, event in enumerate(events):
            by_type.setdefault(event.type, []).append(position)  # type: ignore[attr-defined]
            index_of[event.id] = position
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
            last = end if end is not None else visible - 1
            for position in range(first, last + 1):
                episode_at[position] = episode.number
        child = case.child
        return cls(
            case=case,
            as_of=as_of,
            calendar=calendar,
            events=events,
            by_type=by_type,
            index_of=index_of,
            episodes=tuple(episodes),
            episode_at=tuple(episode_at),
            birth=child.date_of_birth,
            records=frozenset(case.records) if case.records is not None else None,
        )

    # -- looking things up -------------------------------------------------------------------

    def positions(self, selector: Selector, start: int = 0, stop: int | None = None) -> list[int]:
        """Positions in ``[start, stop)`` of the events ``selector`` surely accepts."""
        found = self._candidates(selector)
        birth = self.birth
        events = self.events
        end = len(events) if stop is None else stop
        return [p for p in found if start <= p < end and selector.match(events[p], birth) is True]

    def unknown_positions(self, selector: Selector, start: int = 0, stop: int | None = None) -> list[int]:
        """Positions of events of the selector's types whose tested fields are empty."""
        found = self._candidates(selector)
        end = len(self.events) if stop is None else stop
        return [p for p in found if start <= p < end and selector.match(self.events[p], self.birth) is None]

    def first(self, selector: Selector, start: int = 0, stop: int | None = None) -> int | None:
        """The first position in ``[start, stop)`` whose event ``selector`` accepts."""
        birth = self.birth
        events = self.events
        end = len(events) if stop is None else stop
        for p in self._candidates(selector):
            if p >= end:
                break
            if p >= start and selector.match(events[p], birth) is True:
                return p
        return None

    def last(self, selector: Selector, start: int = 0, stop: int | None = None) -> int | None:
        """The last position in ``[start, stop)`` whose event ``selector`` accepts."""
        found = self.positions(selector, start, stop)
        return found[-1] if found else None

    def _candidates(self, selector: Selector) -> list[int]:
        kinds = selector.types
        if len(kinds) == 1:
            return self.by_type.get(kinds[0], [])
        merged: list[int] = []
        for kind in kinds:
            merged.extend(self.by_type.get(kind, ()))
        merged.sort()
        return merged

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
        kind, _, field = need.partition(".")
        if kind in records:
            return True
        if not field:
            prefix = kind + "."
            return any(entry.startswith(prefix) for entry in records)
        return need in records


def _date_of(event: AnyEvent) -> date:
    return event.date
