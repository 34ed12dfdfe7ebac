"""Seat specs (game/agents/registry.py): how ``KIND[:ARG][:key=value...]`` is split.

A URL parameter holds colons of its own (``base_url=http://127.0.0.1:8080/v1``), so a piece
without ``=`` after a ``key=value`` piece continues that value; everything else parses as
it always did.
"""

from __future__ import annotations

import pytest

from game.agents.registry import AgentSpecError, SeatSpec, parse_named_seats, parse_spec


def test_a_url_value_keeps_its_colons() -> None:
    spec = parse_spec("llm:model=m:base_url=http://127.0.0.1:8080/v1:temperature=0.2")
    assert spec == SeatSpec("llm", "", {"model": "m", "base_url": "http://127.0.0.1:8080/v1", "temperature": "0.2"})


def test_a_url_value_last_and_ipv6() -> None:
    assert parse_spec("llm:model=m:base_url=https://api.example:443/v1").params["base_url"] == (
        "https://api.example:443/v1"
    )
    assert parse_spec("llm:base_url=http://[::1]:8080/v1:model=m").params == {
        "base_url": "http://[::1]:8080/v1",
        "model": "m",
    }


def test_a_spec_with_a_url_round_trips_through_its_text() -> None:
    spec = parse_spec("llm:model=m:base_url=http://127.0.0.1:8080/v1:temperature=0.2")
    assert parse_spec(spec.text) == spec


def test_a_url_in_a_seat_list() -> None:
    seats = parse_named_seats(
        "us=llm:model=m:base_url=http://127.0.0.1:8080/v1,prc=random", ("us", "russia", "prc", "india")
    )
    assert seats["us"].params == {"model": "m", "base_url": "http://127.0.0.1:8080/v1"}
    assert seats["prc"] == SeatSpec("random")


@pytest.mark.parametrize(
    ("text", "kind", "arg", "params"),
    [
        ("random", "random", "", {}),
        ("ismcts:iterations=400", "ismcts", "", {"iterations": "400"}),
        ("external:./my_agent", "external", "./my_agent", {}),
        ("external:python3 agent.py --fast:timeout=30:startup=60", "external", "python3 agent.py --fast",
         {"timeout": "30", "startup": "60"}),
        (" heuristic : x = 1 ", "heuristic", "", {"x": "1"}),
        ("external:a b,c:log=x.log", "external", "a b,c", {"log": "x.log"}),
    ],
)
def test_existing_specs_parse_as_before(text: str, kind: str, arg: str, params: dict[str, str]) -> None:
    assert parse_spec(text) == SeatSpec(kind, arg, params)


@pytest.mark.parametrize("text", ["external:a:b", "external:./x:y:timeout=1"])
def test_a_second_positional_piece_is_still_refused(text: str) -> None:
    with pytest.raises(AgentSpecError, match="expected KIND"):
        parse_spec(text)
