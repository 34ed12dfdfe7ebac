"""The `wedge` command line, run as a subprocess: exit codes, output, and never a traceback."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from game.rulebook import SECTIONS

LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")


def _clean_failure(proc, code: int = 1) -> str:  # type: ignore[no-untyped-def]
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.stderr.strip(), "a failure explains itself on stderr"
    return proc.stderr


# ------------------------------------------------------------------------ validate


def test_validate_standard(wedge, standard_path: Path) -> None:
    proc = wedge("validate", standard_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith(f"{standard_path}: ok")


def test_validate_several_files(wedge, standard_path: Path, mini_path: Path) -> None:
    proc = wedge("validate", standard_path, mini_path)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2
    assert all(": ok" in line for line in proc.stdout.splitlines())


def test_validate_every_shipped_yaml(wedge, standard_path: Path) -> None:
    """`wedge validate scenarios/*.yaml` meets the heuristic doctrines too and checks them as doctrines."""
    paths = sorted(standard_path.parent.glob("*.yaml"))
    assert any(p.name.startswith("doctrine") for p in paths)
    proc = wedge("validate", *paths)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(paths)


def test_validate_broken_doctrine_names_the_line(wedge, standard_path: Path, tmp_path: Path) -> None:
    shutil.copy(standard_path, tmp_path / "standard.yaml")
    text = (standard_path.parent / "doctrine.yaml").read_text(encoding="utf-8")
    card = "us-tariff-carrot"
    assert card in text
    broken = tmp_path / "doctrine.yaml"
    broken.write_text(text.replace(card, "us-no-such-card", 1), encoding="utf-8")
    err = _clean_failure(wedge("validate", broken))
    first = err.splitlines()[0]
    m = LOCATED.match(first)
    assert m and m["file"] == str(broken), first
    assert "us-no-such-card" in err


BREAKAGES = {
    "yaml_syntax": ("rules:\n  turns: 8\n", "rules: [\n  turns: 8\n"),
    "out_of_range": ("    start: 78\n", "    start: 978\n"),
    "unknown_reference": (
        "suspended_by: [far_east, sanctions_bite, border_crisis]",
        "suspended_by: [far_east, nowhere]",
    ),
    "wrong_type": ("  turns: 8\n", "  turns: eight\n"),
    "duplicate_key": ("  turns: 8\n", "  turns: 8\n  turns: 9\n"),
    "tab_indent": ("  turns: 8\n", "\tturns: 8\n"),
}


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_validate_broken_scenario(wedge, standard_path: Path, tmp_path: Path, kind: str) -> None:
    old, new = BREAKAGES[kind]
    text = standard_path.read_text(encoding="utf-8")
    assert old in text, f"the standard scenario no longer contains {old!r}"
    broken = tmp_path / f"broken-{kind}.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = wedge("validate", broken)
    err = _clean_failure(proc)
    lines = err.strip().splitlines()
    for line in lines:
        m = LOCATED.match(line)
        assert m, f"not FILE:LINE:COL: {line!r}"
        assert m["file"] == str(broken)
        assert 1 <= int(m["line"]) <= text.count("\n") + 2
        assert int(m["col"]) >= 1
    assert proc.stdout == ""


def test_validate_reports_the_line_of_a_yaml_error(wedge, tmp_path: Path) -> None:
    broken = tmp_path / "tiny.yaml"
    broken.write_text("scenario:\n  id: x\n  title: y\nrules: [\n", encoding="utf-8")
    err = _clean_failure(wedge("validate", broken))
    assert err.startswith(f"{broken}:")
    assert LOCATED.match(err.splitlines()[0])


def test_validate_mixed_good_and_bad(wedge, standard_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("just a string\n", encoding="utf-8")
    proc = wedge("validate", standard_path, bad)
    _clean_failure(proc)
    assert f"{standard_path}: ok" in proc.stdout
    assert str(bad) in proc.stderr


@pytest.mark.parametrize("what", ["missing", "directory", "binary", "empty"])
def test_validate_unreadable(wedge, tmp_path: Path, what: str) -> None:
    path = tmp_path / f"{what}.yaml"
    if what == "directory":
        path.mkdir()
    elif what == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage\x80")
    elif what == "empty":
        path.write_bytes(b"")
    err = _clean_failure(wedge("validate", path))
    assert LOCATED.match(err.splitlines()[0]), err


# ----------------------------------------------------------------- simulate / replay


@pytest.fixture(scope="module")
def saved(wedge, standard_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("cli") / "game.json"
    proc = wedge("simulate", standard_path, "--seed", "5", "--json", "--save", path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return path, json.loads(proc.stdout)


def test_simulate_save_then_replay_verify(wedge, saved: tuple[Path, dict]) -> None:
    path, summary = saved
    assert path.exists()
    proc = wedge("replay", path, "--verify")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout.strip()
    assert out.startswith(f"{path}: ok")
    assert summary["state_hash"] in out
    assert len(json.loads(path.read_text(encoding="utf-8"))["commands"]) > 0


def test_replay_without_verify_tells_the_story(wedge, saved: tuple[Path, dict]) -> None:
    path, summary = saved
    proc = wedge("replay", path)
    assert proc.returncode == 0, proc.stderr
    assert "Turn 1" in proc.stdout
    assert "Final tracks" in proc.stdout


def test_simulate_without_json_tells_the_story(wedge, standard_path: Path) -> None:
    proc = wedge("simulate", standard_path, "--seed", "5")
    assert proc.returncode == 0, proc.stderr
    assert "seed 5" in proc.stdout
    assert "Turn 1" in proc.stdout


def _corrupt(src: Path, dst: Path, how: str) -> Path:
    raw = src.read_bytes()
    if how == "truncated":
        dst.write_bytes(raw[: len(raw) // 2])
    elif how == "garbage":
        dst.write_bytes(b"\x00\xff" * 50)
    elif how == "empty":
        dst.write_bytes(b"")
    elif how == "not_json":
        dst.write_text("this is not json\n", encoding="utf-8")
    elif how == "edited_hash":
        data = json.loads(raw)
        data["hashes"][3] = "0" * 32
        dst.write_text(json.dumps(data), encoding="utf-8")
    elif how == "edited_scenario":
        data = json.loads(raw)
        data["scenario"]["scenario"]["title"] = "Edited"
        dst.write_text(json.dumps(data), encoding="utf-8")
    elif how == "refused_command":
        data = json.loads(raw)
        data["commands"][0] = "us:seal"
        dst.write_text(json.dumps(data), encoding="utf-8")
    elif how == "wrong_format":
        data = json.loads(raw)
        data["format"] = "other"
        dst.write_text(json.dumps(data), encoding="utf-8")
    elif how == "newer_version":
        data = json.loads(raw)
        data["version"] = 99
        dst.write_text(json.dumps(data), encoding="utf-8")
    return dst


@pytest.mark.parametrize(
    "how, expect",
    [
        ("truncated", "truncated"),
        ("garbage", "not a Wedge save"),
        ("empty", "empty"),
        ("not_json", "not valid JSON"),
        ("edited_hash", "command 4 "),
        ("edited_scenario", "does not match its hash"),
        ("refused_command", "command 1 "),
        ("wrong_format", "not a Wedge save"),
        ("newer_version", "version 99"),
        ("missing", "cannot read"),
    ],
)
def test_replay_corrupted_save(wedge, saved: tuple[Path, dict], tmp_path: Path, how: str, expect: str) -> None:
    src, _ = saved
    dst = tmp_path / "save.json"
    if how != "missing":
        _corrupt(src, dst, how)
    proc = wedge("replay", dst, "--verify")
    err = _clean_failure(proc)
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("wedge: ")
    assert str(dst) in err or how in ("edited_hash", "refused_command")
    assert expect in err.replace(str(dst), "<file>")


def test_replay_of_a_save_with_a_unicode_digit_rollback(wedge, saved: tuple[Path, dict], tmp_path: Path) -> None:
    """'gm:rollback:²' once escaped as a bare ValueError and a traceback."""
    src, _ = saved
    data = json.loads(src.read_bytes())
    data["commands"].insert(0, "gm:rollback:²")
    data["hashes"].insert(0, "0" * 32)
    dst = tmp_path / "rollback.json"
    dst.write_text(json.dumps(data), encoding="utf-8")
    proc = wedge("replay", dst, "--verify")
    err = _clean_failure(proc)
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_seed_out_of_range(wedge, seed: str) -> None:
    err = _clean_failure(wedge("simulate", "--seed", seed, "--json"), code=2)
    assert "--seed" in err


def test_simulate_broken_scenario(wedge, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    err = _clean_failure(wedge("simulate", bad, "--json"))
    assert LOCATED.match(err.splitlines()[0])


# ------------------------------------------------------------------------ rulebook


def _has_markers(text: str) -> bool:
    return all(f"<!-- BEGIN GENERATED {name} -->" in text for name in SECTIONS)


def test_committed_rulebook_is_up_to_date(wedge, standard_path: Path, rulebook_path: Path) -> None:
    """The "rulebook out of date" guard: regenerate with `wedge rulebook` after editing the scenario."""
    if not rulebook_path.exists() or not _has_markers(rulebook_path.read_text(encoding="utf-8")):
        pytest.skip("rulebook.md has no generated sections yet")
    before = rulebook_path.read_bytes()
    proc = wedge("rulebook", standard_path, "--rulebook", rulebook_path, "--check")
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout
    assert rulebook_path.read_bytes() == before, "--check must not write"


@pytest.fixture
def rulebook_copy(wedge, standard_path: Path, rulebook_path: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A temp copy of the scenario and a rulebook generated from it (from the committed one
    when it has markers, else from a skeleton holding every marker)."""
    scenario = tmp_path / "scenario.yaml"
    shutil.copyfile(standard_path, scenario)
    book = tmp_path / "rulebook.md"
    if rulebook_path.exists() and _has_markers(rulebook_path.read_text(encoding="utf-8")):
        shutil.copyfile(rulebook_path, book)
    else:
        book.write_text(
            "# Rulebook\n\nHand-written prose.\n\n"
            + "".join(f"<!-- BEGIN GENERATED {n} -->\nstale\n<!-- END GENERATED {n} -->\n\n" for n in SECTIONS),
            encoding="utf-8",
        )
        proc = wedge("rulebook", scenario, "--rulebook", book)
        assert proc.returncode == 0, proc.stderr
    return scenario, book


