"""Benchmark the CSC API payload reader: a synthetic daily file read end to end, and its peak memory.

Run it as a script (``python bench/bench_csc.py``) to print the figures and write them to
``bench/results/csc.json``. It writes a seeded, synthetic file of 50,000 children's payloads
(realistic shapes: the personal fields the Department's structure carries, one or two social
care episodes, a section 47 most of the time, an ICPC, a plan, some plans ended, a looked
after placement now and then, child in need plans, workers, assessments; 1% of plans and
0.5% of children withdrawn with ``purge: true``; a few bad dates) twice: as JSON Lines and as
one JSON list (the body the pipeline posts). Each is read with ``read_cases`` in a fresh
process: once counting cases, errors and events; once feeding the cases to
``DepartmentFigures``; once evaluating every case under the England pack. Its peak RSS
(``resource.getrusage``) is the process's own; a file of 10,000 children is read the same way
beside it, so a flat memory shows as the same peak for both sizes. ``json.loads`` of every line
of the JSON Lines file is timed in the same process for scale: ``ratio_to_json_loads`` compares
runs across machines.
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
from typing import Any

_SRC = Path(__file__).resolve().parents[1] / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))  # run from a checkout without installing

__all__ = ["run", "write_payloads"]

RESULTS = Path(__file__).resolve().parent / "results" / "csc.json"

_SEED = 20250331
_CHILDREN = 50_000
_SMALL = 10_000
_LAST_DAY = date(2025, 3, 31)


def _day(d: date) -> str:
    return d.isoformat()


def _episode(rng: random.Random, number: int, e: int, start: date) -> tuple[dict[str, Any], date | None]:
    """One social care episode from ``start``; the day a later episode may begin (None: still open)."""
    ident = f"{number}E{e}"
    referral = start - timedelta(days=rng.randrange(1, 10))
    episode: dict[str, Any] = {
        "social_care_episode_id": ident,
        "referral_date": _day(referral),
        "referral_source": rng.choice(("1A", "1B", "2A", "3A", "5A")),
        "referral_no_further_action_flag": False,
        "care_worker_details": [{"worker_id": f"SW{rng.randrange(10**6):06d}", "start_date": _day(referral)}],
        "child_and_family_assessments": [
            {
                "child_and_family_assessment_id": f"{ident}A",
                "start_date": _day(referral),
                "authorisation_date": _day(referral + timedelta(days=30)),
                "factors": ["1C", "4A"],
                "purge": False,
            }
        ],
        "child_in_need_plans": [],
        "section_47_assessments": [],
        "child_protection_plans": [],
        "child_looked_after_placements": [],
        "purge": False,
    }
    icpc = start + timedelta(days=rng.choice((14, 18, 21, 21, 22, 25, 28, 35)))
    bad = rng.random() < 0.002  # a system default date now and then
    s47: dict[str, Any] = {
        "section_47_assessment_id": f"{ident}S",
        "start_date": "1970-01-01" if bad else _day(start),
        "end_date": _day(icpc - timedelta(days=2)),
        "purge": False,
    }
    if rng.random() < 0.15:
        s47["icpc_required_flag"] = False
        episode["section_47_assessments"].append(s47)
        episode["closure_date"] = _day(icpc)
        episode["closure_reason"] = "RC8"
        return episode, icpc + timedelta(days=rng.randrange(200, 500))
    s47["icpc_required_flag"] = True
    s47["icpc_date"] = _day(icpc)
    episode["section_47_assessments"].append(s47)
    months = rng.choice((2, 4, 7, 9, 11, 14, 20, 26))
    end = icpc + timedelta(days=30 * months + rng.randrange(20))
    plan: dict[str, Any] = {"child_protection_plan_id": f"{ident}P", "start_date": _day(icpc), "purge": False}
    if end <= _LAST_DAY:
        plan["end_date"] = _day(end)
    if rng.random() < 0.01:
        plan["purge"] = True  # withdrawn by the authority
    episode["child_protection_plans"].append(plan)
    if rng.random() < 0.08:
        taken = icpc + timedelta(days=rng.randrange(20, 200))
        placement: dict[str, Any] = {
            "child_looked_after_placement_id": f"{ident}L",
            "start_date": _day(taken),
            "start_reason": "S",
            "placement_type": rng.choice(("U1", "U3", "U4", "K2")),
            "postcode": "AB1 2CD",
            "change_reason": "CARPL",
            "purge": False,
        }
        episode["child_looked_after_placements"].append(placement)
    if end > _LAST_DAY:
        return episode, None
    episode["child_in_need_plans"].append(
        {
            "child_in_need_plan_id": f"{ident}N",
            "start_date": _day(end),
            "end_date": _day(end + timedelta(days=90)),
            "purge": False,
        }
    )
    episode["closure_date"] = _day(end + timedelta(days=90))
    episode["closure_reason"] = "RC7"
    return episode, end + timedelta(days=rng.randrange(60, 400))


def _payload(rng: random.Random, number: int) -> dict[str, Any]:
    child_id = f"SYN{number:07d}"
    if rng.random() < 0.005:
        return {"la_child_id": child_id, "mis_child_id": f"M{number}", "purge": True}  # a deletion
    born = date(2006, 1, 1) + timedelta(days=rng.randrange(18 * 365))
    details: dict[str, Any] = {
        "unique_pupil_number": f"A{rng.randrange(10**12):012d}",
        "first_name": "Firstname",
        "surname": "Surname",
        "sex": rng.choice("MF"),
        "ethnicity": "WBRI",
        "disabilities": [],
        "postcode": "AB1 2CD",
        "uasc_flag": False,
        "purge": False,
    }
    if rng.random() < 0.97:
        details["date_of_birth"] = _day(born)
    else:
        details["expected_date_of_birth"] = _day(date(2024, 6, 1) + timedelta(days=rng.randrange(200)))
    episodes = []
    start: date | None = date(2022, 4, 1) + timedelta(days=rng.randrange(3 * 365))
    for e in range(1 if rng.random() < 0.85 else 2):
        if start is None or start > _LAST_DAY:
            break
        episode, start = _episode(rng, number, e, start)
        episodes.append(episode)
    child = {
        "la_child_id": child_id,
        "mis_child_id": f"M{number}",
        "purge": False,
        "child_details": details,
        "health_and_wellbeing": {"sdq_assessments": [{"date": "2024-06-01", "score": 18}], "purge": False},
        "social_care_episodes": episodes,
    }
    return {"la_code": 999, "Children": child}


def write_payloads(path: Path, children: int, *, as_list: bool = False, seed: int = _SEED) -> None:
    """Write ``children`` synthetic payloads to ``path``: JSON Lines, or one JSON list."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        if as_list:
            out.write("[\n")
        for number in range(children):
            text = json.dumps(_payload(rng, number), separators=(",", ":"))
            if as_list:
                out.write(("," if number else "") + text + "\n")
            else:
                out.write(text + "\n")
        if as_list:
            out.write("]\n")


