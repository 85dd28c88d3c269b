"""Build hook: compile cprules' hot modules with mypyc when a wheel is built, else ship them pure.

The modules are listed once, in ``src/cprules/_compiled.py`` (``COMPILED_CANDIDATES``); they
are plain typed Python, so the pure wheel and the compiled one run the same code.

``CPRULES_COMPILE`` decides, for a (non-editable) wheel build:

- ``1``: compile. The hook asks for ``mypy``, ``setuptools`` and the runtime dependencies
  with their stubs in the build environment (pip's isolated build installs them), so this
  costs a download of mypy on every build;
- unset (the default): compile only when mypyc is already importable in the build
  environment (``pip install --no-build-isolation .`` from a venv that has mypy), so a plain
  ``pip install .`` downloads nothing more than hatchling and builds the pure wheel;
- ``0``: never compile.

Whatever the setting, a failure to compile (no C compiler, mypyc too old, a module mypyc
refuses) prints a warning and builds the pure wheel: an install never fails for it. An
editable install (``pip install -e .``) is never compiled; ``python bench/compile.py`` compiles
such a checkout in place.
"""

from __future__ import annotations

import ast
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

try:  # the hook class needs hatchling; bench/compile.py uses the functions without it
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # pragma: no cover - only outside a build
    BuildHookInterface = object  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "src"
#: mypyc puts the shared C of all the modules in one extension, inside the package
GROUP = "cprules._native"
#: the oldest mypy whose mypyc compiles these modules as they are written (it turns
#: ``object.__setattr__(self, "name", value)`` into a direct store); 2.4.1 is the one CI locks
MIN_MYPY = (2, 4)
MYPY_REQUIREMENT = "mypy>=2.4"
#: what the test extra installs for ``mypy --strict src`` beyond the runtime dependencies:
#: the stubs, and msgspec (cprules._fastcase imports it, and mypyc follows that import)
STUBS = ("types-PyYAML", "types-python-dateutil", "types-defusedxml", "msgspec>=0.14")


class CompileError(Exception):
    """mypyc or the C compiler failed; the message says how."""


def candidates() -> tuple[str, ...]:
    """The module names listed in ``src/cprules/_compiled.py``, read without importing cprules."""
    tree = ast.parse((SRC / "cprules" / "_compiled.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "COMPILED_CANDIDATES"
            and node.value is not None
        ):
            names = ast.literal_eval(node.value)
            return tuple(str(name) for name in names)
    raise CompileError("src/cprules/_compiled.py has no COMPILED_CANDIDATES")


def mypyc_problem() -> str | None:
    """Why mypyc cannot be used from this interpreter, or ``None`` when it can."""
    try:
        import mypy.version
        import mypyc  # noqa: F401
    except ImportError:
        return "mypyc is not installed (it comes with mypy)"
    try:
        import setuptools  # noqa: F401
    except ImportError:
        return "setuptools is not installed (mypyc builds its extensions with it)"
    version = tuple(int(part) for part in mypy.version.__version__.split("+")[0].split(".")[:2])
    if version < MIN_MYPY:
        return f"mypy {mypy.version.__version__} is older than {MYPY_REQUIREMENT[6:]}"
    return None


def compiler_problem() -> str | None:
    """Why no C compiler can be run, or ``None`` when one is on the path."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    program = shlex.split(cc)[0] if cc.strip() else "cc"
    if shutil.which(program) is None:
        return f"no C compiler ({program}) on the path"
    return None


_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify

group, build_lib, build_temp, c_dir, *paths = sys.argv[1:]
sys.argv = [sys.argv[0], "build_ext", "--build-lib", build_lib, "--build-temp", build_temp]
setup(
    name="cprules-native",
    ext_modules=mypycify(paths, group_name=group, opt_level="3", target_dir=c_dir),
    script_args=sys.argv[1:],
)
"""


def compile_modules(work: Path, *, quiet: bool = True) -> dict[str, Path]:
    """Compile the candidate modules under ``work``; {path in the package: built file}.

    The keys are paths such as ``cprules/calendar.cpython-311-x86_64-linux-gnu.so``, relative
    to ``src/``; the files stay under ``work`` until the caller copies them. Raises
    :class:`CompileError` with the tail of mypyc's output when the build fails.
    """
    problem = mypyc_problem() or compiler_problem()
    if problem is not None:
        raise CompileError(problem)
    paths = [name.replace(".", "/") + ".py" for name in candidates()]
    lib = work / "lib"
    command = [
        sys.executable, "-c", _SETUP, GROUP, str(lib), str(work / "temp"), str(work / "c"), *paths,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=SRC, capture_output=quiet, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(((done.stdout or "") + (done.stderr or "")).strip().splitlines()[-15:])
        raise CompileError(f"mypyc failed (exit {done.returncode})\n{tail}")
    built = {
        path.relative_to(lib).as_posix(): path
        for path in sorted(lib.rglob("*"))
        if path.is_file() and path.name.endswith(tuple(EXTENSION_SUFFIXES))
    }
    expected = {name.replace(".", "/") for name in candidates()}
    missing = expected - {key.split(".", 1)[0] for key in built}
    if missing:
        raise CompileError(f"mypyc built no extension for {', '.join(sorted(missing))}")
    return built


def _warn(message: str) -> None:
    print(f"cprules build: {message}", file=sys.stderr, flush=True)


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc,valid-type]
    """Adds the mypyc extensions to a wheel (see the module docstring for when)."""

    PLUGIN_NAME = "custom"

    def _mode(self) -> str:
        return os.environ.get("CPRULES_COMPILE", "").strip()

    def dependencies(self) -> list[str]:
        """What mypyc needs in the build environment when ``CPRULES_COMPILE=1``.

        mypy and setuptools, and the project's own dependencies with their type stubs: mypyc
        type-checks the modules against them (and loads pydantic's mypy plugin), so the
        compiled code is built on the same types as ``mypy --strict src`` sees.
        """
        if self.target_name == "wheel" and self._mode() == "1":
            runtime = list(self.metadata.core.dependencies)
            return [MYPY_REQUIREMENT, "setuptools", *runtime, *STUBS]
        return []

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile, and add the extensions to the wheel; on any failure leave the wheel pure."""
        self._work: Path | None = None
        if self.target_name != "wheel" or version == "editable":
            return
        mode = self._mode()
        if mode == "0":
            _warn("CPRULES_COMPILE=0: building the pure-Python wheel")
            return
        if mode not in ("", "1"):
            _warn(f"CPRULES_COMPILE should be 0 or 1, not {mode!r}; taking it as unset")
        if mode != "1" and mypyc_problem() is not None:
            _warn(
                f"{mypyc_problem()}: building the pure-Python wheel "
                "(CPRULES_COMPILE=1 compiles the hot modules with mypyc)"
            )
            return
        work = Path(tempfile.mkdtemp(prefix="cprules-mypyc-"))
        self._work = work
        _warn(f"compiling {len(candidates())} modules with mypyc (CPRULES_COMPILE=0 skips this)")
        try:
            built = compile_modules(work)
        except (CompileError, OSError) as error:
            _warn(f"WARNING: could not compile, building the pure-Python wheel instead: {error}")
            return
        for relative, path in built.items():
            build_data["force_include"][str(path)] = relative
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        _warn(f"compiled: {len(built)} extension files added to the wheel")

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary build directory."""
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
