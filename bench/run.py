"""The benchmark: what a user's batch does, stage by stage, as ratios to ``json.loads`` (SPEC §10).

    python bench/run.py                              # nelincs, 5 rounds
    python bench/run.py --packs all --rounds 7
    python bench/run.py --against /tmp/before/src    # before/after in one sitting

Every figure is measured in a **streaming loop**: one case (and its report) alive at a time,
as ``cprules batch`` runs, so the garbage collector never walks a caseload of live models.
Each round runs in a fresh process and times, per pack:

- ``json``: ``json.loads`` of each case's text (the yardstick; timed at the start and the end
  of the round, and the two averaged);
- ``parse``: ``cprules.parse_case`` of the same text;
- ``evaluate``: ``cprules.evaluate`` of each parsed case (the parse is not timed);
- ``to_json``: ``Report.to_json`` of each case's report (parse and evaluate not timed);
- ``end_to_end``: parse, evaluate and ``to_json``, one case after another;

and, for one pack, ``evaluate_lines`` over ``--jobs-cases`` cases with one job and with
``--jobs`` jobs (the speed-up is their ratio, round by round). Each rate is divided by the
``json.loads`` rate of the same round, so a ratio holds when the machine's speed drifts; the
figures given are the median and the spread (min..max) of the rounds.

``import cprules`` is timed as a whole process (``python -c "import cprules"`` less ``python
-c pass``), several runs interleaved.

With ``--against SRC`` the rounds alternate between that source tree (``PYTHONPATH=SRC``,
"before") and this one ("after"), and a before→after ratio is given for every figure: the
way to compare two trees on a shared, noisy machine. Results go to ``bench/results/`` (not
committed); the path is printed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
AS_OF = date(2023, 9, 30)
STAGES = ("parse", "evaluate", "to_json", "end_to_end")


# -- one round, in a fresh process ---------------------------------------------------------------


def _json_rate(texts: list[str]) -> float:
    loads = json.loads
    started = time.perf_counter()
    for text in texts:
        loads(text)
    return len(texts) / (time.perf_counter() - started)


def _stage_rates(cprules: Any, pack: Any, texts: list[str]) -> dict[str, float]:
    """Cases a second for each stage, one case alive at a time."""
    parse = cprules.parse_case
    evaluate = cprules.evaluate
    clock = time.perf_counter
    count = len(texts)
    rates: dict[str, float] = {}

    started = clock()
    for text in texts:
        parse(text)
    rates["parse"] = count / (clock() - started)

    spent = 0.0
    for text in texts:
        case = parse(text)
        started = clock()
        evaluate(case, pack, as_of=AS_OF)
        spent += clock() - started
    rates["evaluate"] = count / spent

    spent = 0.0
    for text in texts:
        report = evaluate(parse(text), pack, as_of=AS_OF)
        started = clock()
        report.to_json()
        spent += clock() - started
    rates["to_json"] = count / spent

    started = clock()
    for text in texts:
        evaluate(parse(text), pack, as_of=AS_OF).to_json()
    rates["end_to_end"] = count / (clock() - started)
    return rates


def _lines_rate(cprules: Any, pack: Any, texts: list[str], jobs: int) -> float:
    from cprules.engine import evaluate_lines

    started = time.perf_counter()
    for line in evaluate_lines(texts, pack, as_of=AS_OF, jobs=jobs):
        del line
    return len(texts) / (time.perf_counter() - started)


def one_round(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure once, in this process (the ``--one-round`` mode)."""
    sys.path.insert(0, str(HERE))
    from caseload import caseload_lines

    import cprules

    packs = cprules.bundled_pack_ids() if args.packs == "all" else args.packs.split(",")
    texts = list(caseload_lines(args.cases))
    gc.collect()
    out: dict[str, Any] = {"cprules_file": cprules.__file__, "packs": {}}
    for pack_id in packs:
        pack = cprules.load_pack(pack_id)
        for text in texts[:50]:  # warm the caches a pack fills on first use
            cprules.evaluate(cprules.parse_case(text), pack, as_of=AS_OF).to_json()
        before = _json_rate(texts)
        rates = _stage_rates(cprules, pack, texts)
        yardstick = (before + _json_rate(texts)) / 2
        row: dict[str, float] = {"json_per_s": yardstick}
        for stage, value in rates.items():
            row[f"{stage}_per_s"] = value
            row[f"{stage}_x_json"] = value / yardstick
        out["packs"][pack_id] = row
    if args.jobs_cases:
        pack = cprules.load_pack(args.jobs_pack)
        many = list(caseload_lines(args.jobs_cases, seed=11))
        one = _lines_rate(cprules, pack, many, 1)
        several = _lines_rate(cprules, pack, many, args.jobs)
        out["jobs"] = {
            "pack": args.jobs_pack,
            "cases": args.jobs_cases,
            "jobs": args.jobs,
            "one_job_per_s": one,
            "jobs_per_s": several,
            "speed_up": several / one,
        }
    return out