def _read(path: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """In a fresh process: read the file end to end three ways and report times and peak memory."""
    from cprules import evaluate, load_pack
    from cprules.dfe import DepartmentFigures
    from cprules.errors import CaseError
    from cprules.readers import PurgedRecords, read_cases

    pack = load_pack("england")
    figures = DepartmentFigures(2025, pack.calendar)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    purged = PurgedRecords()
    cases = errors = events = 0
    started = time.perf_counter()
    for item in read_cases(path, purged=purged):
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
    started = time.perf_counter()
    findings = 0
    for item in read_cases(path):
        if not isinstance(item, CaseError):
            findings += len(evaluate(item, pack, as_of=_LAST_DAY).findings)
    with_evaluation_seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # for scale (after the peak is taken): the standard library's json.loads of every line
    started = time.perf_counter()
    loaded = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("{"):
                json.loads(line)
                loaded += 1
    json_seconds = time.perf_counter() - started
    results.put(
        {
            "cases": cases,
            "errors": errors,
            "events": events,
            "findings": findings,
            "purged_records": purged.total,
            "read_seconds": read_seconds,
            "read_and_figures_seconds": with_figures_seconds,
            "read_and_evaluate_seconds": with_evaluation_seconds,
            "json_loads_seconds": json_seconds if loaded else float("nan"),
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
    figures: dict[str, float] = {"children": children}
    with tempfile.TemporaryDirectory() as folder:
        for shape, as_list, suffix in (("jsonl", False, ".jsonl"), ("list", True, ".json")):
            big = Path(folder) / f"payloads{suffix}"
            small = Path(folder) / f"payloads_small{suffix}"
            started = time.perf_counter()
            write_payloads(big, children, as_list=as_list)
            figures[f"{shape}_generate_seconds"] = time.perf_counter() - started
            write_payloads(small, _SMALL, as_list=as_list)
            measured = _measure(big)
            measured_small = _measure(small)
            read = measured["cases"] + measured["errors"]
            figures[f"{shape}_file_mb"] = big.stat().st_size / 2**20
            if shape == "jsonl":
                for name in ("cases", "events", "findings", "purged_records"):
                    figures[name] = measured[name]
                figures["case_errors"] = measured["errors"]
                figures["icpc_percent"] = measured["icpc_within_15_working_days_percent"]
                figures["ratio_to_json_loads"] = measured["json_loads_seconds"] / measured["read_seconds"]
            rate = {
                "payloads_per_second": measured["read_seconds"],
                "read_and_figures_payloads_per_second": measured["read_and_figures_seconds"],
                "read_and_evaluate_payloads_per_second": measured["read_and_evaluate_seconds"],
            }
            for name, seconds in rate.items():
                figures[f"{shape}_{name}"] = children / seconds
            figures[f"{shape}_children_read"] = read
            figures[f"{shape}_peak_rss_mb"] = measured["peak_rss_mb"]
            figures[f"{shape}_rss_before_reading_mb"] = measured["rss_before_reading_mb"]
            figures[f"{shape}_peak_rss_mb_{_SMALL}_children"] = measured_small["peak_rss_mb"]
            small_rate = _SMALL / measured_small["read_seconds"]
            figures[f"{shape}_payloads_per_second_{_SMALL}_children"] = small_rate
    return figures


def _shown(name: str, value: float) -> str:
    if name.endswith("_seconds"):
        return f"{value:12.2f} s"
    if name.endswith("_mb") or "_mb_" in name:
        return f"{value:12.1f} MiB"
    if name.endswith("per_second") or "per_second_" in name:
        return f"{value:12,.0f}/s"
    if name.startswith("ratio"):
        return f"{value:12.3f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:12,.1f}"
    return f"{value:12,.0f}"


def main() -> None:
    figures = run()
    for name, value in figures.items():
        print(f"{name:52} {_shown(name, value)}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "figures": figures,
        "environment": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "pydantic": version("pydantic"),
            "machine": platform.machine(),
        },
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
