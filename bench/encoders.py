"""What writing a report as JSON could cost: today's encoder against the alternatives (issue 16).

    python bench/encoders.py                     # nelincs, 300 cases, 5 rounds
    python bench/encoders.py --packs all --rounds 7

The aim the issue set for ``to_json`` is 2x the ``json.loads`` rate of the *case* text. A
report is several times larger than its case (every finding carries its title, citation and
explanation), so this script also gives each encoder's rate in megabytes of output a second,
and the size of a report against its case. Encoders, each timed in a streaming loop (one
case and its report alive at a time, as ``cprules batch`` runs), in the same process:

- ``to_json``: ``Report.to_json()`` as shipped;
- ``json.dumps``: ``json.dumps(report.to_dict(), ensure_ascii=False)`` (the same bytes);
- ``msgspec_same``: msgspec's encoder over the report's dataclasses, then
  ``msgspec.json.format(..., indent=0)``, which puts back the ", " and ": " separators: the
  same bytes again (checked on every report);
- ``msgspec_compact``: msgspec's encoder alone: compact JSON (``,`` and ``:``), other bytes.

Ratios are to ``json.loads`` of the case text in the same round; the figures are the median
and spread (min..max) of the rounds. msgspec comes with the test extra.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import msgspec  # noqa: E402
from caseload import caseload_lines  # noqa: E402

import cprules  # noqa: E402
from cprules.findings import Report  # noqa: E402

AS_OF = date(2023, 9, 30)
_ENCODER = msgspec.json.Encoder()


def _head(report: Report) -> dict[str, Any]:
    # to_dict's key order; the findings stay dataclasses, which msgspec encodes field by field
    return {
        "report_schema": report.report_schema,
        "case_id": report.case_id,
        "pack_id": report.pack_id,
        "pack_version": report.pack_version,
        "pack_digest": report.pack_digest,
        "engine_version": report.engine_version,
        "as_of": report.as_of,
        "findings": report.findings,
    }


def msgspec_compact(report: Report) -> bytes:
    """Compact JSON of the report (other bytes than ``to_json``)."""
    return _ENCODER.encode(_head(report))


def msgspec_same(report: Report) -> bytes:
    """``to_json``'s bytes, by msgspec: compact, then re-spaced by ``msgspec.json.format``."""
    return msgspec.json.format(_ENCODER.encode(_head(report)), indent=0)


def json_dumps(report: Report) -> str:
    """``json.dumps`` of the report's dict (the same text as ``to_json``)."""
    return json.dumps(report.to_dict(), ensure_ascii=False)


ENCODERS: dict[str, Callable[[Report], str | bytes]] = {
    "to_json": Report.to_json,
    "json.dumps": json_dumps,
    "msgspec_same": msgspec_same,
    "msgspec_compact": msgspec_compact,
}


def one_round(pack: cprules.Pack, texts: list[str]) -> dict[str, float]:
    """Cases a second of ``json.loads`` and of each encoder, and output MB a second."""
    rates: dict[str, float] = {}
    started = time.perf_counter()
    for text in texts:
        json.loads(text)
    rates["json.loads"] = len(texts) / (time.perf_counter() - started)
    for name, encode in ENCODERS.items():
        spent = 0.0
        size = 0
        for text in texts:
            report = cprules.evaluate(cprules.parse_case(text), pack, as_of=AS_OF)
            started = time.perf_counter()
            out = encode(report)
            spent += time.perf_counter() - started
            size += len(out.encode() if isinstance(out, str) else out)
        rates[name] = len(texts) / spent
        rates[f"{name} MB/s"] = size / spent / 1e6
    return rates


def check_same(pack: cprules.Pack, texts: list[str]) -> tuple[int, float]:
    """Every report's ``msgspec_same`` bytes equal ``to_json``'s (else exit 1); the mean size
    of a report over its case's text."""
    ratio = 0.0
    for text in texts:
        report = cprules.evaluate(cprules.parse_case(text), pack, as_of=AS_OF)
        shipped = report.to_json().encode()
        if msgspec_same(report) != shipped or json_dumps(report).encode() != shipped:
            raise SystemExit(f"{pack.id}: an encoder gave other bytes than to_json for {report.case_id}")
        ratio += len(shipped) / len(text.encode())
    return len(texts), ratio / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", default="nelincs", help="pack ids, comma-separated, or 'all'")
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    packs = cprules.bundled_pack_ids() if args.packs == "all" else tuple(args.packs.split(","))
    texts = list(caseload_lines(args.cases))
    for pack_id in packs:
        pack = cprules.load_pack(pack_id)
        checked, size = check_same(pack, texts)
        rounds = [one_round(pack, texts) for _ in range(args.rounds)]
        print(f"{pack_id}: {checked} reports, each {size:.1f}x its case's bytes; same bytes checked")
        print(f"  {'encoder':<16} {'x json.loads (median [min..max])':<36} MB/s of output")
        for name in ENCODERS:
            ratios = [r[name] / r["json.loads"] for r in rounds]
            speed = statistics.median(r[f"{name} MB/s"] for r in rounds)
            spread = f"{statistics.median(ratios):.3f} [{min(ratios):.3f}..{max(ratios):.3f}]"
            print(f"  {name:<16} {spread:<36} {speed:.0f}")


if __name__ == "__main__":
    main()
