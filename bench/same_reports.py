"""Do two source trees give the same reports, byte for byte? The check behind a speed change.

    python bench/same_reports.py --against /tmp/before/src          # 300 cases, every pack
    python bench/same_reports.py --against /tmp/before/src --cases 2000

For each bundled pack, at two ``as_of`` dates, the SHA-256 of ``Report.to_json()`` of every
benchmark case (``bench/caseload.py``), one job and two, is worked out in a fresh process of
each tree (``PYTHONPATH=SRC``); a pack whose digests differ is named and the script exits 1.
A change that only makes the engine faster must print "same" for every pack.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

_CHILD = """
import hashlib, json, sys
from datetime import date
sys.path.insert(0, {bench!r})
import cprules
from caseload import caseload_lines

texts = list(caseload_lines(int(sys.argv[1])))
digests = {{}}
for pack_id in cprules.bundled_pack_ids():
    pack = cprules.load_pack(pack_id)
    digest = hashlib.sha256()
    for as_of in (date(2023, 9, 30), date(2024, 6, 1)):
        for text in texts:
            digest.update(cprules.evaluate(cprules.parse_case(text), pack, as_of=as_of).to_json().encode())
        cases = [cprules.parse_case(text) for text in texts[:100]]
        for report in cprules.evaluate_many(cases, pack, as_of=as_of, jobs=2, chunk_size=7):
            digest.update(report.to_json().encode())
    digests[pack_id] = digest.hexdigest()
print(json.dumps(digests))
"""


def digests(src: Path, cases: int) -> dict[str, str]:
    """Each pack's digest of the reports ``src`` gives."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    code = _CHILD.format(bench=str(HERE))
    out = subprocess.run(
        [sys.executable, "-c", code, str(cases)], env=env, check=True, capture_output=True, text=True
    )
    result: dict[str, str] = json.loads(out.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--against", type=Path, required=True, help="the other tree's src/")
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    before, after = digests(args.against.resolve(), args.cases), digests(SRC, args.cases)
    differ = 0
    for pack_id in sorted(set(before) | set(after)):
        same = before.get(pack_id) == after.get(pack_id)
        differ += not same
        print(f"{pack_id}: {'same' if same else 'DIFFERENT'} ({after.get(pack_id, '-')[:16]})")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
