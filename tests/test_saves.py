"""Save files: round trip, verified replay, and every way a save can be damaged.

Each damaged save must fail with a one-line SaveError naming the file (or with a
ReplayMismatch naming the first command whose state differs), never with a crash.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from game.compiled import Compiled
from game.hashing import state_hash
from game.record import (
    SAVE_VERSION,
    GameRecord,
    ReplayMismatch,
    SaveError,
    final_state,
    load_save,
    parse_save,
    record_from_commands,
    replay,
)
from game.rules import apply, legal_actions, new_game
from game.simulate import play_random

SEED = 11


@pytest.fixture(scope="module")
def played(standard_sc: Compiled) -> tuple[GameRecord, list[str]]:
    game = play_random(standard_sc, SEED)
    rec = record_from_commands(standard_sc, SEED, list(game.commands), {"agents": "random"})
    assert rec.hashes[-1] == state_hash(game.state)
    return rec, [state_hash(s) for s in _states(standard_sc, SEED, rec.commands)]


def _states(sc: Compiled, seed: int, commands: list[str]) -> list[Any]:
    s = new_game(sc, seed)
    out = []
    for c in commands:
        s = apply(s, c)
        out.append(s)
    return out


@pytest.fixture
def save_path(tmp_path: Path, played: tuple[GameRecord, list[str]]) -> Path:
    path = tmp_path / "game.wedge.json"
    played[0].save(path)
    return path


def _data(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def _one_line(exc: BaseException, path: Path | None = None) -> str:
    """The message, checked to be one line; with `path`, checked to name the file, and
    returned without the file name (tmp_path names echo the test's own name)."""
    text = str(exc)
    assert "\n" not in text.strip(), text
    assert "Traceback" not in text
    if path is not None:
        assert text.startswith(f"{path}:"), text
        text = text.replace(str(path), "<file>")
    return text


# -------------------------------------------------------------------- round trip


def test_save_load_replay_verify(save_path: Path, played: tuple[GameRecord, list[str]], standard_sc: Compiled) -> None:
    rec, hashes = played
    back = load_save(save_path)
    assert back.seed == SEED
    assert back.commands == rec.commands
    assert back.hashes == rec.hashes == hashes
    assert back.initial_hash == rec.initial_hash
    assert back.meta == {"agents": "random"}
    assert back.sc.content_hash == standard_sc.content_hash
    assert [state_hash(s) for _, _, s in replay(back, verify=True)] == hashes
    end = final_state(back)
    assert end.over
    assert state_hash(end) == hashes[-1]
    # Saving what was loaded writes the same bytes.
    again = save_path.with_name("again.json")
    back.save(again)
    assert again.read_bytes() == save_path.read_bytes()
    assert not list(save_path.parent.glob("*.tmp")), "atomic save left its temporary file behind"


def test_empty_game_round_trips(tmp_path: Path, mini_sc: Compiled) -> None:
    rec, s = GameRecord.start(mini_sc, 5)
    path = tmp_path / "empty.json"
    rec.save(path)
    back = load_save(path)
    assert back.commands == [] and back.hashes == []
    assert list(replay(back, verify=True)) == []
    assert state_hash(final_state(back)) == state_hash(s)


def test_parse_save_accepts_text_and_bytes(played: tuple[GameRecord, list[str]]) -> None:
    rec, _ = played
    text = rec.to_json()
    assert parse_save(text).commands == rec.commands
    assert parse_save(text.encode("utf-8")).commands == rec.commands


# ------------------------------------------------------------------- truncation


def _position_inside_string(text: str, start: int) -> int:
    """The first index at or after `start` that lies inside a JSON string literal."""
    inside = escaped = False
    for i, ch in enumerate(text):
        if inside and i >= start and not escaped and ch not in '"\\':
            return i
        if inside:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                inside = False
        elif ch == '"':
            inside = True
    raise AssertionError("no string after start")


def _position_between_tokens(text: str, start: int) -> int:
    """The index just after the first comma at or after `start` that is outside strings."""
    inside = escaped = False
    for i, ch in enumerate(text):
        if inside:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                inside = False
        elif ch == '"':
            inside = True
        elif ch == "," and i >= start:
            return i + 1
    raise AssertionError("no comma after start")


def _truncated_error(path: Path, cut: int) -> str:
    """Keep the first `cut` characters of the save (cutting on a character boundary)."""
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text[:cut].encode("utf-8"))
    with pytest.raises(SaveError) as info:
        load_save(path)
    return _one_line(info.value, path)


