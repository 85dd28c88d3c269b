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


def test_the_wheel_offers_hypothesis_as_the_testing_extra(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        lines = archive.read(metadata).decode().splitlines()
    assert "Provides-Extra: testing" in lines
    assert any(
        line.startswith("Requires-Dist: hypothesis") and "extra == 'testing'" in line.replace('"', "'")
        for line in lines
    )


def test_cprules_testing_without_hypothesis_says_what_to_install() -> None:
    # a fresh interpreter in which hypothesis cannot be imported; cprules itself still can
    script = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import cprules\n"
        "try:\n"
        "    import cprules.testing\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == (
        "ImportError cprules.testing needs hypothesis, which is not installed; install it with "
        "pip install 'cprules[testing]'"
    )
