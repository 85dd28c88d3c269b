"""``cprules schema NAME``: the JSON Schema of a case, a pack, a finding or a report."""

from __future__ import annotations

import click

from cprules.cli.common import EXIT_OK

__all__ = ["schema"]


@click.command()
@click.argument("name", type=click.Choice(["case", "pack", "finding", "report"]))
def schema(name: str) -> int:
    """Print the JSON Schema of a case, a pack, a finding or a report."""
    from cprules.schemas import render

    click.echo(render(name), nl=False)
    return EXIT_OK
