"""``cprules packs`` (the bundled packs) and ``cprules pack validate|test|show|new`` (tools for
people who write packs; ``pack diff`` is :mod:`cprules.cli.packdiff`)."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from cprules.cli.common import (
    EXIT_BREACH,
    EXIT_OK,
    Failure,
    display_name,
    load_pack_arg,
    today_in_london,
)
from cprules.cli.render import echo, error_line, located, plural, rich_console
from cprules.errors import PackError
from cprules.output import printable
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
        echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return code
    from rich import box
    from rich.table import Table
    from rich.text import Text

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
            table.add_row(entry["id"], "", "", "", Text(f"does not load: {entry['error']}", style="red"))
        else:
            table.add_row(
                entry["id"], entry["version"], str(entry["rules"]), entry["extends"] or "—", entry["title"]
            )
    rich_console().print(table)
    return code


@click.group("pack")
def pack_group() -> None:
    """Tools for people who write packs: validate, test, show, new, diff."""


@pack_group.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
def pack_validate(paths: tuple[str, ...]) -> int:
    """Check packs (a folder, a pack.yaml, a bundled id, or - ) and their scenario test files.

    Every mistake is one line, FILE:LINE:COLUMN: rule ID: what is wrong and what to write, all
    of them in one run, in file and position order. Exit 1 when there is one.
    """
    code = EXIT_OK
    for target in paths:
        problems, pack = _pack_problems(target)
        for problem in problems:
            error_line(located(problem))
        if problems:
            code = EXIT_BREACH
            echo(f"{display_name(target)}: {plural(len(problems), 'error')}")
        elif pack is not None:
            inherited = len(pack.chain) > 1
            rules = plural(len(pack.rules), "rule")
            echo(
                f"{display_name(target)}: ok — pack {pack.id} {pack.version}, {rules}"
                + (f" (extends {' -> '.join(pack.chain[1:])})" if inherited else "")
                + (f", {len(pack.disabled)} disabled" if pack.disabled else "")
            )
    return code


def _pack_problems(target: str) -> tuple[list[str], Pack | None]:
    """Every problem found in a pack and its scenario files, ordered by file and position."""
    from cprules.scenarios import check_scenario_file

    shown_as: tuple[str, str] | None = None
    if target == "-":
        path = _stdin_pack()
        shown_as = (str(path), "<stdin>")
        errors = validate_pack(path)
    else:
        errors = validate_pack(target)
    pack: Pack | None = None
    if not errors:
        pack = load_pack(shown_as[0] if shown_as else target)
    problems = [str(error) for error in errors]
    folder = _pack_folder(target, pack) if target != "-" else None
    if folder is not None:
        for path in sorted((folder / "tests").glob("*.yaml")):
            problems.extend(str(error) for error in check_scenario_file(path, pack)[1])
    if shown_as is not None:
        problems = [problem.replace(shown_as[0], shown_as[1]) for problem in problems]
    return sorted(problems, key=_position_key), pack


def _stdin_pack() -> Path:
    """Standard input as a pack.yaml in a folder of its own (removed when the command ends)."""
    ctx = click.get_current_context()
    folder = Path(ctx.with_resource(tempfile.TemporaryDirectory(prefix="cprules-pack-")))
    path = folder / "pack.yaml"
    path.write_bytes(sys.stdin.buffer.read())
    return path


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


#: exit code when no scenario ran (as pytest's "no tests collected")
EXIT_NO_TESTS = 5


@pack_group.command("test")
@click.argument("target", metavar="ID|PATH")
@click.option("-k", "keyword", metavar="TEXT", help="Run only scenarios whose name contains TEXT.")
@click.option("--verbose", "-v", is_flag=True, help="Name every scenario as it runs.")
@click.option("--exitfirst", "-x", is_flag=True, help="Stop at the first scenario that fails.")
@click.option(
    "--junit-xml",
    "junit_path",
    metavar="FILE",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the results as JUnit XML (for a CI to show).",
)
def pack_test(
    target: str, keyword: str | None, verbose: bool, exitfirst: bool, junit_path: str | None
) -> int:
    """Run a pack's YAML scenario tests (its tests/*.yaml), with a pytest-like summary.

    Exit 1 when a scenario fails or a test file has a mistake, 5 when no scenario ran.
    """
    from cprules.scenarios import ScenarioResult, junit_xml, run_pack_tests, scenario_files

    started = time.perf_counter()
    pack = load_pack_arg(target)
    files = scenario_files(pack) if target != "-" else []
    echo(
        f"pack {pack.id} {pack.version}: {plural(len(files), 'scenario file')} in "
        f"{_short_path(pack.path.parent / 'tests')}"
    )
    results = run_pack_tests(pack, keyword=keyword, exitfirst=exitfirst, files=files)
    by_file: dict[str, list[ScenarioResult]] = {}
    for result in results:
        by_file.setdefault(result.file, []).append(result)
    for file, group in by_file.items():
        shown = _short_path(Path(file))
        if verbose:
            for result in group:
                outcome = "PASSED" if result.passed else "ERROR" if result.errors else "FAILED"
                echo(f"{shown}:{result.line} {printable(result.name)} {outcome}")
        else:
            marks = "".join("." if r.passed else "E" if r.errors else "F" for r in group)
            echo(f"{shown} {marks}")
    for result in results:
        if result.passed:
            continue
        echo("")
        label = "ERROR" if result.errors else "FAILED"
        echo(f"{label} {_short_path(Path(result.file))}:{result.line}: {printable(result.name)}")
        for problem in (*result.errors, *result.failures):
            # a failure lists what the rule gave one finding a line: keep the lines, escape the rest
            echo(f"    {_printable_lines(problem)}")
    passed = sum(1 for r in results if r.passed)
    failed = sum(1 for r in results if r.failures and not r.errors)
    errors = sum(1 for r in results if r.errors)
    elapsed = time.perf_counter() - started
    if junit_path is not None:
        Path(junit_path).write_text(junit_xml(results, pack_id=pack.id, seconds=elapsed), encoding="utf-8")
    parts = [f"{passed} passed"]
    if failed:
        parts.append(f"{failed} failed")
    if errors:
        parts.append(plural(errors, "error"))
    if not results:
        parts = ["no scenarios ran" + (f" matching -k {printable(keyword)}" if keyword else "")]
    stopped = " (stopped at the first failure: -x)" if exitfirst and (failed or errors) else ""
    echo(f"{', '.join(parts)} in {elapsed:.2f}s{stopped}")
    if not results:
        return EXIT_NO_TESTS
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
@click.option(
    "--origin", is_flag=True, help="With --resolved: say where each rule and changed field came from."
)
def pack_show(target: str, resolved: bool, origin: bool) -> int:
    """Print a pack as YAML: its pack.yaml as written, or with --resolved the effective pack.

    The resolved pack is a pack of its own (no extends, no overrides, no disabled rules): saved
    as a pack.yaml, it loads to the same digest.
    """
    if origin and not resolved:
        raise click.UsageError("--origin goes with --resolved")
    pack = load_pack_arg(target)
    if not resolved:
        text = pack.path.read_text(encoding="utf-8") if target != "-" else ""
        echo(text, nl=not text.endswith("\n"))
        return EXIT_OK
    from cprules.pack.resolved import resolved_yaml

    echo(_printable_lines(resolved_yaml(pack, origin=origin)), nl=False)
    return EXIT_OK


def _printable_lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.split("\n"))


@pack_group.command("new")
@click.argument("pack_id", metavar="ID")
@click.option(
    "--extends",
    "extends",
    default="england",
    show_default=True,
    metavar="ID|PATH",
    help="The pack the new one builds on: a bundled id or a pack folder.",
)
@click.option(
    "--dir",
    "folder",
    default=".",
    show_default=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Where to make the pack's folder (DIR/ID); the pack schema is written to DIR for editors.",
)
@click.option("--title", metavar="TEXT", help="The pack's title. Default: made from ID.")
def pack_new(pack_id: str, extends: str, folder: str, title: str | None) -> int:
    """Make a pack folder that works at once: pack.yaml, README.md, tests/example.yaml.

    \b
    Example:
      cprules pack new mine --extends england --dir policies
      cprules pack test policies/mine
    """
    from cprules.pack.scaffold import scaffold
    from cprules.scenarios import run_pack_tests
    from cprules.schemas import write_pack_schema

    root = Path(folder)
    target = root / pack_id
    if target.exists() and any(target.iterdir()):
        raise Failure(f"error: {target}: already exists and is not empty; choose another ID or --dir")
    parent = load_pack_arg(extends)
    if extends in bundled_pack_ids() and not Path(extends).exists():
        written_extends = extends
    else:
        relative = Path(os.path.relpath(parent.path.parent.resolve(), target.resolve()))
        written_extends = (
            relative.as_posix() if relative.as_posix().startswith(".") else f"./{relative.as_posix()}"
        )
    try:
        files = scaffold(
            pack_id, parent=parent, extends=written_extends, today=today_in_london(), title=title
        )
    except ValueError as exc:
        raise Failure(f"error: {exc}") from None
    schema_path, schema_changed = write_pack_schema(root)
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        echo(f"wrote {path}")
    if schema_changed:
        echo(f"wrote {schema_path} (editors check pack.yaml against it)")
    problems = [str(error) for error in validate_pack(target)]
    for problem in problems:
        error_line(located(problem))
    if problems:
        return EXIT_BREACH
    results = run_pack_tests(target)
    passed = sum(1 for result in results if result.passed)
    echo(
        f"pack {pack_id}: validates; {passed} of {plural(len(results), 'scenario')} passed. "
        f"Next: edit {target / 'pack.yaml'}, then cprules pack validate {target}"
    )
    return EXIT_OK if passed == len(results) else EXIT_BREACH
