"""Server-rendered SVG charts (no chart library, no inline script or style, so the CSP holds).

Every mark that means something is focusable and carries its numbers in `data-tip` and a `<title>`, so a
mouse hover, a keyboard focus or a tap shows them (static/app.js), and a screen reader reads the title.
"""
from __future__ import annotations

import datetime as dt
import math
from html import escape

from markupsafe import Markup

from ..report.load_report import FLAG_LABELS

W, H = 960, 360
LEFT, RIGHT, TOP, BOTTOM = 52, 48, 28, 70
RANGES = {"12": 12, "26": 26, "52": 52, "all": None}
MIN_WEEKS_WITH_RUNS = 4  # fewer than this in the last 26 weeks: the default view shows the whole history


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 10.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text[:10])


def default_range(doc: dict) -> str:
    """26 weeks when they hold enough running to read a trend, else the whole history."""
    start, end = load_window(doc, 26)
    active = [w for w in doc["weeks"] if w["runs"] and start <= _d(w["week_start"]) <= end]
    return "26" if len(active) >= MIN_WEEKS_WITH_RUNS else "all"


def load_window(doc: dict, weeks: int | None) -> tuple[dt.date, dt.date]:
    """The days shown: the last `weeks` weeks up to the latest run or diary entry (all data when None)."""
    days = [_d(w["week_start"]) for w in doc["weeks"] if w["runs"]] + [_d(p["date"]) for p in doc["pain"]]
    end = max(days) if days else _d(doc["today"])
    end = end + dt.timedelta(days=6 - end.weekday())  # to the week's Sunday
    if weeks is None:
        first = min(days) if days else end - dt.timedelta(days=7 * 12)
        start = first - dt.timedelta(days=first.weekday())
    else:
        start = end - dt.timedelta(days=7 * weeks - 1)
    return start, end


def load_chart(doc: dict, weeks: int | None = 26) -> Markup:
    """Weekly running distance (bars), single-run spikes (triangles), training-error flags (diamonds under
    the axis) and daily worst pain (line, right axis) on one time axis."""
    start, end = load_window(doc, weeks)
    span = (end - start).days + 1
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + (day - start).days / span * pw

    shown = [w for w in doc["weeks"] if start <= _d(w["week_start"]) <= end]
    km_max = _nice_max(max([w["run_km"] for w in shown] + [1.0]) * 1.08)

    def y_km(km: float) -> float:
        return TOP + ph - km / km_max * ph

    def y_pain(p: float) -> float:
        return TOP + ph - p / 10 * ph

    out = [(f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" '
            'aria-labelledby="load-chart-title load-chart-desc" xmlns="http://www.w3.org/2000/svg">'),
           '<title id="load-chart-title">Weekly running distance, spikes, training flags and pain</title>',
           f'<desc id="load-chart-desc">{_attr(_describe(doc, shown, start, end))}</desc>']
    for i in range(6):  # grid and left axis (km)
        km = km_max * i / 5
        yy = y_km(km)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{yy + 4:.1f}" text-anchor="end">{km:g}</text>')
        out.append(f'<text x="{W - RIGHT + 8}" y="{y_pain(10 * i / 5) + 4:.1f}">{10 * i // 5}</text>')
    out.append(f'<text x="{LEFT - 40}" y="{TOP - 10}" class="lbl">km / week</text>')
    out.append(f'<text x="{W - RIGHT - 30}" y="{TOP - 10}" class="lbl">pain 0–10</text>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{W - RIGHT}" y1="{TOP + ph}" y2="{TOP + ph}"/>')
    for day, label in _ticks(start, end):  # date labels under the axis, never crowded
        out.append(f'<text x="{x(day):.1f}" y="{TOP + ph + 18}">{label}</text>')
    bar_w = max(2.0, 7 / span * pw * 0.78)
    for w in shown:
        ws = _d(w["week_start"])
        yy = y_km(w["run_km"])
        change = "" if w.get("change_pct") is None else f", {w['change_pct']:+.0f}% on the week before"
        tip = (f"Week of {ws:%d %b %Y}: {w['run_km']:.1f} km in {w['runs']} run(s), longest "
               f"{w['longest_run_km']:.1f} km{change}")
        focus = ' tabindex="0"' if w["runs"] else ""
        out.append(f'<rect class="barkm pt" x="{x(ws) + 0.11 * 7 / span * pw:.1f}" y="{yy:.1f}" width="{bar_w:.1f}" '
                   f'height="{TOP + ph - yy:.1f}" data-tip="{_attr(tip)}"{focus}><title>{escape(tip)}</title></rect>')
    for sp in doc["spikes"]:
        d = _d(sp["date"])
        if not start <= d <= end:
            continue
        week = next((w for w in shown if _d(w["week_start"]) <= d < _d(w["week_start"]) + dt.timedelta(days=7)), None)
        top = y_km(week["run_km"]) if week else TOP + ph
        cx, cy = x(d) + 0.5 / span * pw, max(TOP + 6, top - 10)
        tip = (f"Single-run spike on {d:%d %b %Y}: {sp['distance_km']:.1f} km, {sp['ratio']:.2f}× the longest run "
               f"of the 30 days before ({sp['longest_prev_30d_km']:.1f} km), {sp['band']}")
        out.append(f'<path class="pt spike-{_attr(sp["band"])}" d="M{cx:.1f},{cy + 5:.1f} l-6,-10 h12 z" tabindex="0" '
                   f'data-tip="{_attr(tip)}"><title>{escape(tip)}</title></path>')
    flag_y = TOP + ph + 40
    for f in doc["findings"]:
        d = _d((f.get("data") or {}).get("date") or doc["today"])
        if not start <= d <= end:
            continue
        cx = x(d) + 0.5 / span * pw
        label = FLAG_LABELS.get(f["id"], f["id"].replace("_", " "))
        tip = f"{label} ({f['source']}): {f['evidence']}"
        out.append(f'<line class="flagline" x1="{cx:.1f}" x2="{cx:.1f}" y1="{TOP}" y2="{TOP + ph}"/>')
        out.append(f'<path class="pt flag" d="M{cx:.1f},{flag_y - 7} l7,7 l-7,7 l-7,-7 z" tabindex="0" '
                   f'data-tip="{_attr(tip)}"><title>{escape(tip)}</title></path>')
    out.append(f'<text x="{LEFT - 8}" y="{flag_y + 4}" text-anchor="end">flags</text>')
    pts = [(p, _d(p["date"])) for p in doc["pain"] if start <= _d(p["date"]) <= end]
    if len(pts) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(d) + 0.5 / span * pw:.1f},{y_pain(p['worst']):.1f}"
                        for i, (p, d) in enumerate(pts))
        out.append(f'<path class="painline" d="{path}"/>')
    for p, d in pts:
        parts = [f"{k.replace('pain_', '').replace('_', ' ')} {p[k]}" for k in ("pain_during", "pain_after",
                                                                              "pain_next_morning") if p.get(k) is not None]
        tip = f"Pain on {d:%d %b %Y}: worst {p['worst']}/10 ({', '.join(parts)})"
        out.append(f'<circle class="painpt pt" cx="{x(d) + 0.5 / span * pw:.1f}" cy="{y_pain(p["worst"]):.1f}" r="4.5" '
                   f'tabindex="0" data-tip="{_attr(tip)}"><title>{escape(tip)}</title></circle>')
    out.append("</svg>")
    return Markup("".join(out))