# -- the parent: rounds, trees, medians ----------------------------------------------------------


def _run_round(src: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__)),
        "--one-round",
        "--packs",
        args.packs,
        "--cases",
        str(args.cases),
        "--jobs",
        str(args.jobs),
        "--jobs-cases",
        str(args.jobs_cases),
        "--jobs-pack",
        args.jobs_pack,
    ]
    env = {**os.environ, "PYTHONPATH": str(src)}
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _import_seconds(src: Path | None, code: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - started


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def _figures(rounds: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Each figure's median and spread over the rounds."""
    series: dict[str, list[float]] = {}
    for result in rounds:
        for pack_id, row in result["packs"].items():
            for name, value in row.items():
                series.setdefault(f"{pack_id}.{name}", []).append(value)
        if "jobs" in result:
            jobs = result["jobs"]
            for name in ("one_job_per_s", "jobs_per_s", "speed_up"):
                series.setdefault(f"jobs.{jobs['pack']}.{jobs['cases']}.{name}", []).append(jobs[name])
    return {name: _spread(values) for name, values in series.items()}


def _show(value: dict[str, float], digits: int) -> str:
    return f"{value['median']:.{digits}f} [{value['min']:.{digits}f}..{value['max']:.{digits}f}]"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1000, help="cases per stage per round")
    parser.add_argument("--packs", default="nelincs", help="comma-separated pack ids, or all")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--jobs-cases", type=int, default=8000, help="0: no jobs figure")
    parser.add_argument("--jobs-pack", default="nelincs")
    parser.add_argument("--import-runs", type=int, default=9)
    parser.add_argument("--against", type=Path, help="a 'before' source tree (its src/) to alternate with")
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_round:
        print(json.dumps(one_round(args)))
        return

    trees: dict[str, Path] = {"after": SRC}
    if args.against is not None:
        trees = {"before": args.against.resolve(), "after": SRC}
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for number in range(args.rounds):
        order = list(trees) if number % 2 == 0 else list(reversed(trees))
        for name in order:
            rounds[name].append(_run_round(trees[name], args))
            print(f"round {number + 1}/{args.rounds} {name} done", file=sys.stderr)

    imports: dict[str, list[float]] = {name: [] for name in trees}
    for _ in range(args.import_runs):
        for name, src in trees.items():
            bare = _import_seconds(src, "pass")
            imports[name].append((_import_seconds(src, "import cprules") - bare) * 1000)

    result: dict[str, Any] = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "settings": {k: str(v) for k, v in vars(args).items()},
        "trees": {name: str(src) for name, src in trees.items()},
        "figures": {name: _figures(rounds[name]) for name in trees},
        "import_ms": {name: _spread(values) for name, values in imports.items()},
        "rounds": rounds,
    }
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2))

    names = list(trees)
    print(f"{args.cases} cases a stage, {args.rounds} rounds, streaming; median [min..max] of the rounds")
    print(" | ".join(["figure", *names, *(["after/before"] if len(names) == 2 else [])]))
    figures = result["figures"]
    keys = [k for k in figures[names[-1]] if k.endswith(("_x_json", ".json_per_s")) or k.startswith("jobs.")]
    for key in keys:
        digits = 0 if key.endswith("_per_s") else 3
        cells = [_show(figures[name][key], digits) for name in names]
        if len(names) == 2:
            cells.append(f"{figures['after'][key]['median'] / figures['before'][key]['median']:.2f}x")
        print(" | ".join([key, *cells]))
    cells = [_show(_spread(imports[name]), 0) for name in names]
    if len(names) == 2:
        cells.append(f"{statistics.median(imports['after']) / statistics.median(imports['before']):.2f}x")
    print(" | ".join(["import cprules ms", *cells]))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