def test_truncated_between_tokens(save_path: Path) -> None:
    text = save_path.read_text(encoding="utf-8")
    msg = _truncated_error(save_path, _position_between_tokens(text, len(text) // 2))
    assert "truncated" in msg


def test_truncated_mid_number(save_path: Path) -> None:
    text = save_path.read_text(encoding="utf-8")
    cut = text.index('"seed": ') + len('"seed": ') + 1  # keep one digit of the seed
    msg = _truncated_error(save_path, cut)
    assert "truncated" in msg


def test_truncated_inside_a_string(save_path: Path) -> None:
    """JSONDecodeError points at the start of an unterminated string, not at the cut."""
    text = save_path.read_text(encoding="utf-8")
    msg = _truncated_error(save_path, _position_inside_string(text, len(text) // 2))
    assert "truncated" in msg


def test_truncated_in_half(save_path: Path) -> None:
    """Cut the bytes in half, as a crash mid-write would."""
    raw = save_path.read_bytes()
    save_path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "truncated" in _one_line(info.value, save_path)


def test_truncated_inside_a_utf8_character(save_path: Path) -> None:
    """A crash mid-write can end the file inside a multi-byte character."""
    raw = save_path.read_bytes()
    cut = raw.rindex("–".encode()) + 1  # keep the first byte of the last en dash
    save_path.write_bytes(raw[:cut])
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "truncated" in _one_line(info.value, save_path)


def test_truncated_in_half_is_still_a_one_line_save_error(save_path: Path) -> None:
    text = save_path.read_text(encoding="utf-8")
    msg = _truncated_error(save_path, len(text) // 2)
    assert msg.startswith("<file>:")


# ----------------------------------------------------------------- edited saves


def test_edited_command_is_caught_at_its_index(
    save_path: Path, played: tuple[GameRecord, list[str]], standard_sc: Compiled
) -> None:
    """Swap a recorded play for another legal play of the same role: the replay stops at it."""
    rec, _ = played
    states = _states(standard_sc, SEED, rec.commands)
    before = [new_game(standard_sc, SEED), *states]
    for i, command in enumerate(rec.commands):
        role, verb = command.split(":")[:2]
        if verb != "play":
            continue
        r = standard_sc.role_index[role]
        others = [c.text for c in legal_actions(before[i], r) if c.verb == "play" and c.text != command]
        if others:
            break
    else:
        pytest.fail("no play with an alternative in this game")
    data = _data(save_path)
    data["commands"][i] = others[0]
    _write(save_path, data)
    rec2 = load_save(save_path)
    with pytest.raises(ReplayMismatch) as info:
        for _ in replay(rec2, verify=True):
            pass
    exc = info.value
    assert exc.index == i
    assert exc.command == others[0]
    msg = _one_line(exc)
    assert f"command {i + 1} " in msg
    assert others[0] in msg


def test_edited_command_refused_on_replay(save_path: Path, played: tuple[GameRecord, list[str]]) -> None:
    """An edit that the rules refuse (here: a role plays another role's card)."""
    rec, _ = played
    i = next(k for k, c in enumerate(rec.commands) if c.startswith("us:play:"))
    data = _data(save_path)
    data["commands"][i] = "us:play:prc-curb-dual-use-exports"
    _write(save_path, data)
    rec2 = load_save(save_path)
    with pytest.raises(SaveError) as info:
        for _ in replay(rec2, verify=True):
            pass
    msg = _one_line(info.value)
    assert f"command {i + 1} " in msg
    assert "refused" in msg
    assert "prc-curb-dual-use-exports" in msg


def test_edited_command_that_is_not_a_command(save_path: Path) -> None:
    data = _data(save_path)
    data["commands"][0] = "this is not a command"
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        list(replay(load_save(save_path), verify=True))
    assert "command 1 " in _one_line(info.value)


def test_edited_hash_is_a_mismatch(save_path: Path, played: tuple[GameRecord, list[str]]) -> None:
    rec, _ = played
    k = len(rec.hashes) // 3
    data = _data(save_path)
    data["hashes"][k] = "0" * 32
    _write(save_path, data)
    with pytest.raises(ReplayMismatch) as info:
        list(replay(load_save(save_path), verify=True))
    assert info.value.index == k
    assert info.value.expected == "0" * 32
    assert info.value.actual == rec.hashes[k]
    assert f"command {k + 1} " in _one_line(info.value)
    # Without verification the same save still replays to the end.
    assert len(list(replay(load_save(save_path), verify=False))) == len(rec.commands)


def test_edited_initial_hash_is_a_setup_mismatch(save_path: Path) -> None:
    data = _data(save_path)
    data["initial_hash"] = "f" * 32
    _write(save_path, data)
    with pytest.raises(ReplayMismatch) as info:
        list(replay(load_save(save_path), verify=True))
    assert info.value.index == -1


def test_edited_seed_is_a_mismatch(save_path: Path) -> None:
    data = _data(save_path)
    data["seed"] = SEED + 1
    _write(save_path, data)
    with pytest.raises((ReplayMismatch, SaveError)) as info:
        list(replay(load_save(save_path), verify=True))
    if isinstance(info.value, ReplayMismatch):
        assert info.value.index == -1


def test_edited_scenario_does_not_match_its_hash(save_path: Path) -> None:
    data = _data(save_path)
    data["scenario"]["cards"][0]["cost"] = data["scenario"]["cards"][0]["cost"] + 1
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    msg = _one_line(info.value, save_path)
    assert "does not match its hash" in msg


def test_edited_scenario_title_does_not_match_its_hash(save_path: Path) -> None:
    data = _data(save_path)
    data["scenario"]["cards"][0]["title"] += " (edited)"
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "does not match its hash" in _one_line(info.value, save_path)


def test_edited_scenario_with_rehash_is_caught_by_state_hashes(save_path: Path) -> None:
    """Re-hashing the edited scenario does not help: every state hash covers the scenario."""
    from game.compiled import content_hash
    from game.scenario.models import Scenario

    data = _data(save_path)
    data["scenario"]["cards"][0]["title"] += " (edited)"
    data["scenario_hash"] = content_hash(Scenario.model_validate(data["scenario"]))
    _write(save_path, data)
    with pytest.raises(ReplayMismatch) as info:
        list(replay(load_save(save_path), verify=True))
    assert info.value.index == -1


def test_invalid_embedded_scenario(save_path: Path) -> None:
    data = _data(save_path)
    data["scenario"]["tracks"][0]["min"] = "low"
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    msg = _one_line(info.value, save_path)
    assert "scenario.tracks" in msg


def test_commands_and_hashes_disagree(save_path: Path) -> None:
    data = _data(save_path)
    data["hashes"].pop()
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "hashes" in _one_line(info.value, save_path)


# --------------------------------------------------------------- not a save at all


@pytest.mark.parametrize("fmt", ["wedge-game", "", None, 1])
def test_wrong_format_field(save_path: Path, fmt: object) -> None:
    data = _data(save_path)
    data["format"] = fmt
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    msg = _one_line(info.value, save_path)
    assert "not a Wedge save" in msg


def test_missing_format_field(save_path: Path) -> None:
    data = _data(save_path)
    del data["format"]
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "not a Wedge save" in _one_line(info.value, save_path)


@pytest.mark.parametrize("text", ["[]", "null", "42", '"wedge-save"'])
def test_json_that_is_not_an_object(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SaveError) as info:
        load_save(path)
    assert "not a Wedge save" in _one_line(info.value, path)


def test_non_utf8(save_path: Path) -> None:
    raw = save_path.read_bytes()
    save_path.write_bytes(raw[:100] + b"\xff\xfe\x80" + raw[100:])
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    msg = _one_line(info.value, save_path)
    assert "UTF-8" in msg


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SaveError) as info:
        load_save(path)
    _one_line(info.value, path)


@pytest.mark.parametrize("content", [b"", b"   \n\t\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    with pytest.raises(SaveError) as info:
        load_save(path)
    msg = _one_line(info.value, path)
    assert "empty" in msg


def test_newer_version(save_path: Path) -> None:
    data = _data(save_path)
    data["version"] = SAVE_VERSION + 1
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    msg = _one_line(info.value, save_path)
    assert "version" in msg
    assert str(SAVE_VERSION + 1) in msg


@pytest.mark.parametrize("version", [str(SAVE_VERSION + 1), float(SAVE_VERSION + 1)])
def test_newer_version_not_written_as_an_int(save_path: Path, version: object) -> None:
    """pydantic would coerce "2" or 2.0 to 2: the version check must not be bypassed."""
    data = _data(save_path)
    data["version"] = version
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "version" in _one_line(info.value, save_path)


@pytest.mark.parametrize("version", [0, -1])
def test_impossible_version(save_path: Path, version: int) -> None:
    data = _data(save_path)
    data["version"] = version
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "version" in _one_line(info.value, save_path)


def test_unknown_field(save_path: Path) -> None:
    data = _data(save_path)
    data["extra"] = 1
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "extra" in _one_line(info.value, save_path)


@pytest.mark.parametrize("seed", [-1, 2**63, "seven"])
def test_bad_seed(save_path: Path, seed: object) -> None:
    data = _data(save_path)
    data["seed"] = seed
    _write(save_path, data)
    with pytest.raises(SaveError) as info:
        load_save(save_path)
    assert "seed" in _one_line(info.value, save_path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "missing.json"
    with pytest.raises(SaveError) as info:
        load_save(path)
    msg = _one_line(info.value, path)
    assert "cannot read" in msg


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(SaveError) as info:
        load_save(tmp_path)
    assert "cannot read" in _one_line(info.value, tmp_path)


# ------------------------------------------------------------- header (version 2)


def test_a_save_cut_after_a_complete_command_is_refused(save_path: Path) -> None:
    """The last three commands and their hashes removed: valid JSON, every remaining hash
    matches, but the header's count and final hash do not."""
    data = _data(save_path)
    data["commands"], data["hashes"] = data["commands"][:-3], data["hashes"][:-3]
    with pytest.raises(SaveError) as err:
        load_save(_write(save_path, data))
    msg = _one_line(err.value, save_path)
    assert "truncated or edited" in msg and str(data["length"]) in msg


@pytest.mark.parametrize("field", ["length", "final_hash"])
def test_a_version_2_save_without_its_header_is_refused(save_path: Path, field: str) -> None:
    data = _data(save_path)
    assert data["version"] == 2
    del data[field]
    with pytest.raises(SaveError) as err:
        load_save(_write(save_path, data))
    assert "missing" in _one_line(err.value, save_path)


def test_a_version_1_save_still_loads(save_path: Path, played: tuple[GameRecord, list[str]]) -> None:
    """Saves written before the header existed replay and verify as before."""
    data = _data(save_path)
    data["version"] = 1
    del data["length"], data["final_hash"]
    rec = load_save(_write(save_path, data))
    assert state_hash(final_state(rec, verify=True)) == played[0].hashes[-1]


@pytest.mark.parametrize(("field", "value"), [("seed", "11"), ("seed", 11.0), ("seed", True), ("length", "5")])
def test_save_numbers_are_strict(save_path: Path, field: str, value: Any) -> None:
    data = _data(save_path)
    data[field] = value
    with pytest.raises(SaveError) as err:
        load_save(_write(save_path, data))
    assert field in _one_line(err.value, save_path)
