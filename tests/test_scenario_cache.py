"""The validated-scenario cache: same result as validating, keyed by content and code, safe to delete."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from game.scenario import cache
from game.scenario.cache import cache_key, load_scenario_cached
from game.scenario.loader import ScenarioError, load_scenario

STANDARD = Path(__file__).resolve().parents[1] / "scenarios" / "standard.yaml"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WEDGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WEDGE_NO_CACHE", raising=False)
    return tmp_path / "cache" / "scenarios"


def _copy(tmp_path: Path, text: str | None = None) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text if text is not None else STANDARD.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_a_hit_is_the_validated_scenario_and_is_served_from_the_cache(tmp_path: Path, cache_dir: Path) -> None:
    path = _copy(tmp_path)
    first = load_scenario_cached(path)
    assert first == load_scenario(path)
    (entry,) = cache_dir.glob("*.pickle")
    assert entry.name == cache_key(path.read_bytes()) + ".pickle"
    again = load_scenario_cached(path)
    assert again == first and again is not first
    # fields given explicitly in the file are still known as such (the references check uses them)
    assert again.rules.model_fields_set == first.rules.model_fields_set
    # proof that the entry is what is served: plant another valid scenario under the same key
    other = first.model_copy(update={"scenario": first.scenario.model_copy(update={"title": "Planted"})})
    entry.write_bytes(pickle.dumps(other))
    assert load_scenario_cached(path).scenario.title == "Planted"


def test_an_edit_is_a_new_key_and_problems_are_reported_as_by_the_loader(tmp_path: Path, cache_dir: Path) -> None:
    path = _copy(tmp_path)
    load_scenario_cached(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("turns: 8", "turns: 7", 1), encoding="utf-8")
    assert "turns: 7" in path.read_text(encoding="utf-8")
    assert load_scenario_cached(path).rules.turns == 7
    assert len(list(cache_dir.glob("*.pickle"))) == 2
    path.write_text(text.replace("turns: 8", "turns: 0", 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as cached:
        load_scenario_cached(path)
    with pytest.raises(ScenarioError) as plain:
        load_scenario(path)
    assert str(cached.value) == str(plain.value) and f"{path}:" in str(cached.value)
    assert len(list(cache_dir.glob("*.pickle"))) == 2, "a scenario with problems is never stored"
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario_cached(missing)


def test_damaged_entries_are_ignored_and_rewritten(tmp_path: Path, cache_dir: Path) -> None:
    path = _copy(tmp_path)
    good = load_scenario_cached(path)
    (entry,) = cache_dir.glob("*.pickle")
    for junk in (b"", b"not a pickle", pickle.dumps({"a": "dict, not a Scenario"})):
        entry.write_bytes(junk)
        assert load_scenario_cached(path) == good
        assert entry.read_bytes() != junk


def test_new_validation_code_never_reads_old_entries(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy(tmp_path)
    old_key = cache_key(path.read_bytes())
    load_scenario_cached(path)
    monkeypatch.setattr(cache, "_code_digest", b"another version of the models")
    assert cache_key(path.read_bytes()) != old_key
    load_scenario_cached(path)
    assert len(list(cache_dir.glob("*.pickle"))) == 2


def test_off_or_unwritable_cache_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy(tmp_path)
    monkeypatch.setenv("WEDGE_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("WEDGE_NO_CACHE", "1")
    assert load_scenario_cached(path) == load_scenario(path)
    assert not (tmp_path / "c").exists()
    monkeypatch.delenv("WEDGE_NO_CACHE")
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("WEDGE_CACHE_DIR", str(blocker))  # mkdir fails under a file
    assert load_scenario_cached(path) == load_scenario(path)


def test_the_key_covers_every_kind_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kinds validate themselves (game/kinds): a copy of the package with one kind module
    edited gives a different key for the same file."""
    import shutil

    game_dir = Path(cache.__file__).resolve().parents[1]
    copy = tmp_path / "game"
    shutil.copytree(game_dir, copy, ignore=shutil.ignore_patterns("__pycache__"))
    data = b"scenario bytes"
    monkeypatch.setattr(cache, "_code_digest", None)
    before = cache_key(data)
    kinds = copy / "kinds" / "effects.py"
    kinds.write_text(kinds.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(cache, "__file__", str(copy / "scenario" / "cache.py"))
    monkeypatch.setattr(cache, "_code_digest", None)
    assert cache_key(data) != before
