"""Do two source trees give the same reports, byte for byte? The check behind a speed change.

    python bench/same_reports.py --against /tmp/before/src          # 300 cases, every pack
    python bench/same_reports.py --against /tmp/before/src --cases 2000
    python bench/same_reports.py --pure             # compiled (mypyc) modules against pure

With ``--pure`` the two sides are the cprules that ``import cprules`` finds (an installed
compiled wheel, or a checkout compiled in place by ``bench/compile.py``) and a copy of that
same package with its compiled extension files left out, so the very same ``.py`` files run
as pure Python. The compiled side must really load compiled modules (exit 2 otherwise).

For each bundled pack, at two ``as_of`` dates, the SHA-256 of ``Report.to_json()`` of every
benchmark case (``bench/caseload.py``), one job and two, is worked out in a fresh process of
each tree (``PYTHONPATH=SRC``); a pack whose digests differ is named and the script exits 1.
A change that only makes the engine faster must print "same" for every pack.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

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
compiled = getattr(cprules, "compiled_modules", lambda: ())()
print(json.dumps({{"digests": digests, "compiled": list(compiled), "file": cprules.__file__}}))
"""


def run_child(src: Path | None, cases: int) -> dict[str, Any]:
    """Digests, compiled modules and package file of a fresh process; ``src`` None: as installed."""
    env = dict(os.environ)
    if src is None:
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = str(src)
    code = _CHILD.format(bench=str(HERE))
    out = subprocess.run(
        [sys.executable, "-c", code, str(cases)], env=env, check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def digests(src: Path | None, cases: int) -> dict[str, str]:
    """Each pack's digest of the reports ``src`` gives (``None``: the installed cprules)."""
    result: dict[str, str] = run_child(src, cases)["digests"]
    return result


def pure_copy(dest: Path) -> Path:
    """Copy the installed cprules into ``dest`` without its compiled files; the path for PYTHONPATH.

    The bundled packs come along (an editable checkout keeps them beside ``src/``), so the
    copy loads the same policies.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    out = subprocess.run(
        [sys.executable, "-c", "import cprules, cprules.pack; print(cprules.__file__);"
         "print(cprules.pack.policies_dir())"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    package_file, policies = out.stdout.splitlines()
    package = Path(package_file).parent
    target = dest / "cprules"
    shutil.copytree(
        package,
        target,
        ignore=lambda _dir, names: [
            name for name in names if name.endswith(tuple(EXTENSION_SUFFIXES)) or name == "__pycache__"
        ],
    )
    if not (target / "policies").is_dir():
        shutil.copytree(policies, target / "policies")
    return dest


def compare_pure(cases: int) -> int:
    """Installed (compiled) cprules against a pure copy of it; the exit status."""
    with tempfile.TemporaryDirectory(prefix="cprules-pure-") as work:
        compiled = run_child(None, cases)
        pure = run_child(pure_copy(Path(work)), cases)
    print(f"compiled side: {compiled['file']}, {len(compiled['compiled'])} compiled modules")
    print(f"pure side: {pure['file']}, {len(pure['compiled'])} compiled modules")
    if not compiled["compiled"] or pure["compiled"]:
        print("same_reports: the compiled side loads no compiled module, or the pure side does")
        return 2
    return _report(pure["digests"], compiled["digests"])


def _report(before: dict[str, str], after: dict[str, str]) -> int:
    differ = 0
    for pack_id in sorted(set(before) | set(after)):
        same = before.get(pack_id) == after.get(pack_id)
        differ += not same
        print(f"{pack_id}: {'same' if same else 'DIFFERENT'} ({after.get(pack_id, '-')[:16]})")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sides = parser.add_mutually_exclusive_group(required=True)
    sides.add_argument("--against", type=Path, help="the other tree's src/")
    sides.add_argument("--pure", action="store_true", help="compiled modules against the same code pure")
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    if args.pure:
        return compare_pure(args.cases)
    return _report(digests(args.against.resolve(), args.cases), digests(SRC, args.cases))


if __name__ == "__main__":
    raise SystemExit(main())
