"""``wedge report SAVE [--format html|md] [--out FILE]``, or ``wedge report SERVER.db [--game ID]``.

Every failure is one line naming the file and the problem (the CLI prints it and exits 1):
a file that is not a save, a truncated or edited save, a save whose commands no longer
replay, or an output path that cannot be written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from game import safejson
from game.errors import WedgeError
from game.record import GameRecord, ReplayMismatch, SaveError, load_save

FORMATS = {"html": ".report.html", "md": ".report.md"}


class ReportError(WedgeError):
    """The report could not be made or written."""


def default_out(save: str, fmt: str) -> Path:
    """Next to the save: ``game.json`` -> ``game.report.html`` (or ``.report.md``)."""
    p = Path(save)
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return p.with_name(stem + FORMATS[fmt])


def _looks_like_json_lines(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline()
        return isinstance(safejson.loads(first), dict)
    except (OSError, ValueError):  # ValueError: JSONInputError, or a line that is not UTF-8
        return False


def load(path: str) -> GameRecord:
    try:
        return load_save(path)
    except SaveError as exc:
        if "Extra data" in str(exc) and _looks_like_json_lines(path):
            raise SaveError(
                f"{path}: JSON lines (one object per line, like a playtest's games.jsonl), not a Wedge save"
            ) from None
        raise


def render(rec: GameRecord, fmt: str, name: str = "<game>") -> str:
    """The report of `rec` as HTML or Markdown; replay problems are reported against `name`."""
    from game.report import build_report, render_html, render_markdown

    try:
        report = build_report(rec)
    except ReplayMismatch as exc:
        where = "the setup" if exc.index < 0 else f"command {exc.index + 1} ({exc.command})"
        raise ReportError(
            f"{name}: the replay differs from the save at {where}: the save was edited, or made by another "
            "version of Wedge"
        ) from None
    except WedgeError as exc:
        text = str(exc)
        raise ReportError(text if text.startswith(name) else f"{name}: {text}") from None
    return render_html(report) if fmt == "html" else render_markdown(report)


def write(text: str, out: Path) -> None:
    """Write atomically, so a failed run never leaves half a report behind."""
    tmp = out.with_name(out.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReportError(f"{out}: cannot write the report: {exc.strerror or exc}") from None


SQLITE_MAGIC = b"SQLite format 3\x00"


def _is_database(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def cmd_report(args: argparse.Namespace) -> int:
    game = getattr(args, "game", None)
    if _is_database(args.save):
        # A `wedge serve` database: the report of one of its games (the server may be running).
        from game.server.store import read_record

        game, rec = read_record(args.save, game)
        name = f"{args.save} game {game}"
    elif game is not None:
        raise ReportError(f"{args.save}: --game is for a server database (wedge serve --db); this is a save file")
    else:
        rec = load(args.save)
        name = args.save
    text = render(rec, args.format, name)
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    if args.out:
        out = Path(args.out)
    elif game is None:
        out = default_out(args.save, args.format)
    else:  # server.db, game g1 -> server-g1.report.html
        out = Path(args.save).with_name(f"{Path(args.save).stem}-{game}{FORMATS[args.format]}")
    write(text, out)
    print(f"{out}: after-action report ({args.format}) of {args.save}")
    return 0
