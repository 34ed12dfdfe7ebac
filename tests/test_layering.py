"""The engine (`game/`) never imports Textual: the UI builds on the engine, never the reverse.

The only way from `game/` to the terminal UI is the `wedge` command itself, whose
handlers for `play`, `replay`, `join`, `watch` and `web` import `tui` when they run.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from wedge_testing import ROOT

UI_PACKAGES = ("textual", "textual_serve", "tui")
#: command-line modules whose handlers start the UI (imports inside functions only)
COMMAND_LINE = {"game/cli.py", "game/server/commands.py"}


def _ui_imports(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """(line, module, inside a function) for every import of a UI package."""
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [child.module]
            for name in names:
                if name.split(".")[0] in UI_PACKAGES:
                    found.append((child.lineno, name, inside))
            visit(child, inside)

    visit(tree, False)
    return found


def test_no_engine_module_imports_the_ui() -> None:
    offenders = []
    for path in sorted((ROOT / "game").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for line, module, inside in _ui_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if not (rel in COMMAND_LINE and inside):
                offenders.append(f"{rel}:{line}: imports {module}")
    assert offenders == []


def test_importing_every_engine_module_loads_no_ui() -> None:
    code = (
        "import json, pkgutil, importlib, sys\n"
        "import game\n"
        "for m in pkgutil.walk_packages(game.__path__, 'game.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        f"print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in {UI_PACKAGES!r})))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []
