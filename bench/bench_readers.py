"""Benchmark the CIN census reader: a synthetic census read end to end, and its peak memory.

Run it as a script (``python bench/bench_readers.py``) to print the figures and write them to
``bench/results/readers.json``. It writes a seeded, synthetic CIN census return of 50,000
children to a temporary folder (realistic shapes: one or two CIN episodes, a section 47 most
of the time, an ICPC, a plan with its reviews, some plans ended, some ``MUL`` categories, a
few duplicated plans and a few bad dates), then reads it with ``read_cases`` in a fresh
process, counting cases and errors and feeding the cases to ``DepartmentFigures``. Each read
runs in its own process so its peak RSS (``resource.getrusage``) is its own; a read of a
10,000-child return is timed beside it to show the memory stays flat as the file grows, and
the standard library's C ``iterparse`` over the same file (counting children, nothing more) is
timed beside it for scale: ``ratio_to_bare_iterparse`` compares runs across machines.
"""

from __future__ import annotations

import json
import multiprocessing
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import IO

_SRC = Path(__file__).resolve().parents[1] / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))  # run from a checkout without installing

__all__ = ["run", "write_census"]

RESULTS = Path(__file__).resolve().parent / "results" / "readers.json"

_SEED = 20250331
_CHILDREN = 50_000
_SMALL = 10_000
_CATEGORIES = ("NEG", "NEG", "NEG", "EMO", "EMO", "PHY", "SAB", "MUL")


def _day(d: date) -> str:
    return d.isoformat()


def _child(rng: random.Random, number: int, out: IO[str]) -> None:
    born = date(2006, 1, 1) + timedelta(days=rng.randrange(18 * 365))
    write = out.write
    write(f"<Child><ChildIdentifiers><LAchildID>SYN{number:07d}</LAchildID>")
    if rng.random() < 0.97:
        write(f"<PersonBirthDate>{_day(born)}</PersonBirthDate>")
    else:
        expected = date(2024, 6, 1) + timedelta(days=rng.randrange(200))
        write(f"<ExpectedPersonBirthDate>{_day(expected)}</ExpectedPersonBirthDate>")
    write("<GenderCurrent>1</GenderCurrent></ChildIdentifiers>")
    write("<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics>")
    start = date(2022, 4, 1) + timedelta(days=rng.randrange(3 * 365))
    for _ in range(1 if rng.random() < 0.85 else 2):
        referral = start - timedelta(days=rng.randrange(1, 10))
        write(f"<CINdetails><CINreferralDate>{_day(referral)}</CINreferralDate>")
        write("<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>")
        icpc = start + timedelta(days=rng.choice((14, 18, 21, 21, 22, 25, 28, 35)))
        bad = rng.random() < 0.002  # a system default date now and then
        s47_start = "1970-01-01" if bad else _day(start)
        if rng.random() < 0.9:
            write(f"<Section47><S47ActualStartDate>{s47_start}</S47ActualStartDate>")
            if rng.random() < 0.15:
                write("<ICPCnotRequired>true</ICPCnotRequired></Section47></CINdetails>")
                start = icpc + timedelta(days=rng.randrange(200, 500))
                continue
            write(f"<DateOfInitialCPC>{_day(icpc)}</DateOfInitialCPC>")
            write("<ICPCnotRequired>false</ICPCnotRequired></Section47>")
        plan = f"<ChildProtectionPlans><CPPstartDate>{_day(icpc)}</CPPstartDate>"
        months = rng.choice((2, 4, 7, 9, 11, 14, 20, 26))
        end = icpc + timedelta(days=30 * months + rng.randrange(20))
        if end <= date(2025, 3, 31):
            plan += f"<CPPendDate>{_day(end)}</CPPendDate>"
        category = rng.choice(_CATEGORIES)
        plan += f"<InitialCategoryOfAbuse>{category}</InitialCategoryOfAbuse>"
        plan += f"<LatestCategoryOfAbuse>{category}</LatestCategoryOfAbuse>"
        plan += "<NumberOfPreviousCPP>0</NumberOfPreviousCPP><Reviews>"
        review = icpc + timedelta(days=rng.choice((80, 85, 88, 95)))
        last = min(end, date(2025, 3, 31))
        while review < last:
            plan += f"<CPPreviewDate>{_day(review)}</CPPreviewDate>"
            review += timedelta(days=rng.choice((170, 175, 180, 190)))
        plan += "</Reviews></ChildProtectionPlans>"
        write(plan)
        if rng.random() < 0.01:
            write(plan)  # a plan listed twice
        write("</CINdetails>")
        if end > date(2025, 3, 31):
            break  # the plan is still open: no later episode
        start = end + timedelta(days=rng.randrange(60, 400))
    write("</Child>\n")


