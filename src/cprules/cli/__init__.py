"""The command line (``cprules``): the only part of cprules that prints.

A command a module; this one only builds the group and wires the commands into it:

- ``cprules check``: :mod:`cprules.cli.check`
- ``cprules batch``: :mod:`cprules.cli.batch`
- ``cprules compare``: :mod:`cprules.cli.compare`
- ``cprules packs`` and ``cprules pack validate|test|show|new``: :mod:`cprules.cli.packs`
- ``cprules pack diff``: :mod:`cprules.cli.packdiff`
- ``cprules schema``: :mod:`cprules.cli.schema`
- ``cprules calendar add|between``: :mod:`cprules.cli.calendar`
- ``cprules timeline``: :mod:`cprules.cli.timeline`

What the commands share (the exit codes, the date parameter, reading packs and cases) is in
:mod:`cprules.cli.common`; what they show (tables, CSV cells, error lines) in
:mod:`cprules.cli.render`. ``-`` reads standard input wherever a file is read.

Example (``python -m cprules`` is the same program)::

    cprules check examples/stoke-late-core-group.yaml --pack stoke --as-of 2024-06-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import click

from cprules.cli.batch import batch
from cprules.cli.calendar import calendar_group
from cprules.cli.check import check
from cprules.cli.common import EXIT_OK, CprulesGroup
from cprules.cli.compare import compare
from cprules.cli.packdiff import pack_diff
from cprules.cli.packs import pack_group, packs
from cprules.cli.schema import schema
from cprules.cli.timeline import timeline

__all__ = ["cli", "main"]


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value:
        return
    from cprules.engine import ENGINE_VERSION

    click.echo(f"cprules {ENGINE_VERSION['cprules']} (holidays {ENGINE_VERSION['holidays']})")
    ctx.exit(EXIT_OK)


cli = CprulesGroup(
    name="cprules",
    help=(
        "Check child protection case timelines against an authority's procedure.\n\n"
        "A case (YAML or JSON) and a policy pack in; cited findings out: what was on time, "
        "what was late and by how many working days, what is overdue and what falls due next."
    ),
    params=[
        click.Option(
            ["--version"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            help="Show the version and exit.",
            callback=_print_version,
        )
    ],
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
for command in (check, batch, compare, timeline, packs, pack_group, schema, calendar_group):
    cli.add_command(command)
pack_group.add_command(pack_diff)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``cprules`` console script (and ``python -m cprules``).

    Example::

        main(["check", "case.yaml", "--pack", "england"])   # exits with the command's code
    """
    cli.main(args=argv, prog_name="cprules")
