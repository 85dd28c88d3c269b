"""The wheel carries the bundled packs, and they load from an installed copy in any directory."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


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


def test_wheel_carries_every_pack_and_its_scenarios(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packs = sorted(p.parent.name for p in (ROOT / "policies").glob("*/pack.yaml"))
    assert packs, "no bundled packs in the source tree"
    for pack_id in packs:
        assert f"cprules/policies/{pack_id}/pack.yaml" in names
        assert f"cprules/policies/{pack_id}/README.md" in names
    assert any(name.startswith("cprules/policies/stoke/tests/") for name in names)
    assert "cprules/policies/pack.schema.json" in names  # editors find it beside the packs


def test_installed_copy_loads_packs_from_any_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); import cprules; "
        "p = cprules.load_pack('stoke'); print(cprules.__file__); print(p.path); print(p.chain)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(site)], cwd=elsewhere, check=True, capture_output=True, text=True
    )
    module_file, pack_path, chain = result.stdout.splitlines()
    assert module_file.startswith(str(site)) and pack_path.startswith(str(site))
    assert chain == "('stoke', 'england')"
