"""``cprules calendar add|between``: working-day arithmetic in a pack's calendar."""

from __future__ import annotations

from datetime import date

import click

from cprules.cli.common import DATE, EXIT_OK, PACK_HELP, load_pack_arg
from cprules.cli.render import plural

__all__ = ["calendar_group"]


@click.group("calendar")
def calendar_group() -> None:
    """Working-day arithmetic in a pack's calendar (weekends, public holidays, closures)."""


@calendar_group.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("day", metavar="DATE", type=DATE)
@click.argument("count", metavar="N", type=int)
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=PACK_HELP)
def calendar_add(day: date, count: int, pack_name: str) -> int:
    """The date N working days after DATE (before it when N is negative).

    Day 1 is the first working day after DATE, whatever DATE is.

    \b
    Example:
      cprules calendar add 2024-03-19 10 --pack england
    """
    calendar = load_pack_arg(pack_name).calendar
    result = calendar.add_working_days(day, count)
    click.echo(f"{result.isoformat()} ({result:%A})")
    # the days counted are those after DATE up to the result, or from the result up to DATE's eve
    if count >= 0:
        skipped = calendar.describe_skipped(day, result)
    else:
        skipped = calendar.describe_skipped(result, _day_before(day))
    direction = "after" if count >= 0 else "before"
    click.echo(
        f"{plural(abs(count), 'working day')} {direction} {day:%a} {day.isoformat()} "
        f"in the {calendar.name} calendar" + (f", {skipped}" if skipped else ", no holidays skipped")
    )
    return EXIT_OK


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


@calendar_group.command("between")
@click.argument("start", metavar="A", type=DATE)
@click.argument("end", metavar="B", type=DATE)
@click.option("--pack", "pack_name", required=True, metavar="ID|PATH", help=PACK_HELP)
def calendar_between(start: date, end: date, pack_name: str) -> int:
    """The number of working days after A up to and including B (negative when B is before A).

    \b
    Example:
      cprules calendar between 2024-04-04 2024-04-05 --pack england    # 1: a day late
    """
    calendar = load_pack_arg(pack_name).calendar
    count = calendar.working_days_between(start, end)
    click.echo(str(count))
    low, high = (start, end) if start <= end else (end, start)
    skipped = calendar.describe_skipped(low, high)
    click.echo(
        f"working days after {low:%a} {low.isoformat()} up to {high:%a} {high.isoformat()} "
        f"in the {calendar.name} calendar" + (f", {skipped}" if skipped else ", no holidays skipped")
    )
    return EXIT_OK
