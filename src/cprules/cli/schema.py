"""``cprules schema NAME``: the JSON Schema of a case, a pack, a finding or a report; and
``cprules schema pack --write DIR``, the pack schema as a file for editors."""

from __future__ import annotations

from pathlib import Path

import click

from cprules.cli.common import EXIT_OK

__all__ = ["schema"]


@click.command()
@click.argument("name", type=click.Choice(["case", "pack", "finding", "report"]))
@click.option(
    "--write",
    "folder",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="With pack: write DIR/pack.schema.json, which a pack in DIR/<id>/ names as ../pack.schema.json.",
)
def schema(name: str, folder: str | None) -> int:
    """Print the JSON Schema of a case, a pack, a finding or a report.

    \b
    Example (the first line of a pack.yaml in policies/mine/ then names it):
      cprules schema pack --write policies
      # yaml-language-server: $schema=../pack.schema.json
    """
    from cprules.schemas import render, write_pack_schema

    if folder is None:
        click.echo(render(name), nl=False)
        return EXIT_OK
    if name != "pack":
        raise click.UsageError("--write is for the pack schema: cprules schema pack --write DIR")
    path, changed = write_pack_schema(Path(folder))
    click.echo(f"wrote {path}" if changed else f"{path}: already up to date")
    return EXIT_OK
