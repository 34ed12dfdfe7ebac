"""The report as one self-contained HTML file: inline CSS, charts as PNG data URIs.

A facilitator can mail it, open it offline or print it (print styles keep charts and table
rows whole and drop the navigation). Every text from the scenario or the game goes
through :func:`html.escape`; the ledger rows also carry the engine's raw subject, phase
and cause as ``data-`` attributes so tools (and the tests) can check them against the
engine's own ledger.
"""

from __future__ import annotations

from html import escape

from game.report import tables as tb
from game.report.charts import chart_data_uri
from game.report.model import Report, short_role, signed

CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d9dde3; --band: #f4f6f9; --gm: #7d3c98; --shock: #b03a2e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 1120px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 2em 0 0.6em; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
.sub, .note { color: var(--muted); }
nav { margin: 12px 0 0; font-size: 0.92em; }
nav a { margin-right: 12px; color: var(--ink); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 0.92em; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--band); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.gm td { color: var(--gm); }
tr.capital td { color: var(--muted); }
.won { color: #1e7b34; font-weight: 600; }
.lost { color: var(--shock); font-weight: 600; }
figure.chart { margin: 10px 0 18px; }
figure.chart img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-size: 0.9em; color: var(--muted); margin-top: 4px; }
figcaption ul { margin: 2px 0 0; padding-left: 18px; }
ul.cells { margin: 0; padding-left: 16px; }
ul.cells li.offer { color: var(--muted); }
.kind { font-size: 0.8em; color: var(--muted); }
.shock { color: var(--shock); }
.gmact { color: var(--gm); }
.rule { background: var(--band); padding: 8px 10px; border-left: 3px solid var(--ink); }
.prompts li { margin: 4px 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  nav { display: none; }
  figure.chart, tr, .rule, li { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

SECTIONS = (
    ("outcome", "Outcome"),
    ("tracks", "Tracks over time"),
    ("timeline", "Decision timeline"),
    ("facilitator", "Facilitator actions"),
    ("offers", "Offers"),
    ("levers", "Lever scorecard"),
    ("debrief", "Debrief"),
    ("ledger", "Ledger"),
)


def _table(t: tb.Table, attrs: str = "") -> str:
    def cell(tag: str, i: int, text: str) -> str:
        cls = ' class="num"' if i in t.numeric else ""
        return f"<{tag}{cls}>{escape(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(t.headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in t.rows)
    return f"<table{attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _h2(n: int, key: str, title: str) -> str:
    return f'<section id="{key}"><h2>{n}. {escape(title)}</h2>'


def _outcome(r: Report) -> str:
    parts = [_table(tb.outcome(r))]
    for name, items in tb.terms(r):
        parts.append(f"<p><b>{escape(name)}</b>: " + "; ".join(escape(i) for i in items) + "</p>")
    parts.append("<h3>Tracks at the end of each turn</h3>" + _table(tb.tracks(r)))
    return "".join(parts)


def _charts(r: Report) -> str:
    parts = [
        '<p class="note">One chart per track; x is the turn (each turn split into its phases), the '
        "shading shows the track's bands. Dotted lines mark shocks (purple: injected by the facilitator); "
        "labels name the biggest causes of each turn's moves.</p>"
    ]
    for t in r.tracks:
        items = "".join(f"<li>{escape(m)}</li>" for m in tb.moves(r, t)) or "<li>No significant move.</li>"
        alt = f"{t.name} by turn: {t.start} at the start, " + ", ".join(
            f"{v} after turn {i}" for i, v in enumerate(t.turn_end, start=1)
        )
        parts.append(
            f'<figure class="chart" id="chart-{escape(t.id)}">'
            f'<img class="chart" data-track="{escape(t.id)}" alt="{escape(alt)}" src="{chart_data_uri(r, t)}">'
            f"<figcaption><b>{escape(t.name)}</b> — {escape(t.meaning)}<ul>{items}</ul></figcaption></figure>"
        )
    return "".join(parts)


def _timeline(r: Report) -> str:
    roles = [x.role for x in r.roles]
    acts = tb.turn_acts(r)
    head = "<th class='num'>Turn</th><th>Shocks, windows, facilitator</th>" + "".join(
        f"<th>{escape(r.role_names.get(x, x))}</th>" for x in roles
    )
    rows = []
    for info in r.turns:
        context = [
            f'<li class="shock">{"Injected: " if s.injected else "Shock: "}{escape(s.title)}</li>' for s in info.shocks
        ]
        context += [f"<li>Window: {escape(w)}</li>" for w in info.windows]
        context += [f'<li class="gmact">{escape(a)}</li>' for a in acts.get(info.turn, [])]
        cells = [f"<td class='num'>{info.turn}</td>", f'<td><ul class="cells">{"".join(context)}</ul></td>']
        for role in roles:
            items = [
                f"<li>{escape(p.title)}{(' → ' + escape(short_role(p.target))) if p.target else ''} "
                f'<span class="kind">{escape(tb.KIND_LABELS.get(p.kind, p.kind))}</span></li>'
                for p in r.plays
                if p.role == role and p.turn == info.turn
            ]
            items += [
                f'<li class="offer">{escape(tb.offer_text(o, role))}</li>'
                for o in r.offers
                if o.turn == info.turn and role in (o.frm, o.to)
            ]
            cells.append(f'<td><ul class="cells">{"".join(items)}</ul></td>' if items else "<td>—</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    reasons = ""
    for x in r.roles:
        why = tb.reasoning(r, x.role)
        if why.rows:
            note = "<p class='note'>In the seat's own words, at each decision.</p>"
            table = _table(why, f' class="reasoning" data-role="{escape(x.role)}"')
            reasons += f"<h3>Why {escape(x.name)} chose what it did</h3>{note}{table}"
    return (
        '<p class="note">What each role revealed each turn (cards in resolution order are in the ledger), '
        "with the offers it made or received and their outcome.</p>"
        f'<table id="timeline-grid"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        + reasons
    )


def _levers(r: Report) -> str:
    parts = [f'<p class="rule">{escape(r.lever_rule)}</p>', _table(tb.lever_summary(r))]
    for s in r.levers:
        parts.append(f"<h3>{escape(s.lever.name)}</h3><p><i>{escape(s.lever.essay)}</i></p>")
        cards = tb.lever_cards(r, s)
        if cards:
            parts.append("<ul>" + "".join(f"<li>{escape(c)}</li>" for c in cards) + "</ul>")
        parts.append(_table(tb.lever_detail(r, s), f' class="lever" data-lever="{escape(s.lever.id)}"'))
    return "".join(parts)


def _debrief(r: Report) -> str:
    parts = []
    for stage, items in tb.prompts(r):
        lis = "".join(f"<li>{escape(p)}</li>" for p in items)
        parts.append(f"<h3>{escape(stage)}</h3><ul class='prompts'>{lis}</ul>")
    return "".join(parts)


def _ledger(r: Report) -> str:
    head = "".join(
        f"<th{' class=num' if i in tb.LEDGER_NUMERIC else ''}>{escape(h)}</th>" for i, h in enumerate(tb.LEDGER_HEADERS)
    )
    rows = []
    for e in r.ledger:
        cls = "gm" if e.facilitator else "capital" if not e.is_track else "track"
        rows.append(
            f'<tr class="{cls}" data-subject="{escape(e.subject)}" data-phase="{escape(e.phase)}" '
            f'data-cause="{escape(e.cause)}">'
            f"<td class='num'>{e.n}</td><td class='num'>{e.turn}</td><td>{escape(tb.phase(e.phase))}</td>"
            f"<td>{escape(e.subject_name)}</td><td class='num'>{e.before}</td><td class='num'>{e.after}</td>"
            f"<td class='num'>{signed(e.delta)}</td><td>{'⚑ ' if e.facilitator else ''}{escape(e.cause_text)}</td>"
            f"<td>{escape(e.roll)}</td></tr>"
        )
    return (
        '<p class="note">Every change in the engine\'s ledger, in order; facilitator actions (⚑) in purple, '
        "capital in grey.</p>"
        f'<table id="ledger"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def render(r: Report) -> str:
    fac = tb.facilitator(r)
    offers = tb.offers(r)
    bodies = {
        "outcome": _outcome(r),
        "tracks": _charts(r),
        "timeline": _timeline(r),
        "facilitator": (_table(fac) if fac.rows else "<p>The facilitator did not intervene.</p>")
        + (f'<p class="note">{escape(tb.setup_seats(r))}</p>' if r.setup else ""),
        "offers": _table(offers) if offers.rows else "<p>No offers were made.</p>",
        "levers": _levers(r),
        "debrief": _debrief(r),
        "ledger": _ledger(r),
    }
    nav = "".join(f'<a href="#{key}">{n}. {escape(title)}</a>' for n, (key, title) in enumerate(SECTIONS, start=1))
    sections = "".join(
        _h2(n, key, title) + bodies[key] + "</section>" for n, (key, title) in enumerate(SECTIONS, start=1)
    )
    title = f"After-action report: {r.title} (seed {r.seed})"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>'
        f"<header><h1>After-action report</h1><p><b>{escape(r.title)}</b></p>"
        f'<p class="sub">{escape(tb.subtitle(r))}</p><nav>{nav}</nav></header>'
        f"{sections}</body></html>\n"
    )
