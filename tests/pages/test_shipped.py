"""The pages ship in the wheel (their templates with them) and render from an installed copy; the
examples in their docstrings run."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p.name for p in (ROOT / "src" / "cprules" / "pages" / "templates").iterdir())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("cprules-*.whl")
    return built


def test_the_wheel_carries_the_templates(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"_shared.html.j2", "caseload.html.j2", "timeline.html.j2"} <= set(TEMPLATES)
    for template in TEMPLATES:
        assert f"cprules/pages/templates/{template}" in names


def test_an_installed_copy_renders_both_pages_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cprules; from datetime import date; "
        "from cprules.pages import render_timeline, render_caseload; "
        "from cprules.summary import ComplianceSummary; import cprules.pages; "
        "pack = cprules.load_pack('stoke'); case = cprules.load_case(sys.argv[2]); "
        "report = cprules.evaluate(case, pack, as_of=date(2024, 6, 1)); "
        "s = ComplianceSummary.for_pack(pack, as_of=date(2024, 6, 1)); s.add(report); "
        "print(cprules.pages.__file__); print(len(render_timeline(case, report, pack))); "
        "print(len(render_caseload(s)))"
    )
    example = ROOT / "examples" / "stoke-late-core-group.yaml"
    result = subprocess.run(
        [sys.executable, "-c", script, str(site), str(example)],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    )
    module_file, timeline_size, caseload_size = result.stdout.splitlines()
    assert module_file.startswith(str(site))
    assert int(timeline_size) > 10_000 and int(caseload_size) > 5_000


@pytest.mark.parametrize(
    "module",
    ["cprules.summary", "cprules.dfe", "cprules.pages", "cprules.pages.timeline", "cprules.pages.caseload",
     "cprules.pages.templating"],
)  # fmt: skip
def test_the_examples_in_the_docstrings_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