def write_census(path: Path, children: int, seed: int = _SEED) -> None:
    """Write a synthetic CIN census return of ``children`` children to ``path``."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<Message><Header><CollectionDetails>')
        out.write("<Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate>")
        out.write("</CollectionDetails><Source><LEA>999</LEA></Source></Header><Children>\n")
        for number in range(children):
            _child(rng, number, out)
        out.write("</Children></Message>\n")


def _read(path: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """In a fresh process: read the census end to end and report time and peak memory."""
    from cprules.calendar import WorkingCalendar
    from cprules.dfe import DepartmentFigures
    from cprules.errors import CaseError
    from cprules.readers import read_cases

    calendar = WorkingCalendar("GB", "ENG")
    figures = DepartmentFigures(2025, calendar)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cases = errors = events = 0
    started = time.perf_counter()
    for item in read_cases(path):
        if isinstance(item, CaseError):
            errors += 1
        else:
            cases += 1
            events += len(item.events)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for item in read_cases(path):
        if not isinstance(item, CaseError):
            figures.add(item)
    with_figures_seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # For scale (after the peak is taken), in the same process and moment: the standard
    # library's own (C) iterparse over the same file, only counting children and clearing them.
    from xml.etree.ElementTree import iterparse as bare_iterparse

    started = time.perf_counter()
    bare_children = 0
    for _, element in bare_iterparse(path):
        if element.tag == "Child":
            bare_children += 1
            element.clear()
    bare_seconds = time.perf_counter() - started
    results.put(
        {
            "cases": cases,
            "errors": errors,
            "events": events,
            "read_seconds": read_seconds,
            "read_and_figures_seconds": with_figures_seconds,
            "bare_iterparse_seconds": bare_seconds,
            "peak_rss_mb": peak_kb / 1024,
            "rss_before_reading_mb": baseline_kb / 1024,
            "icpc_within_15_working_days_percent": figures.to_dict()["figures"][
                "icpc_within_15_working_days"
            ]["percent"],
        }
    )


def _measure(path: Path) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_read, args=(str(path), queue))
    process.start()
    result: dict[str, float] = queue.get()
    process.join()
    return result


def run(children: int = _CHILDREN) -> dict[str, float]:
    """Generate, read and measure; return the figures."""
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "census.xml"
        small = Path(folder) / "census_small.xml"
        started = time.perf_counter()
        write_census(big, children)
        generate_seconds = time.perf_counter() - started
        write_census(small, _SMALL)
        measured = _measure(big)
        measured_small = _measure(small)
        size_mb = big.stat().st_size / 2**20
    children_read = measured["cases"] + measured["errors"]
    return {
        "children": children,
        "file_mb": size_mb,
        "generate_seconds": generate_seconds,
        "cases": measured["cases"],
        "case_errors": measured["errors"],
        "events": measured["events"],
        "read_seconds": measured["read_seconds"],
        "children_per_second": children_read / measured["read_seconds"],
        "read_and_figures_children_per_second": children_read / measured["read_and_figures_seconds"],
        "bare_iterparse_children_per_second": children_read / measured["bare_iterparse_seconds"],
        # machine-independent-ish: the reader's rate as a share of a bare C parse of the file
        "ratio_to_bare_iterparse": measured["bare_iterparse_seconds"] / measured["read_seconds"],
        "peak_rss_mb": measured["peak_rss_mb"],
        "rss_before_reading_mb": measured["rss_before_reading_mb"],
        f"peak_rss_mb_{_SMALL}_children": measured_small["peak_rss_mb"],
        f"children_per_second_{_SMALL}_children": (measured_small["cases"] + measured_small["errors"])
        / measured_small["read_seconds"],
        "icpc_within_15_working_days_percent": measured["icpc_within_15_working_days_percent"],
    }


def main() -> None:
    figures = run()
    for name, value in figures.items():
        if name.endswith("_seconds"):
            shown = f"{value:12.2f} s"
        elif name.endswith("_mb") or "_mb_" in name:
            shown = f"{value:12.1f} MiB"
        elif name.endswith("per_second") or "per_second_" in name:
            shown = f"{value:12,.0f}/s"
        elif name.startswith("ratio"):
            shown = f"{value:12.3f}"
        else:
            shown = (
                f"{value:12,.1f}"
                if isinstance(value, float) and not value.is_integer()
                else f"{value:12,.0f}"
            )
        print(f"{name:46} {shown}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "figures": figures,
        "environment": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "pydantic": version("pydantic"),
            "defusedxml": version("defusedxml"),
            "machine": platform.machine(),
        },
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
