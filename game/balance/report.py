"""A balance report three ways: the terminal table, ``balance.json`` and ``balance.html``.

The JSON holds every number (for scripts and for comparing two versions of a
scenario); the HTML is one self-contained file — inline styles, no scripts, fonts or
images from anywhere — so it can be mailed or archived with the scenario; the terminal
shows one line per judged figure, PASS or FAIL first so a failing line stands out.
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from game.balance.checks import FAIL, NOTE, PASS, SKIP, Result
from game.balance.plan import Plan

FORMAT = "wedge-balance"
VERSION = 1


def build(plan: Plan, results: list[Result], info: dict[str, Any]) -> dict[str, Any]:
    counts = Counter(line.status for r in results for line in r.lines)
    return {
        "format": FORMAT,
        "version": VERSION,
        "scenario": plan.model.scenario.id,
        "scenario_path": plan.scenario_path,
        "seed": plan.seed,
        "out": str(plan.out),
        "options": {"games": plan.options.games, "agents": plan.options.agents, "only": list(plan.options.only)},
        "passed": not any(r.failed for r in results),
        "counts": {k: counts.get(k, 0) for k in (PASS, FAIL, SKIP, NOTE)},
        "targets": [
            {
                "index": r.index,
                "check": r.target.check,
                "target": r.target.model_dump(mode="json", exclude_defaults=True),
                "status": FAIL if r.failed else PASS,
                "lines": [
                    {"status": x.status, "subject": x.subject, "value": x.value, "want": x.want, "detail": x.detail,
                     "data": x.data}
                    for x in r.lines
                ],
            }
            for r in results
        ],
        "batches": [
            {"key": b.key, "dir": str(plan.out / b.key), "variant": b.variant, "agents": b.spec.agents,
             "games": b.games, "scenario_hash": b.spec.scenario_hash}
            for b in plan.batches.values()
        ],
        **info,
        "definitions": "docs/playtests.md, section `wedge balance`",
    }


def write(out: Path, report: dict[str, Any]) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "balance.json", out / "balance.html")
    texts = (json.dumps(report, indent=1, ensure_ascii=False) + "\n", to_html(report))
    for path, text in zip(paths, texts):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return paths


# ---------------------------------------------------------------------- terminal


def _table(rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  ".join(cells).rstrip())
    return out


def format_terminal(report: dict[str, Any]) -> str:
    lines = [f"Balance of {report['scenario']} ({report['scenario_path']}), seed {report['seed']} — {report['out']}"]
    for title, group in (("mix", report["mixes"]), ("baseline", report["baselines"])):
        for name, m in group.items():
            lo, hi = m["crisis_ci95"]
            lines.append(f"{title} {name} [{m['agents']}]: {m['games']} games, crisis rate "
                         f"{m['crisis_rate']:.3f} [{lo:.3f}, {hi:.3f}]")
            for role, r in m["roles"].items():
                wlo, whi = r["win_ci95"]
                lines.append(f"  {role:>10}: objective {r['win_rate']:.3f} [{wlo:.3f}, {whi:.3f}]  "
                             f"mean score {r['mean_score']:.2f}")
    rows = [["", "check", "subject", "value", "target", "detail"]]
    for t in report["targets"]:
        for x in t["lines"]:
            rows.append([x["status"], t["check"], x["subject"], x["value"], x["want"], x["detail"]])
    lines.append("")
    if len(rows) > 1:
        lines.extend(_table(rows, right=frozenset({3})))
    else:
        lines.append("no targets judged")
    c = report["counts"]
    verdict = "all targets pass" if report["passed"] else "SOME TARGETS FAIL"
    lines.append("")
    lines.append(f"{verdict}: {c[PASS]} pass, {c[FAIL]} fail, {c[SKIP]} skipped, {c[NOTE]} notes "
                 f"({len(report['targets'])} targets)")
    return "\n".join(lines)


# -------------------------------------------------------------------------- HTML

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:80em;padding:0 1em;
color:#1d1d1f;background:#fff}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1.05em}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}
th,td{border:1px solid #d0d0d0;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.w{white-space:nowrap}
.PASS{background:#d9f2dd;color:#0b5d1e;font-weight:600}.FAIL{background:#fbd9d9;color:#8a1010;font-weight:600}
.SKIP{background:#eee;color:#555}.NOTE{background:#fff4cc;color:#6b5300}
.verdict{display:inline-block;padding:.3em .8em;border-radius:4px}
.muted{color:#666}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _rows(head: list[str], rows: list[list[tuple[str, str]]]) -> str:
    """A table; each cell is (text, class)."""
    out = ["<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for r in rows:
        out.append("<tr>" + "".join(f'<td class="{cls}">{_e(text)}</td>' if cls else f"<td>{_e(text)}</td>"
                                    for text, cls in r) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _batch_html(name: str, m: dict[str, Any]) -> str:
    parts = [f"<h3>{_e(name)} <span class=\"muted\">[{_e(m['agents'])}] — {m['games']} games, crisis rate "
             f"{m['crisis_rate']:.3f} [{m['crisis_ci95'][0]:.3f}, {m['crisis_ci95'][1]:.3f}]</span></h3>"]
    parts.append(_rows(["role", "objective (win) rate", "95% CI", "mean score"], [
        [(role, ""), (f"{r['win_rate']:.3f}", "n"), (f"{r['win_ci95'][0]:.3f}–{r['win_ci95'][1]:.3f}", "n"),
         (f"{r['mean_score']:.2f}", "n")]
        for role, r in m["roles"].items()
    ]))
    parts.append(_rows(["track", "range", "start", "mean final", "ends at start", "ends at min", "ends at max"], [
        [(f"{t['name']} ({tid})", ""), (f"{t['min']}–{t['max']}", "n"), (str(t["start"]), "n"),
         (f"{t['mean_final']:.2f}", "n"), (f"{t['at_start']:.3f}", "n"),
         (f"{t['at_min']:.3f}", "NOTE" if t["at_min"] > 0.5 else "n"),
         (f"{t['at_max']:.3f}", "NOTE" if t["at_max"] > 0.5 else "n")]
        for tid, t in m["tracks"].items()
    ]))
    if "cards" in m:
        parts.append(_rows(["card", "role", "plays", "legal chances", "pick rate", "games played in"], [
            [(cid, "FAIL" if c["never_played"] else ""), (c["role"], ""), (str(c["plays"]), "n"),
             (str(c["chances"]), "n"), (f"{c['rate']:.3f}", "n"), (str(c["games_played"]), "n")]
            for cid, c in m["cards"].items()
        ]))
    return "\n".join(parts)


def to_html(report: dict[str, Any]) -> str:
    c = report["counts"]
    verdict = ("PASS", "all targets pass") if report["passed"] else ("FAIL", "some targets fail")
    body = [
        f"<h1>Balance report: {_e(report['scenario'])}</h1>",
        f"<p>{_e(report['scenario_path'])}, master seed {report['seed']}, output {_e(report['out'])}</p>",
        f'<p><span class="verdict {verdict[0]}">{_e(verdict[1])}</span> — {c[PASS]} pass, {c[FAIL]} fail, '
        f"{c[SKIP]} skipped, {c[NOTE]} notes over {len(report['targets'])} targets.</p>",
        "<h2>Targets</h2>",
    ]
    rows = []
    for t in report["targets"]:
        for x in t["lines"]:
            rows.append([(x["status"], x["status"]), (f"#{t['index'] + 1} {t['check']}", ""), (x["subject"], ""),
                         (x["value"], "n"), (x["want"], "w"), (x["detail"], "")])
    body.append(_rows(["status", "check", "subject", "value", "target", "detail"], rows) if rows
                else "<p>No targets judged.</p>")
    if report["mixes"]:
        body.append("<h2>Mixes</h2>")
        body.extend(_batch_html(name, m) for name, m in report["mixes"].items())
    if report["baselines"]:
        body.append("<h2>Baselines (shocks off)</h2>")
        body.extend(_batch_html(name, m) for name, m in report["baselines"].items())
    body.append("<h2>Batches played</h2>")
    body.append(_rows(["directory", "variant", "agents", "games"], [
        [(b["dir"], ""), (b["variant"], ""), (b["agents"], ""), (str(b["games"]), "n")] for b in report["batches"]
    ]))
    body.append(f"<p class=\"muted\">Definitions of every check: {_e(report['definitions'])}.</p>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Balance: {_e(report['scenario'])}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
