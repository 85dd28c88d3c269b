"""The benchmark: speed and memory per pack, as a table and as JSON (SPEC §10).

    python bench/run.py                   # every bundled pack, 2,000 cases, 200,000 streamed
    python bench/run.py --packs nelincs --cases 5000 --stream 1000000

Every rate is also given as a ratio to ``json.loads`` of the same case text timed in the same
run: that ratio is the aim (machines differ), the absolute figure only a guide. Results go to
``bench/results/`` (not committed); the path is printed.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from caseload import caseload_lines  # noqa: E402

import cprules  # noqa: E402

AS_OF = date(2023, 9, 30)


def rate(count: int, work: Callable[[], object], repeat: int = 3) -> float:
    """Best of ``repeat`` runs of ``work`` (which handles ``count`` cases), in cases a second."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return count / best


def bench_pack(pack_id: str, texts: list[str], jobs: int, baseline: float) -> dict[str, Any]:
    pack = cprules.load_pack(pack_id)
    started = time.perf_counter()
    cprules.load_pack(pack_id)
    load_ms = (time.perf_counter() - started) * 1000
    cases = [cprules.parse_case(text) for text in texts]
    findings = sum(len(cprules.evaluate(case, pack, as_of=AS_OF).findings) for case in cases)

    def evaluate_built() -> None:
        for case in cases:
            cprules.evaluate(case, pack, as_of=AS_OF)

    def end_to_end() -> None:
        for text in texts:
            cprules.evaluate(cprules.parse_case(text), pack, as_of=AS_OF).to_json()

    def parallel() -> None:
        for line in cprules.engine.evaluate_lines(texts, pack, as_of=AS_OF, jobs=jobs):
            del line

    def serial_lines() -> None:
        for line in cprules.engine.evaluate_lines(texts, pack, as_of=AS_OF, jobs=1):
            del line

    parse = rate(len(texts), lambda: [cprules.parse_case(text) for text in texts])
    built = rate(len(cases), evaluate_built)
    e2e = rate(len(texts), end_to_end)
    one = rate(len(texts), serial_lines, repeat=2)
    many = rate(len(texts), parallel, repeat=2)
    return {
        "pack": pack_id,
        "rules": len(pack.rules),
        "findings_per_case": round(findings / len(cases), 1),
        "pack_load_ms": round(load_ms, 1),
        "parse_per_s": round(parse),
        "parse_ratio": round(parse / baseline, 3),
        "evaluate_per_s": round(built),
        "evaluate_ratio": round(built / baseline, 3),
        "end_to_end_per_s": round(e2e),
        "end_to_end_ratio": round(e2e / baseline, 3),
        "lines_1_job_per_s": round(one),
        f"lines_{jobs}_jobs_per_s": round(many),
        "parallel_speedup": round(many / one, 2),
    }


def stream_rss(pack_id: str, count: int) -> float:
    """Peak RSS (MiB) of a fresh process streaming ``count`` synthetic cases through a batch."""
    output = subprocess.run(
        [sys.executable, str(Path(__file__)), "--stream-only", str(count), "--packs", pack_id],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def stream_only(pack_id: str, count: int) -> None:
    pack = cprules.load_pack(pack_id)
    for line in cprules.engine.evaluate_lines(caseload_lines(count, seed=7), pack, as_of=AS_OF):
        del line
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def import_ms() -> float:
    def run(code: str) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            best = min(best, time.perf_counter() - started)
        return best

    return (run("import cprules") - run("pass")) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--packs", default="all")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--stream", type=int, default=200_000, help="cases streamed for the memory figure")
    parser.add_argument("--stream-only", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    packs = cprules.bundled_pack_ids() if args.packs == "all" else args.packs.split(",")
    if args.stream_only:
        stream_only(packs[0], args.stream_only)
        return

    texts = list(caseload_lines(args.cases))
    events = sum(text.count('"type"') for text in texts) / len(texts)
    baseline = rate(len(texts), lambda: [json.loads(t) for t in texts])
    rows = [bench_pack(pack_id, texts, args.jobs, baseline) for pack_id in packs]

    sys.path.insert(0, str(HERE))
    from bench_calendar import run as calendar_run

    calendar = calendar_run()
    memory_pack = "nelincs" if "nelincs" in packs else packs[0]
    memory: dict[str, float] = {}
    if args.stream:
        memory = {
            "pack": memory_pack,  # type: ignore[dict-item]
            "rss_mib_10000": round(stream_rss(memory_pack, 10_000), 1),
            f"rss_mib_{args.stream}": round(stream_rss(memory_pack, args.stream), 1),
        }
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "cprules": cprules.__version__,
        "cases": len(texts),
        "events_per_case": round(events, 1),
        "json_loads_per_s": round(baseline),
        "packs": rows,
        "calendar": calendar,
        "import_ms": round(import_ms(), 1),
        "streaming": memory,
    }
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2))

    print(f"{len(texts)} synthetic cases, {events:.1f} events a case; json.loads {baseline:,.0f} cases/s")
    header = [
        "pack",
        "rules",
        "findings",
        "parse/s",
        "x json",
        "evaluate/s",
        "x json",
        "end-to-end/s",
        "x json",
        f"jobs={args.jobs}/s",
        "speed-up",
        "load ms",
    ]
    print(" | ".join(header))
    for row in rows:
        print(
            " | ".join(
                str(v)
                for v in (
                    row["pack"],
                    row["rules"],
                    row["findings_per_case"],
                    f"{row['parse_per_s']:,}",
                    row["parse_ratio"],
                    f"{row['evaluate_per_s']:,}",
                    row["evaluate_ratio"],
                    f"{row['end_to_end_per_s']:,}",
                    row["end_to_end_ratio"],
                    f"{row[f'lines_{args.jobs}_jobs_per_s']:,}",
                    row["parallel_speedup"],
                    row["pack_load_ms"],
                )
            )
        )
    print("calendar:", ", ".join(f"{k} {v:,.0f}" for k, v in calendar.items()))
    print(f"import cprules: {result['import_ms']} ms")
    if memory:
        print("streaming peak RSS (MiB):", memory)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
