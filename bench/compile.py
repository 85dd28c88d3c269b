"""Compile cprules' hot modules in place, for an editable checkout (``pip install -e .``).

    python bench/compile.py           # writes src/cprules/**/*.so next to the .py files
    python bench/compile.py --clean   # removes them: the checkout runs pure Python again

The modules are those of ``cprules._compiled.COMPILED_CANDIDATES``, built the way the wheel
hook (``hatch_build.py``) builds them; needs mypy (the test extra has it) and a C compiler.
Python loads an extension before the ``.py`` beside it, so after an edit to one of these
modules compile again (or ``--clean``), or the old compiled code keeps running.
``python -c "import cprules; print(cprules.compiled_modules())"`` says which are loaded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import hatch_build  # noqa: E402  (the repo root, put on the path above)


def clean() -> int:
    """Remove every compiled extension under src/; the number removed."""
    removed = 0
    for path in sorted((ROOT / "src").rglob("*")):
        if path.is_file() and path.name.endswith(tuple(EXTENSION_SUFFIXES)):
            path.unlink()
            removed += 1
    return removed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clean", action="store_true", help="remove the compiled files and stop")
    parser.add_argument("--verbose", action="store_true", help="show mypyc's and the compiler's output")
    args = parser.parse_args()
    removed = clean()
    if args.clean:
        print(f"removed {removed} compiled files; src/ is pure Python")
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cprules-mypyc-") as work:
        try:
            built = hatch_build.compile_modules(Path(work), quiet=not args.verbose)
        except hatch_build.CompileError as error:
            print(f"compile.py: {error}", file=sys.stderr)
            return 1
        for relative, path in built.items():
            shutil.copy2(path, ROOT / "src" / relative)
    took = time.perf_counter() - started
    print(f"compiled {len(hatch_build.candidates())} modules into {len(built)} files in {took:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
