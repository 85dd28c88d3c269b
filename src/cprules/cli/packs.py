"""``cprules packs`` (the bundled packs) and ``cprules pack validate|test|show`` (tools for
people who write packs)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import click

from cprules.cli.common import EXIT_BREACH, EXIT_OK, Failure, display_name, load_pack_arg
from cprules.cli.render import error_line, located, plural, rich_console
from cprules.errors import PackError
from cprules.pack.loader import Pack, bundled_pack_ids, load_pack, policies_dir, validate_pack

__all__ = ["pack_group", "packs"]


@click.command()
@click.option(
    "--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def packs(output_format: str) -> int:
    """List the bundled packs: id, version, rules, what each extends, title."""
    entries: list[dict[str, Any]] = []
    code = EXIT_OK
    for pack_id in bundled_pack_ids():
        try:
            pack = load_pack(pack_id)
        except PackError as exc:
            error_line(located(str(exc)))
            entries.append({"id": pack_id, "error": exc.reason})
            code = EXIT_BREACH
            continue
        entries.append(
            {
                "id": pack.id,
                "version": pack.version,
                "rules": len(pack.rules),
                "extends": pack.extends,
                "title": pack.title,
                "effective_from": pack.effective_from.isoformat() if pack.effective_from else None,
                "calendar": pack.calendar.name,
            }
        )
    if output_format == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return code
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for name, justify in (
        ("id", "left"),
        ("version", "left"),
        ("rules", "right"),
        ("extends", "left"),
        ("title", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for entry in entries:
        if "error" in entry:
            table.add_row(entry["id"], "", "", "", f"[red]does not load: {entry['error']}[/red]")
        else:
            table.add_row(
                entry["id"], entry["version"], str(entry["rules"]), entry["extends"] or "—", entry["title"]
            )
    rich_console().print(table)
    return code


@click.group("pack")
def pack_group() -> None:
    """Tools for people who write packs: validate, test, show."""


@pack_group.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
def pack_validate(paths: tuple[str, ...]) -> int:
    """Check packs (a folder, a pack.yaml, a bundled id, or - ) and their scenario test files.

    Every mistake is one line, FILE:LINE:COLUMN: rule ID: what is wrong and what to write.
    Exit 1 when there is one.
    """
    code = EXIT_OK
    for target in paths:
        problems, pack = _pack_problems(target)
        for problem in problems:
            error_line(located(problem))
        if problems:
            code = EXIT_BREACH
            click.echo(f"{display_name(target)}: {plural(len(problems), 'error')}")
        elif pack is not None:
            inherited = len(pack.chain) > 1
            rules = plural(len(pack.rules), "rule")
            click.echo(
                f"{display_name(target)}: ok — pack {pack.id} {pack.version}, {rules}"
                + (f" (extends {' -> '.join(pack.chain[1:])})" if inherited else "")
                + (f", {len(pack.disabled)} disabled" if pack.disabled else "")
            )
    return code


def _pack_problems(target: str) -> tuple[list[str], Pack | None]:
    """Every problem found in a pack and its scenario files, ordered by file and position."""
    from cprules.scenarios import load_scenarios

    pack: Pack | None = None
    problems: list[str] = []
    try:
        pack = load_pack_arg(target)
    except Failure as failure:
        problems.extend(failure.lines)
    except PackError as exc:
        problems.append(str(exc))
        if target != "-":
            problems.extend(str(e) for e in validate_pack(target) if str(e) not in problems)
    folder = _pack_folder(target, pack)
    if folder is not None:
        for path in sorted((folder / "tests").glob("*.yaml")):
            try:
                load_scenarios(path)
            except PackError as exc:
                problems.append(str(exc))
    return sorted(problems, key=_position_key), pack


def _pack_folder(target: str, pack: Pack | None) -> Path | None:
    if pack is not None:
        return pack.path.parent
    if target == "-":
        return None
    path = Path(target)
    if path.is_dir():
        return path
    if path.is_file():
        return path.parent
    bundled = policies_dir() / target
    return bundled if bundled.is_dir() else None


def _position_key(problem: str) -> tuple[str, int, int]:
    match = re.match(r"^(.+?):(\d+):(\d+): ", problem)
    if match is None:
        return ("", 0, 0)
    return (match.group(1), int(match.group(2)), int(match.group(3)))


@pack_group.command("test")
@click.argument("target", metavar="ID|PATH")
@click.option("-k", "keyword", metavar="TEXT", help="Run only scenarios whose name contains TEXT.")
@click.option("--verbose", "-v", is_flag=True, help="Name every scenario as it runs.")
def pack_test(target: str, keyword: str | None, verbose: bool) -> int:
    """Run a pack's YAML scenario tests (its tests/*.yaml), with a pytest-like summary.

    Exit 1 when a scenario fails or a test file cannot be read.
    """
    from cprules.scenarios import load_scenarios, run_scenario, scenario_files

    started = time.perf_counter()
    pack = load_pack_arg(target)
    files = scenario_files(pack) if target != "-" else []
    passed = failed = errors = 0
    failures: list[tuple[str, str, tuple[str, ...]]] = []
    click.echo(
        f"pack {pack.id} {pack.version}: {plural(len(files), 'scenario file')} in "
        f"{_short_path(pack.path.parent / 'tests')}"
    )
    for path in files:
        shown = _short_path(path)
        try:
            scenarios = load_scenarios(path)
        except PackError as exc:
            errors += 1
            click.echo(f"{shown} E")
            failures.append((shown, "could not be read", (str(exc),)))
            continue
        marks = []
        for scenario, line in scenarios:
            if keyword and keyword.lower() not in scenario.name.lower():
                continue
            problems = run_scenario(pack, scenario)
            if problems:
                failed += 1
                failures.append((f"{shown}:{line}", scenario.name, problems))
            else:
                passed += 1
            if verbose:
                click.echo(f"{shown}:{line} {scenario.name} {'FAILED' if problems else 'PASSED'}")
            marks.append("F" if problems else ".")
        if not verbose and marks:
            click.echo(f"{shown} {''.join(marks)}")
    for where, name, problems in failures:
        click.echo("")
        click.echo(f"FAILED {where}: {name}")
        for problem in problems:
            click.echo(f"    {problem}")
    parts = [f"{passed} passed"]
    if failed:
        parts.append(f"{failed} failed")
    if errors:
        parts.append(plural(errors, "error"))
    if not (passed or failed or errors):
        parts = ["no scenarios ran" + (f" matching -k {keyword}" if keyword else "")]
    click.echo(f"{', '.join(parts)} in {time.perf_counter() - started:.2f}s")
    return EXIT_BREACH if failed or errors else EXIT_OK


def _short_path(path: Path) -> str:
    """A path relative to the working directory when it is under it, else as it is."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@pack_group.command("show")
@click.argument("target", metavar="ID|PATH")
@click.option("--resolved", is_flag=True, help="The effective pack: extends, include and overrides applied.")
def pack_show(target: str, resolved: bool) -> int:
    """Print a pack as YAML: its pack.yaml as written, or with --resolved the effective rules."""
    pack = load_pack_arg(target)
    if not resolved:
        text = pack.path.read_text(encoding="utf-8") if target != "-" else ""
        click.echo(text, nl=not text.endswith("\n"))
        return EXIT_OK
    import yaml

    chain = " -> ".join(pack.chain)
    header = (
        f"# pack {pack.id} {pack.version}, resolved ({chain}); {plural(len(pack.rules), 'rule')}\n"
        f"# digest {pack.digest}\n"
    )
    body = yaml.safe_dump(pack.resolved(), sort_keys=False, allow_unicode=True, width=100)
    click.echo(header + body, nl=False)
    return EXIT_OK