def _ticks(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """First-of-month ticks every 1, 3 or 6 months, or first-of-year ticks every few years, so that at
    most about 12 labels share the axis."""
    span = (end - start).days
    if span > 3 * 365:
        step = max(1, math.ceil(span / 365 / 12))
        return [(dt.date(y, 1, 1), str(y)) for y in range(start.year + 1, end.year + 1) if (y - start.year - 1) % step == 0]
    months = 1 if span <= 200 else 3 if span <= 730 else 6
    out, y, m = [], start.year, start.month
    while True:
        m += 1
        if m > 12:
            y, m = y + 1, 1
        day = dt.date(y, m, 1)
        if day > end:
            return out
        if (m - 1) % months == 0:
            out.append((day, day.strftime("%b %Y" if m == 1 or not out else "%b")))


def _describe(doc: dict, shown: list[dict], start: dt.date, end: dt.date) -> str:
    km = sum(w["run_km"] for w in shown)
    runs = sum(w["runs"] for w in shown)
    return (f"From {start:%d %b %Y} to {end:%d %b %Y}: {runs} runs, {km:.1f} km; "
            f"{len(doc['spikes'])} spike(s) and {len(doc['findings'])} flag(s) in the whole history; "
            f"{len(doc['pain'])} diary entries.")


def sparkline(points: list[tuple[dt.date, int]], days: int = 28, today: dt.date | None = None) -> Markup:
    """A tiny pain trend (worst pain per day, 0-10) for tables and cards."""
    today = today or dt.date.today()
    w, h = 120, 32
    start = today - dt.timedelta(days=days)
    xy = [((d - start).days / days * (w - 4) + 2, h - 3 - v / 10 * (h - 6)) for d, v in points if d >= start]
    label = ", ".join(f"{d:%d %b} {v}" for d, v in points[-7:]) or "no entries"
    body = [f'<svg class="spark" viewBox="0 0 {w} {h}" role="img" aria-label="Pain, last {days} days: {_attr(label)}">',
            f'<line class="sparkbase" x1="2" x2="{w - 2}" y1="{h - 3}" y2="{h - 3}"/>']
    if len(xy) == 1:
        body.append(f'<circle class="painpt" cx="{xy[0][0]:.1f}" cy="{xy[0][1]:.1f}" r="2.5"/>')
    elif xy:
        body.append('<path class="sparkline" d="' + " ".join(f"{'M' if i == 0 else 'L'}{a:.1f},{b:.1f}"
                                                           for i, (a, b) in enumerate(xy)) + '"/>')
    body.append("</svg>")
    return Markup("".join(body))
