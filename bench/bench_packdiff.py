"""Benchmark ``pack diff``: one pass over a caseload, two packs per case, against two batch runs.

Run it as a script (``python bench/bench_packdiff.py [CASES]``, default 20,000) to print the
figures and write them to ``bench/results/packdiff.json``. It writes the seeded synthetic
caseload (``bench/caseload.py``) as JSON Lines to a temporary folder and a copy of the stoke
pack whose ``core-group-minutes`` allows 5 working days, then, each in a fresh process so its
peak RSS (``resource.getrusage``) is its own:

- ``diff``: :func:`cprules.packdiff.diff_caseload` of stoke against the copy over the file,
  streamed line by line (what ``cprules pack diff`` does with ``--jobs 1``);
- ``batch_old`` and ``batch_new``: :func:`cprules.engine.evaluate_lines` of each pack over the
  same file, output discarded (the two batch runs the issue compares with).

The aim (issue 14): the diff in about the time of the two batch runs together, in flat memory
(a diff of a tenth of the cases is run too: its peak memory should be about the same).
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_SRC = _HERE.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.insert(0, str(_SRC))  # run from a checkout without installing
sys.path.insert(0, str(_HERE))

RESULTS = _HERE / "results" / "packdiff.json"
AS_OF = date(2024, 6, 1)


def _stoke_with_five_days(folder: Path) -> Path:
    from cprules.pack.loader import policies_dir

    text = (policies_dir() / "stoke" / "pack.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: core-group-minutes")
    end = text.index("\n  - id:", start + 1)
    rule = text[start:end].replace("within: {working_days: 3}", "within: {working_days: 5}")
    (folder / "pack.yaml").write_text(text[:start] + rule + text[end:], encoding="utf-8")
    return folder


def _lines(path: str) -> Any:
    with open(path, "rb") as stream:
        for line in stream:
            if line.strip():
                yield line


def _measure(job: str, cases: str, new_pack: str, queue: Any) -> None:
    import cprules
    from cprules.engine import evaluate_lines
    from cprules.packdiff import diff_caseload

    old = cprules.load_pack("stoke")
    new = cprules.load_pack(new_pack)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    if job == "diff":
        diff = diff_caseload(_lines(cases), old, new, as_of=AS_OF)
        extra = {"cases": diff.cases, "findings_changed": diff.findings_changed}
    else:
        count = sum(1 for _ in evaluate_lines(_lines(cases), old if job == "batch_old" else new, as_of=AS_OF))
        extra = {"cases": count}
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put({"seconds": round(elapsed, 2), "peak_rss_mib": round(peak / 1024, 1),
               "rss_growth_mib": round((peak - baseline) / 1024, 1), **extra})  # fmt: skip


def _in_process(job: str, cases: str, new_pack: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measure, args=(job, cases, new_pack, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def run(count: int) -> dict[str, Any]:
    """The figures for a caseload of ``count`` cases."""
    from caseload import caseload_lines

    with tempfile.TemporaryDirectory(prefix="cprules-bench-diff-") as folder:
        root = Path(folder)
        pack = _stoke_with_five_days(root)
        figures: dict[str, Any] = {"cases": count}
        for size, name in ((count, "cases.jsonl"), (max(count // 10, 1), "tenth.jsonl")):
            with open(root / name, "w", encoding="utf-8") as out:
                for line in caseload_lines(size):
                    out.write(line + "\n")
        figures["diff"] = _in_process("diff", str(root / "cases.jsonl"), str(pack))
        figures["batch_old"] = _in_process("batch_old", str(root / "cases.jsonl"), str(pack))
        figures["batch_new"] = _in_process("batch_new", str(root / "cases.jsonl"), str(pack))
        figures["diff_tenth"] = _in_process("diff", str(root / "tenth.jsonl"), str(pack))
    two = figures["batch_old"]["seconds"] + figures["batch_new"]["seconds"]
    figures["diff_over_two_batch_runs"] = round(figures["diff"]["seconds"] / two, 2) if two else None
    return figures


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    figures = run(count)
    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
