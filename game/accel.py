"""The compiled engine: the hot-path modules built with mypyc, used when present.

Why: a game with random agents is about 150 commands and eight adjudications of
pure-Python tuple surgery. The same source compiled with mypyc (the mypy project's
compiler for type-annotated Python) runs about twice as fast, and that is what
lets an analyst play ten thousand games in a coffee break. Nothing about the rules
changes: the build is made from exactly the sources beside it and is filed under a
hash of those sources, so an edited module is never shadowed by a stale build. Until
``wedge accel build`` runs again (``make`` does it), the engine quietly runs the
edited pure-Python source.

``WEDGE_PURE=1`` forces pure Python (for profiling and debugging);
``WEDGE_ACCEL_DIR`` moves where builds are kept.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: The modules on the hot path (apply a command, adjudicate, play a game) and what
#: agents do at every decision (read a view, sample the hidden cards, search), in
#: import order. They are compiled together: compiled modules call each other natively, so
#: it is all of them or none. (The heuristic agent's doctrine file format lives apart,
#: in game.agents.doctrine: mypyc cannot compile pydantic models.)
MODULES = (
    "game.rng",
    "game.commands",
    "game.state",
    "game.kinds.ops",
    "game.compiled",
    "game.work",
    "game.phases",
    "game.rules",
    "game.simulate",
    "game.agents.random_agent",
    "game.victory",
    "game.views",
    "game.hashing",
    "game.agents.determinize",
    "game.agents.ismcts",
    "game.agents.heuristic",
)
_FORMAT = "1"  # bump when the layout of a build changes
_PACKAGE_DIR = Path(__file__).resolve().parent


class AccelError(Exception):
    """The compiled engine could not be built (the pure-Python engine still works)."""


def source_path(module: str) -> Path:
    return _PACKAGE_DIR.parent.joinpath(*module.split(".")).with_suffix(".py")


def source_key() -> str:
    """Hash of every compiled module's source and of the interpreter's ABI."""
    h = hashlib.sha256()
    h.update(f"{_FORMAT}|{sys.implementation.cache_tag}|{sysconfig.get_config_var('EXT_SUFFIX')}".encode())
    for module in MODULES:
        h.update(b"\0" + module.encode() + b"\0")
        h.update(source_path(module).read_bytes())
    return h.hexdigest()[:24]


def builds_dir() -> Path:
    """Where builds are kept: ``WEDGE_ACCEL_DIR``, else inside the virtualenv (one per
    interpreter, removed with it), else the user's cache directory."""
    env = os.environ.get("WEDGE_ACCEL_DIR")
    if env:
        return Path(env)
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix) / "wedge-accel"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "wedge" / "accel"


def _manifest(build: Path) -> dict[str, str] | None:
    """module name -> extension file of a complete build (None if there is none)."""
    try:
        data = json.loads((build / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not set(MODULES) <= set(files):
        return None
    out = {str(name): str(build / rel) for name, rel in files.items()}
    return out if all(os.path.isfile(f) for f in out.values()) else None


class _Finder(importlib.abc.MetaPathFinder):
    """Serves the compiled extension for each hot-path module (and their shared library)."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, file, loader=importlib.machinery.ExtensionFileLoader(fullname, file)
        )


_active: str | None = None  # the build directory in use, if any


def install() -> bool:
    """Use the compiled engine if a build of the current sources exists (called by
    ``game/__init__``, before any hot-path module is imported)."""
    global _active
    if _active is not None:
        return True
    if os.environ.get("WEDGE_PURE", "") not in ("", "0") or any(m in sys.modules for m in MODULES):
        return False
    try:
        build = builds_dir() / source_key()
    except OSError:  # a source file missing: an unusual install; run whatever imports
        return False
    files = _manifest(build)
    if files is None:
        return False
    sys.meta_path.insert(0, _Finder(files))
    _active = str(build)
    return True


def active() -> bool:
    """Whether this process runs the compiled engine."""
    return _active is not None


def built() -> bool:
    """Whether a build of the current sources exists (used or not)."""
    try:
        return _manifest(builds_dir() / source_key()) is not None
    except OSError:
        return False


def status() -> str:
    """One line for people: which engine runs, and why."""
    if _active is not None:
        return f"compiled engine (mypyc) in use: {_active}"
    if os.environ.get("WEDGE_PURE", "") not in ("", "0"):
        return "pure-Python engine (WEDGE_PURE is set)"
    build = builds_dir() / source_key()
    if _manifest(build) is not None:
        return f"pure-Python engine this time; a compiled build is ready in {build}"
    return f"pure-Python engine: no compiled build of these sources (run `wedge accel build`; it goes in {build})"


_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
paths, c_dir, lib, tmp, jobs = sys.argv[1].split(","), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
setup(
    name="wedge-accel",
    ext_modules=mypycify(paths, opt_level="3", target_dir=c_dir),
    script_args=["build_ext", "--build-lib", lib, "--build-temp", tmp, "--parallel", jobs],
)
"""


def build(jobs: int = 2, force: bool = False) -> Path:
    """Compile the hot-path modules (about a minute) unless this source already has a
    build. Raises AccelError with the compiler's last lines when it fails."""
    try:
        return _build(jobs, force)
    except OSError as exc:  # a read-only virtualenv, a full disk, ...
        raise AccelError(
            f"cannot write the compiled engine under {builds_dir()}: {exc.strerror or exc}"
            " (WEDGE_ACCEL_DIR chooses another directory)"
        ) from None


def _build(jobs: int, force: bool) -> Path:
    import shutil
    import subprocess
    import tempfile

    key = source_key()
    target = builds_dir() / key
    if not force and _manifest(target) is not None:
        return target
    try:
        import mypyc  # noqa: F401  (only to give a clear error)
    except ImportError:
        raise AccelError("mypyc is not installed (it comes with mypy: pip install mypy)") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wedge-accel-") as tmp:
        work = Path(tmp)
        paths = [str(source_path(m).relative_to(_PACKAGE_DIR.parent)) for m in MODULES]
        dirs = [str(work / "c"), str(work / "lib"), str(work / "tmp")]
        run = subprocess.run(
            [sys.executable, "-c", _SETUP, ",".join(paths), *dirs, str(jobs)],
            cwd=_PACKAGE_DIR.parent,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            tail = "\n".join((run.stdout + run.stderr).strip().splitlines()[-15:])
            raise AccelError(f"mypyc build failed:\n{tail}")
        if source_key() != key:
            raise AccelError("the sources changed during the build; run it again")
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        files: dict[str, str] = {}
        for so in (work / "lib").rglob("*" + suffix):
            rel = so.relative_to(work / "lib")
            name = ".".join(rel.parts)[: -len(suffix)]
            files[name] = str(rel)
        missing = [m for m in MODULES if m not in files]
        if missing:
            raise AccelError(f"mypyc build produced no module for {', '.join(missing)}")
        stage = Path(tempfile.mkdtemp(prefix=key + ".", dir=target.parent))
        for name in files.values():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / "lib" / name, stage / name)
        (stage / "manifest.json").write_text(json.dumps({"key": key, "files": files}, indent=1))
        if target.exists():
            shutil.rmtree(target)
        os.replace(stage, target)  # a build appears whole or not at all
    for old in target.parent.iterdir():  # builds of older sources are never used again
        if old != target and old.is_dir() and "." not in old.name:  # (a dot: another build's staging)
            shutil.rmtree(old, ignore_errors=True)
    return target
