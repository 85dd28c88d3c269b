"""Hostile text never reaches a terminal: every input string the command line shows (case id,
event id in a finding's key, pack title and version, rule title, citation, scenario name, a rule
id in an error) carried through ESC, OSC, CR, NUL and a lone surrogate, run on a real
pseudo-terminal (so rich colours and the progress bar are on, as for a person at a terminal).

What may reach the terminal: rich's own colour (SGR) and cursor sequences and the line ends.
What must not: any injected control sequence, a NUL or BEL, a bare carriage return carrying
forged text, a C1 control, text that is not valid UTF-8. The escaped forms must be shown."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from cprules.output import printable

ESC = "\x1b[2J\x1b[31m"  # clear the screen, then red
OSC = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07"  # a hyperlink the reader did not see
CR = "\rFORGED"  # back to the line start, and over what was there
NUL = "\x00"
SURROGATE = "\ud800"
C1 = "\x9b2J"  # a CSI as one C1 character
PAYLOADS = {"ESC": ESC, "OSC": OSC, "CR": CR, "NUL": NUL, "C1": C1}

# rich's own sequences: colours and styles, and the cursor work of a transient progress bar
_ALLOWED_ESCAPES = re.compile(rb"\x1b\[[0-9;]*m|\x1b\[\?25[lh]|\x1b\[2K|\x1b\[[0-9]*[AGK]")


def yaml_text(text: str) -> str:
    """A YAML double-quoted scalar holding ``text`` (YAML's own escapes for control characters)."""
    return json.dumps(text, ensure_ascii=True).replace("\\u001b", "\\e")


HOSTILE = ESC + OSC + CR + NUL + C1  # in every text field
# (a lone surrogate cannot be written in a pack: libyaml refuses the escape; it comes in a case)
RULES = f"""
  - id: first-core-group
    kind: deadline
    title: {yaml_text("First core group " + HOSTILE)}
    severity: breach
    citation: {yaml_text("Para 1 " + HOSTILE)}
    trigger: {{event: icpc, where: {{outcome: plan}}}}
    expect: {{event: core_group, where: {{status: held}}}}
    within: {{working_days: 10}}
"""


def hostile_pack(folder: Path) -> Path:
    folder.mkdir()
    (folder / "pack.yaml").write_text(
        "schema: 1\nid: hostile\n"
        f"title: {yaml_text('Pack ' + HOSTILE)}\n"
        f"version: {yaml_text('1' + HOSTILE)}\n"
        "calendar: {country: GB, subdiv: ENG}\n"
        "rules:" + RULES,
        encoding="utf-8",
    )
    (folder / "tests").mkdir()
    (folder / "tests" / "scenarios.yaml").write_text(
        "schema: 1\ntests:\n"
        f"  - name: {yaml_text('scenario ' + HOSTILE)}\n"
        # it fails (the rule has nothing to apply to), so its name is shown in the failure
        "    as_of: 2024-06-01\n    case: {case_id: S, events: []}\n"
        "    expect:\n      - {rule: first-core-group, status: met}\n",
        encoding="utf-8",
    )
    return folder


def hostile_case(case_id: str = "A-" + HOSTILE) -> dict[str, object]:
    # ICPC Tue 19 Mar 2024 + 10 WD (Good Friday 29 Mar, Easter Monday 1 Apr) = Thu 4 Apr; the core
    # group on Fri 5 Apr is 1 working day late
    return {
        "case_id": case_id,
        "events": [
            {"id": "ic" + HOSTILE, "type": "icpc", "date": "2024-03-19", "outcome": "plan"},
            {"id": "ps", "type": "plan_start", "date": "2024-03-19"},
            {"id": "cg" + HOSTILE, "type": "core_group", "date": "2024-04-05", "status": "held"},
        ],
    }


def on_pty(*args: str, timeout: float = 60.0) -> tuple[int, bytes]:
    """Run ``cprules ARGS`` with standard input, output and error on a pseudo-terminal 200
    columns wide; its exit code and every byte it sent to the terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "TERM")}
    process = subprocess.Popen(
        [sys.executable, "-m", "cprules", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "TERM": "xterm-256color", "FORCE_COLOR": "1"},
        start_new_session=True,
    )
    os.close(slave)
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the terminal's other side is closed, the process is done
                    break
                if not chunk:
                    break
                received += chunk
            elif process.poll() is not None:
                break
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code, bytes(received)


def assert_clean(shown: bytes) -> str:
    """The terminal received nothing it would obey but rich's own sequences; the text shown."""
    text = shown.decode("utf-8")  # strict: a lone surrogate or stray byte fails here
    assert b"\x00" not in shown and b"\x07" not in shown, "NUL or BEL reached the terminal"
    assert "\x9b" not in text, "a C1 control reached the terminal"
    assert b"\x1b]" not in shown, "an OSC sequence reached the terminal"
    leftover = _ALLOWED_ESCAPES.sub(b"", shown)
    at = leftover.find(b"\x1b")
    assert at < 0, f"a control sequence reached the terminal: {leftover[at : at + 20]!r}"
    assert b"\rFORGED" not in shown, "a carriage return carried forged text"
    return _ALLOWED_ESCAPES.sub(b"", shown).decode("utf-8")


def escaped_somewhere(text: str, *payloads: str) -> None:
    # rich may cut a long cell, so look for the start of each payload's escaped form
    for payload in payloads:
        head = printable(payload)[:6]
        assert head in text, f"{payload!r} was not shown escaped"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return hostile_pack(tmp_path / "hostile")


def test_check_shows_a_hostile_case_id_event_ids_pack_title_and_citation_escaped(
    pack: Path, tmp_path: Path
) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(hostile_case()))
    code, shown = on_pty("check", str(case), "--pack", str(pack), "--as-of", "2024-06-01")
    assert code == 1  # the core group is late: a breach
    text = assert_clean(shown)
    escaped_somewhere(text, ESC, CR, NUL)
    assert "First core group" in text and "Para 1" in text and "Pack" in text


