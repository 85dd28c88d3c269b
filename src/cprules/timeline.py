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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from cprules.calendar import WorkingCalendar
from cprules.case import AnyEvent, Case, Episode
from cprules.pack.model import REFUTABLE_FIELD, UNSETTLED, Selector
from cprules.words import REASON_TEXT, happened

__all__ = ["Closure", "Refutation", "Selection", "Timeline", "birthday"]


class Selection(NamedTuple):
    """What one selector makes of a timeline's events, as positions in timeline order."""

    sure: list[int]
    """The events it surely accepts."""
    unknown: list[int]
    """The events it may accept: a tested field is empty (or the child's age is unknown)."""
    possible: list[int]
    """Both, merged."""


_NOTHING = Selection([], [], [])


class Closure(NamedTuple):
    """When the window of an obligation closed before it was met (SPEC §3, "When an
    obligation ends"): the plan ended, the child turned 18, or the child moved away."""

    on: date
    """The day the window closed."""
    text: str
    """What closed it, as a clause: 'the plan ended on 2024-06-06 (plan end pe)'."""
    event: AnyEvent | None
    """The event that closed it (None for the 18th birthday)."""


class Refutation(NamedTuple):
    """A plan end's recorded reason that the timeline itself refutes (SPEC §4)."""

    text: str
    """Both facts, as a clause: 'the plan end pe on ... gives its reason as ..., but ...'."""
    evidence: tuple[AnyEvent, ...]
    """The events that refute it (none when the date of birth does)."""
    because: str = ""
    """What refutes it, as the clause after 'but': 'the date of birth, ..., shows ...'."""


