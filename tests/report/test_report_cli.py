"""``wedge report``: outputs where documented, and one clear line for every bad input.

Most cases call :func:`game.cli.main` in-process (the same code the console script runs,
without paying a Python start-up per case); one case runs the real ``wedge`` executable.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from game.cli import main
from game.report.command import default_out

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "game.json"
SNAPSHOT = HERE / "golden" / "report.md"


def _one_line_failure(capsys: pytest.CaptureFixture[str], code: int, name: Path) -> str:
    out, err = capsys.readouterr()
    assert code == 1, (out, err)
    assert out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"wedge: {name}"), err
    return err


def test_markdown_to_stdout_is_the_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(GOLDEN), "--format", "md", "--out", "-"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out == SNAPSHOT.read_text(encoding="utf-8")


def test_markdown_default_file_is_next_to_the_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save = tmp_path / "game.json"
    shutil.copy(GOLDEN, save)
    assert main(["report", str(save), "--format", "md"]) == 0
    written = tmp_path / "game.report.md"
    assert written.read_text(encoding="utf-8") == SNAPSHOT.read_text(encoding="utf-8")
    assert str(written) in capsys.readouterr().out
    assert not list(tmp_path.glob("*.tmp"))


def _truncated(tmp: Path) -> Path:
    p = tmp / "cut.json"
    text = GOLDEN.read_text(encoding="utf-8")
    p.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    return p


def _png(tmp: Path) -> Path:
    p = tmp / "chart.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return p


def _jsonl(tmp: Path) -> Path:
    p = tmp / "games.jsonl"
    rows = [{"index": i, "seed": 7 + i, "end_reason": "last turn", "winners": []} for i in range(3)]
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return p


def _edited_seed(tmp: Path) -> Path:
    p = tmp / "edited.json"
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    data["seed"] += 1
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def _edited_scenario(tmp: Path) -> Path:
    p = tmp / "rescored.json"
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    data["scenario"]["tracks"][0]["start"] = 40
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def _edited_command(tmp: Path) -> Path:
    p = tmp / "forged.json"
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    i = next(i for i, c in enumerate(data["commands"]) if c == "us:seal")
    data["commands"][i + 1 :] = ["us:play:us-leaders-summit", *data["commands"][i + 1 :]]
    data["hashes"][i + 1 :] = [data["hashes"][i], *data["hashes"][i + 1 :]]
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


BAD = {
    "truncated": (_truncated, "truncated"),
    "png": (_png, "not a Wedge save"),
    "playtest_jsonl": (_jsonl, "JSON lines"),
    "edited_seed": (_edited_seed, "the save was edited"),
    "edited_scenario": (_edited_scenario, "does not match its hash"),
    "edited_command": (_edited_command, "refused on replay"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_get_one_line_naming_file_and_problem(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, problem = BAD[case]
    path = make(tmp_path)
    err = _one_line_failure(capsys, main(["report", str(path), "--format", "md"]), path)
    assert problem in err
    assert not [p for p in tmp_path.iterdir() if ".report." in p.name]  # nothing half-written


def test_missing_file_and_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert "cannot read" in _one_line_failure(capsys, main(["report", str(missing)]), missing)
    out = tmp_path / "no-such-dir" / "r.md"
    err = _one_line_failure(capsys, main(["report", str(GOLDEN), "--format", "md", "--out", str(out)]), out)
    assert "cannot write" in err


def test_default_outputs_sit_next_to_the_save() -> None:
    assert default_out("runs/game.json", "html") == Path("runs/game.report.html")
    assert default_out("saves/autosave-1.json", "md") == Path("saves/autosave-1.report.md")
    assert default_out("game", "html") == Path("game.report.html")


def test_real_executable(wedge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The installed script end to end (Markdown: the HTML's charts are covered in-process)."""
    save = tmp_path / "class-game.json"
    shutil.copy(GOLDEN, save)
    proc = wedge("report", save, "--format", "md")
    assert proc.returncode == 0, proc.stderr
    written = tmp_path / "class-game.report.md"
    assert written.read_text(encoding="utf-8") == SNAPSHOT.read_text(encoding="utf-8")
    bad = wedge("report", _truncated(tmp_path))
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().startswith(f"wedge: {tmp_path / 'cut.json'}") and "truncated" in bad.stderr