def test_a_bad_case_with_a_hostile_id_is_an_escaped_error_line(pack: Path, tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    bad = hostile_case("B-" + HOSTILE + "\\ud800")
    case.write_text(json.dumps(bad).replace("\\\\ud800", "\\ud800") + " ")  # JSON's own escape
    bad_field = hostile_case("C-" + HOSTILE)
    bad_field["events"][0]["outcomee"] = "x"  # type: ignore[index]
    other = tmp_path / "other.json"
    other.write_text(json.dumps(bad_field))
    for source in (case, other):
        code, shown = on_pty("check", str(source), "--pack", str(pack), "--as-of", "2024-06-01")
        assert code == 2
        assert_clean(shown)


def test_batch_on_a_terminal_shows_its_progress_and_summary_clean(pack: Path, tmp_path: Path) -> None:
    caseload = tmp_path / "cases.jsonl"
    lines = [json.dumps(hostile_case(f"A-{n}-" + HOSTILE)) for n in range(300)]
    lines.insert(7, '{"case_id": "S-\\ud800' + "\\u001b[2J" + '"')  # not JSON, with a lone surrogate id
    caseload.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    args = ["batch", str(caseload), "--pack", str(pack), "--as-of", "2024-06-01", "--out", str(out)]
    code, shown = on_pty(*args)
    assert code == 1
    text = assert_clean(shown)
    assert "301 cases under hostile" in text
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 301 and "error" in rows[7]
    assert rows[0]["case_id"] == "A-0-" + HOSTILE  # the file keeps the data as it is


def test_compare_shows_a_hostile_case_id_escaped(pack: Path, tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(hostile_case()))
    code, shown = on_pty("compare", str(case), "--packs", f"{pack},england", "--as-of", "2024-06-01")
    assert code in (0, 1)
    escaped_somewhere(assert_clean(shown), ESC, CR)


def test_pack_validate_and_test_show_hostile_names_escaped(pack: Path, tmp_path: Path) -> None:
    code, shown = on_pty("pack", "test", str(pack))
    assert code == 1  # the scenario fails: its name and the pack's version are shown
    escaped_somewhere(assert_clean(shown), ESC, CR)
    code, shown = on_pty("pack", "validate", str(pack))
    assert code == 0
    assert_clean(shown)
    # a rule id that is not kebab-case is named in the error line ("rule <id>: ...")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pack.yaml").write_text(
        (pack / "pack.yaml").read_text().replace("id: first-core-group", f"id: {yaml_text('r' + HOSTILE)}")
    )
    code, shown = on_pty("pack", "validate", str(broken))
    assert code == 1
    escaped_somewhere(assert_clean(shown), ESC)


@pytest.mark.parametrize("name", sorted(set(PAYLOADS) - {"NUL"}))  # no argument can hold a NUL
def test_error_lines_escape_each_payload_alone(tmp_path: Path, name: str) -> None:
    # a pack file that does not exist, named with the payload: the name is in the error line
    missing = tmp_path / ("no-pack-" + PAYLOADS[name].replace("/", "_"))
    code, shown = on_pty("check", "x.json", "--pack", str(missing) + "/")
    assert code == 2
    escaped_somewhere(assert_clean(shown), PAYLOADS[name])