def test_rulebook_check_detects_an_edited_card_title(wedge, rulebook_copy: tuple[Path, Path]) -> None:
    scenario, book = rulebook_copy
    proc = wedge("rulebook", scenario, "--rulebook", book, "--check")
    assert proc.returncode == 0, proc.stderr

    old_title = "Secondary sanctions on foreign banks"
    new_title = "Secondary sanctions on offshore banks"
    text = scenario.read_text(encoding="utf-8")
    assert f"title: {old_title}\n" in text
    scenario.write_text(text.replace(f"title: {old_title}\n", f"title: {new_title}\n", 1), encoding="utf-8")

    before = book.read_bytes()
    proc = wedge("rulebook", scenario, "--rulebook", book, "--check")
    err = _clean_failure(proc)
    assert "out of date" in err
    assert book.read_bytes() == before, "--check must not write"

    # Regenerating brings the new title in and keeps the hand-written prose.
    proc = wedge("rulebook", scenario, "--rulebook", book)
    assert proc.returncode == 0, proc.stderr
    regenerated = book.read_text(encoding="utf-8")
    assert new_title in regenerated and old_title not in regenerated
    prose = [line for line in before.decode("utf-8").splitlines() if old_title not in line]
    assert all(line in regenerated.splitlines() for line in prose[:5])
    proc = wedge("rulebook", scenario, "--rulebook", book, "--check")
    assert proc.returncode == 0, proc.stderr


def test_rulebook_broken_scenario(wedge, rulebook_copy: tuple[Path, Path]) -> None:
    scenario, book = rulebook_copy
    scenario.write_text("rules: [\n", encoding="utf-8")
    err = _clean_failure(wedge("rulebook", scenario, "--rulebook", book, "--check"))
    assert LOCATED.match(err.splitlines()[0])


# ---------------------------------------------------------------------------- play


def test_play_prints_a_story(wedge, standard_path: Path) -> None:
    proc = wedge("play", standard_path, "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert "Wedge: Prying Apart the Russia–PRC Alignment — seed 3" in out
    assert "Turn 1" in out
    assert "Final tracks:" in out
    assert "Game over" in out


def test_play_default_scenario(wedge) -> None:
    proc = wedge("play")
    assert proc.returncode == 0, proc.stderr
    assert "Turn 1" in proc.stdout


def test_no_command_is_a_usage_error(wedge) -> None:
    proc = wedge()
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "usage" in proc.stderr
