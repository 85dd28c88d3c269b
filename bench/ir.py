"""Instructions per case, stage by stage, under callgrind: the figure a busy machine cannot move.

    python bench/ir.py                                  # nelincs, this tree
    python bench/ir.py --against /tmp/before/src        # and a before tree, with ratios
    python bench/ir.py --packs nelincs,stoke --cases 100

Wall-clock rates on a shared 2-core machine move by 2x from one minute to the next;
instruction counts do not. For each stage (``json`` = ``json.loads`` of the case text, the
yardstick; ``parse``; ``evaluate`` of a parsed case; ``to_json`` of a report; ``end_to_end``) a
child process is run under ``valgrind --tool=callgrind`` twice, doing the stage over the
cases 0 and 2 times after the same set-up; the difference, divided by the cases done, is the
stage's instructions per case. ``x json`` is ``json``'s count over the stage's (higher is
faster, as in ``bench/run.py``). Instructions are not time (a cache miss costs more than an
add), so quote these beside ``bench/run.py``'s medians, not instead of them.

Needs ``valgrind`` on the PATH. One stage at 100 cases takes about ten seconds.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
STAGES = ("json", "parse", "evaluate", "to_json", "end_to_end")

_CHILD = """
import json, sys
from datetime import date
sys.path.insert(0, {bench!r})
import cprules
from caseload import caseload_lines

stage, pack_id, cases, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
texts = list(caseload_lines(cases))
pack = cprules.load_pack(pack_id)
as_of = date(2023, 9, 30)
parsed = [cprules.parse_case(t) for t in texts]
reports = [cprules.evaluate(c, pack, as_of=as_of) for c in parsed]
for r in reports:
    r.to_json()
for _ in range(reps):
    if stage == "json":
        for t in texts:
            json.loads(t)
    elif stage == "parse":
        for t in texts:
            cprules.parse_case(t)
    elif stage == "evaluate":
        for c in parsed:
            cprules.evaluate(c, pack, as_of=as_of)
    elif stage == "to_json":
        for r in reports:
            r.to_json()
    else:
        for t in texts:
            cprules.evaluate(cprules.parse_case(t), pack, as_of=as_of).to_json()
"""


def _instructions(src: Path, stage: str, pack: str, cases: int, reps: int) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
        code = _CHILD.format(bench=str(HERE))
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                code,
                stage,
                pack,
                str(cases),
                str(reps),
            ],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        match = re.search(r"^summary:\s+(\d+)", out.read_text(), re.MULTILINE)
        if match is None:
            raise SystemExit("callgrind wrote no summary line")
        return int(match.group(1))


def per_case(src: Path, stage: str, pack: str, cases: int) -> float:
    """Instructions per case for ``stage`` (two runs: 2 repetitions less 0)."""
    return (_instructions(src, stage, pack, cases, 2) - _instructions(src, stage, pack, cases, 0)) / (
        2 * cases
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--packs", default="nelincs")
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--against", type=Path, help="a 'before' source tree (its src/)")
    args = parser.parse_args()
    trees = {"after": SRC} if args.against is None else {"before": args.against.resolve(), "after": SRC}
    stages = args.stages.split(",")
    if "json" not in stages:
        stages.insert(0, "json")
    print(f"{args.cases} cases; instructions per case (x json: json.loads's count over the stage's)")
    for pack in args.packs.split(","):
        counts = {
            name: {s: per_case(src, s, pack, args.cases) for s in stages} for name, src in trees.items()
        }
        head = " | ".join(f"{name} Ir (x json)" for name in trees)
        print(f"\n{pack} | {head}" + (" | after/before Ir" if len(trees) == 2 else ""))
        for stage in stages:
            cells = []
            for name in trees:
                ir = counts[name][stage]
                cells.append(f"{ir:,.0f} ({counts[name]['json'] / ir:.3f})")
            line = f"{stage} | " + " | ".join(cells)
            if len(trees) == 2:
                line += f" | {counts['after'][stage] / counts['before'][stage]:.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