def birthday(born: date, age: int) -> date:
    """The day a child born on ``born`` turns ``age`` (29 February: 28 February in other years).

    >>> birthday(date(2008, 2, 29), 18)
    datetime.date(2026, 2, 28)
    """
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return born.replace(year=born.year + age, day=28)


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
    """The child's date of birth, or the day of a recorded ``birth`` event."""
    eighteenth: date | None
    """The child's 18th birthday, when the date of birth is known."""
    records: frozenset[str] | None
    _selections: dict[str, Selection] = field(default_factory=dict, init=False, repr=False, compare=False)
    _plan_ends: dict[int, Closure] = field(default_factory=dict, init=False, repr=False, compare=False)
    _refuted: list[frozenset[int]] = field(default_factory=list, init=False, repr=False, compare=False)

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
        birth = case.child.date_of_birth
        if birth is None:
            births = by_type.get("birth")
            if births:
                birth = events[births[0]].date
        return cls(
            case=case,
            as_of=as_of,
            calendar=calendar,
            events=events,
            by_type=by_type,
            episodes=tuple(episodes),
            episode_at=tuple(episode_at),
            birth=birth,
            eighteenth=birthday(birth, 18) if birth is not None else None,
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
                # a plan end's reason the timeline refutes is not taken on trust (SPEC §4)
                refuted: frozenset[int] | tuple[()] = ()
                if REFUTABLE_FIELD in selector.where and "plan_end" in kinds:
                    refuted = self.refuted_ends()
                sure, unknown = selector.classify(
                    self.events, candidates, self.birth, self.implied, refuted=refuted
                )
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

    # -- when obligations end, and facts the case settles ----------------------------------------

    def closure(self, position: int) -> Closure | None:
        """When the window of an obligation set by the event at ``position`` closed, if it has
        by ``as_of`` (SPEC §3): the end of the plan the event belongs to (unless the event is
        that plan's end), the child's 18th birthday, or, for an event outside any plan, notice
        of a permanent move out of the area; the earliest of them.

        >>> from cprules.case import parse_case
        >>> case = parse_case({"case_id": "T", "events": [
        ...     {"id": "ps", "type": "plan_start", "date": "2024-03-01"},
        ...     {"id": "cg", "type": "core_group", "date": "2024-03-05", "status": "held"},
        ...     {"id": "pe", "type": "plan_end", "date": "2024-03-07"}]})
        >>> timeline = Timeline.build(case, date(2024, 6, 1), WorkingCalendar())
        >>> timeline.closure(1).text, timeline.closure(2)
        ('the plan ended on 2024-03-07 (plan end pe)', None)
        """
        events = self.events
        event = events[position]
        found: Closure | None = None
        number = self.episode_at[position]
        if number is not None:
            end = self.episodes[number - 1].end_index
            if end is not None and end > position:
                found = self._plan_ends.get(number)
                if found is None:  # the same for every obligation of the plan: built once
                    found = self._plan_ends[number] = Closure(
                        events[end].date, happened(events[end]), events[end]
                    )
        else:
            for other in self.by_type.get("move_notified", ()):
                if other <= position:
                    continue
                notice = events[other]
                if getattr(notice, "direction", None) == "out" and getattr(notice, "permanent", None) is True:
                    found = Closure(
                        notice.date, f"the child moved away permanently ({happened(notice)})", notice
                    )
                    break
        eighteenth = self.eighteenth
        if (
            eighteenth is not None
            and event.date < eighteenth <= self.as_of
            and (found is None or eighteenth < found.on)
        ):
            found = Closure(eighteenth, f"the child turned 18 on {eighteenth.isoformat()}", None)
        return found

    def implied(self, event: AnyEvent, field: str) -> object:
        """The value the case settles for an empty field of ``event``, or None (see
        :class:`~cprules.pack.model.Selector`): an ICPC on or after the child's birth was not a
        pre-birth conference; a strategy discussion before it (or while only an expected delivery
        date is known) concerned an unborn child; an ICPC held during an interim plan that an
        adjourned ICPC opened reconvenes it; a review conference keeps the plan's categories
        of harm; a conference that does not say who held it was this authority's; a plan end
        that names no deciding conference was decided by the plan's review conference that
        decided to cease it, if one did, and may have been (:data:`~cprules.pack.model.UNSETTLED`)
        when none did and the plan's last review conference records no outcome; a visit at which
        the child was not seen (not seen, no access, refused) did not see the child alone or
        awake, and one with no access did not see the bedroom."""
        kind: str = event.type  # type: ignore[attr-defined]
        if kind == "visit":
            # a visit at which the child was not seen saw the child neither alone nor awake; one
            # with no access to the home did not see the bedroom
            outcome = getattr(event, "outcome", None)
            if field in _SEEN_FIELDS and outcome in _UNSEEN:
                return False
            if field == "bedroom_seen" and outcome == "no_access":
                return False
            return None
        if kind == "icpc" and field == "prebirth":
            birth = self.birth
            return False if birth is not None and birth <= event.date else None
        if kind == "strategy_discussion" and field == "prebirth":
            # before the date of birth, or while the case knows only an expected delivery date
            birth = self.birth
            if birth is not None:
                return event.date < birth
            return True if self.case.child.expected_delivery_date is not None else None
        if kind == "review_conference" and field == "categories":
            return self.plan_categories(self.case.positions_by_id[event.id])
        if field == "held_by" and kind in ("icpc", "review_conference", "transfer_in_conference"):
            return "this_authority"  # a conference that does not say who held it is this authority's
        if kind == "icpc" and field == "reconvened_from":
            return self._reconvening(event)
        if kind == "plan_end" and field == "decided_at":
            position = self.case.positions_by_id[event.id]
            decided = self.deciding_review(position)
            if decided is None and self.undecided_review(position) is not None:
                return UNSETTLED
            return decided
        return None

    def _reconvening(self, event: AnyEvent) -> object:
        """The adjourned initial conference that an ICPC naming none reconvenes, as the case
        settles it: one held while an interim plan is open that an adjourned ICPC opened (the
        child is on an interim plan until the conference reconvenes) reconvenes that conference;
        when that plan start does not say whether it was interim, it may have
        (:data:`~cprules.pack.model.UNSETTLED`). None otherwise."""
        position = self.case.positions_by_id[event.id]
        number = self.episode_at[position] if position < len(self.events) else None
        if number is None:
            return None
        episode = self.episodes[number - 1]
        opener = episode.opened_by_index
        if opener is None or episode.start_index >= position or opener >= position:
            return None
        opening = self.events[opener]
        if opening.type != "icpc" or getattr(opening, "outcome", None) != "adjourned":  # type: ignore[attr-defined]
            return None
        interim = getattr(self.events[episode.start_index], "interim", None)
        if interim is True:
            return str(opening.id)
        return UNSETTLED if interim is None else None

    def deciding_review(self, position: int) -> str | None:
        """The id of the review conference that decided to end the plan whose end is at
        ``position``, for a plan end that names none: this authority's last review conference
        of the plan, on or before its end, that decided to cease it. None when there is none."""
        for review in self._own_reviews_before(position):
            if getattr(review, "outcome", None) == "cease":
                return str(review.id)
        return None

    def undecided_review(self, position: int) -> AnyEvent | None:
        """The plan's last review conference (this authority's) that sat and decided, before the
        plan end at ``position``, when it records no outcome: it may have decided to end the
        plan. A postponed review did not sit and an adjourned one decided nothing, so neither
        is the last. None when the last one records an outcome, or there is none."""
        for review in self._own_reviews_before(position):
            outcome = getattr(review, "outcome", None)
            if outcome in ("postponed", "adjourned"):
                continue
            return review if outcome is None else None
        return None

    def _own_reviews_before(self, position: int) -> Iterator[AnyEvent]:
        """This authority's review conferences of the plan the event at ``position`` belongs
        to, before it, latest first (none when the event is in no plan)."""
        number = self.episode_at[position] if position < len(self.events) else None
        if number is None:
            return
        episode = self.episodes[number - 1]
        start = episode.opened_by_index if episode.opened_by_index is not None else episode.start_index
        for earlier in reversed(self.by_type.get("review_conference", ())):
            if start <= earlier < position:
                review = self.events[earlier]
                if getattr(review, "held_by", None) != "receiving_authority":
                    yield review

    def plan_categories(self, position: int) -> tuple[str, ...] | None:
        """The categories of harm of the plan the event at ``position`` belongs to, as last
        recorded before it: an earlier review conference, the plan start, the conference that
        made the plan. None when none records them."""
        number = self.episode_at[position] if position < len(self.events) else None
        if number is None:
            return None
        episode = self.episodes[number - 1]
        events = self.events
        for review in self._own_reviews_before(position):
            recorded: tuple[str, ...] | None = getattr(review, "categories", None)
            if recorded is not None:
                return recorded
        for source in (episode.start_index, episode.opened_by_index):
            if source is not None and source < position:
                found: tuple[str, ...] | None = getattr(events[source], "categories", None)
                if found is not None:
                    return found
        return None

    def refuted(self, position: int) -> Refutation | None:
        """Whether the timeline refutes the reason recorded on the plan end at ``position``
        (SPEC §4): ``turned_18`` for a child the date of birth shows was not 18 that day,
        ``died`` for a child seen at a later visit, ``moved_out`` with no move recorded (no
        notice of a move out and no transfer-in conference of the receiving authority).

        >>> from cprules.case import parse_case
        >>> case = parse_case({"case_id": "T", "child": {"date_of_birth": "2014-05-01"}, "events": [
        ...     {"id": "ps", "type": "plan_start", "date": "2024-03-01"},
        ...     {"id": "pe", "type": "plan_end", "date": "2024-06-03", "reason": "turned_18"}]})
        >>> print(Timeline.build(case, date(2024, 7, 1), WorkingCalendar()).refuted(1).text)
        ... # doctest: +NORMALIZE_WHITESPACE
        the plan end pe on 2024-06-03 gives its reason as the child turned 18, but the date of
        birth, 2014-05-01, shows the child was 10 that day (18 on 2032-05-01)
        """
        events = self.events
        end = events[position]
        reason: str | None = getattr(end, "reason", None)
        claim = f"{end.label} gives its reason as {REASON_TEXT.get(reason or '', 'unknown')}"
        if reason == "turned_18":
            eighteenth = self.eighteenth
            birth = self.birth
            if birth is None or eighteenth is None or end.date >= eighteenth:
                return None
            age = end.date.year - birth.year - ((end.date.month, end.date.day) < (birth.month, birth.day))
            because = (
                f"the date of birth, {birth.isoformat()}, shows the child was {age} that day "
                f"(18 on {eighteenth.isoformat()})"
            )
            return Refutation(f"{claim}, but {because}", (), because)
        if reason == "died":
            for other in self.by_type.get("visit", ()):
                visit = events[other]
                if visit.date > end.date and getattr(visit, "outcome", None) == "seen":
                    because = f"the child was seen afterwards, at {visit.label}"
                    return Refutation(f"{claim}, but {because}", (visit,), because)
            return None
        if reason == "moved_out":
            if not self.recorded("move_notified"):
                return None  # the source cannot show a move either way
            number = self.episode_at[position]
            if number is None:
                return None
            start, _ = self.episode_bounds(number)
            for other in self.by_type.get("move_notified", ()):
                notice = events[other]
                if (
                    other >= start
                    and getattr(notice, "direction", None) != "in"
                    and getattr(notice, "permanent", None) is not False
                ):
                    return None
            opener = self.episodes[number - 1].opened_by_index
            for other in self.by_type.get("transfer_in_conference", ()):
                if start <= other < position and other != opener:
                    return None
            because = (
                "no move is recorded: no notice of a move out of the area and no transfer-in "
                "conference of the receiving authority"
            )
            return Refutation(f"{claim}, but {because}", (), because)
        return None

    def refuted_ends(self) -> frozenset[int]:
        """The positions of the plan ends whose recorded reason the timeline refutes (worked out
        once per timeline)."""
        if not self._refuted:
            self._refuted.append(
                frozenset(p for p in self.by_type.get("plan_end", ()) if self.refuted(p) is not None)
            )
        return self._refuted[0]

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


#: a visit's outcomes at which the child was not seen, and the facts that then cannot hold
_UNSEEN = frozenset({"not_seen", "no_access", "refused"})
_SEEN_FIELDS = frozenset({"seen_alone", "child_awake"})


def _between(positions: list[int], start: int, stop: int | None) -> list[int]:
    """The positions (sorted) in ``[start, stop)``, as a new list."""
    low = bisect_left(positions, start) if start > 0 else 0
    high = len(positions) if stop is None else bisect_left(positions, stop)
    return positions[low:high]


def _date_of(event: AnyEvent) -> date:
    return event.date
