"""Render the load report document: one chart (weekly distance, run spikes, flags, pain on one time axis)
and an HTML page with the chart, the flags and their sources. Files are written atomically."""
from __future__ import annotations

import base64
import io
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

from ..errors import InputError

DEFAULT_WINDOW_DAYS = 182
FLAG_COLOURS = {"long_run_spike": "#d62728", "training_spike": "#ff7f0e", "insufficient_recovery": "#9467bd",
                "intensity_stacking": "#8c564b", "hills_added": "#2ca02c", "speed_added": "#e377c2",
                "back_after_break": "#17becf"}
FLAG_LABELS = {"long_run_spike": "single-run spike", "training_spike": "weekly jump (10% rule)",
               "insufficient_recovery": "no rest / monotony", "intensity_stacking": "few easy runs",
               "hills_added": "hills on biggest week", "speed_added": "speed on biggest week",
               "back_after_break": "back after a break"}
BAND_COLOURS = {"small": "#ffbb78", "moderate": "#ff7f0e", "large": "#d62728"}


def atomic_write(path: Path, data: bytes) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"cannot write {path} ({exc.strerror or exc}): "
                         "choose a folder you can write to") from None


def _window(doc: dict) -> tuple[date, date]:
    """--since to today when given; otherwise the last half year that has any data in it."""
    today = date.fromisoformat(doc["today"])
    if doc.get("since"):
        return date.fromisoformat(doc["since"]), today
    data_days = [doc["totals"].get("last_day")] + [p["date"] for p in doc["pain"]]
    data_days = [date.fromisoformat(d) for d in data_days if d]
    end = max(data_days) if data_days else today
    first = doc["totals"].get("first_day")
    start = end - timedelta(days=DEFAULT_WINDOW_DAYS)
    return (max(start, date.fromisoformat(first)) if first else start), end


def chart_bytes(doc: dict, fmt: str = "png") -> bytes:
    """The chart as PNG or SVG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    start, end = _window(doc)
    in_range = lambda d: start <= d <= end  # noqa: E731
    fig, axes = plt.subplots(4, 1, figsize=(11, 9), sharex=True,
                             gridspec_kw={"height_ratios": [3, 2, 1.4, 2]}, constrained_layout=True)
    ax_km, ax_spike, ax_flag, ax_pain = axes
    fig.suptitle(f"Training and pain, {doc['athlete']}: {start.isoformat()} to {end.isoformat()}",
                 fontsize=13, fontweight="bold")
    look = doc["pain_flag_lookback_days"]
    for rise in doc["pain_rises"]:  # shade the look-back window before each pain rise on every panel
        d = date.fromisoformat(rise["date"])
        if in_range(d):
            for ax in axes:
                ax.axvspan(d - timedelta(days=look), d, color="#fde0dd", zorder=0)

    weeks = [w for w in doc["weeks"] if in_range(date.fromisoformat(w["week_start"]) + timedelta(days=6))]
    jumps = {f["data"]["date"] for f in doc["findings"] if f["id"] == "training_spike"}
    xs = [date.fromisoformat(w["week_start"]) + timedelta(days=3) for w in weeks]
    colours = ["#ff7f0e" if (date.fromisoformat(w["week_start"]) + timedelta(days=6)).isoformat() in jumps
               else "#6baed6" for w in weeks]
    ax_km.bar(xs, [w["run_km"] for w in weeks], width=6, color=colours, edgecolor="white")
    ax_km.plot(xs, [w["longest_run_km"] for w in weeks], "k.-", lw=1, ms=4, label="longest run that week")
    ax_km.set_ylabel("km per week")
    ax_km.set_title("Weekly running distance (orange: up more than 10% on the week before)", loc="left",
                    fontsize=10)
    ax_km.legend(loc="upper left", fontsize=8, frameon=False)

    spikes = [s for s in doc["spikes"] if in_range(date.fromisoformat(s["date"]))]
    for band, colour in (("", "#bdbdbd"), *BAND_COLOURS.items()):
        pts = [s for s in spikes if (s["band"] or "") == band]
        ax_spike.scatter([date.fromisoformat(s["date"]) for s in pts],
                         [100 * (s["ratio"] - 1) for s in pts], s=18 if band else 8, color=colour,
                         label=f"{band} spike" if band else "other runs", zorder=3)
    for level, style in ((10, ":"), (30, "--"), (100, "-.")):
        ax_spike.axhline(level, color="#999999", ls=style, lw=0.8)
    ax_spike.set_ylabel("% vs 30-day longest")
    ax_spike.set_title("Each run against your longest run of the previous 30 days (risk rises above +10%)",
                       loc="left", fontsize=10)
    ax_spike.legend(loc="upper left", fontsize=8, frameon=False, ncol=4)

    flag_ids = [k for k in FLAG_COLOURS if any(f["id"] == k for f in doc["findings"])]
    for row, fid in enumerate(flag_ids):
        days = [date.fromisoformat(f["data"]["date"]) for f in doc["findings"] if f["id"] == fid]
        days = [d for d in days if in_range(d)]
        ax_flag.scatter(days, [row] * len(days), marker="|", s=220, color=FLAG_COLOURS[fid], lw=2.5)
    ax_flag.set_yticks(range(len(flag_ids)), [FLAG_LABELS[k] for k in flag_ids], fontsize=8)
    ax_flag.set_ylim(-0.7, max(len(flag_ids), 1) - 0.3)
    ax_flag.set_title("Training-error flags", loc="left", fontsize=10)

    pain = [p for p in doc["pain"] if in_range(date.fromisoformat(p["date"]))]
    if pain:
        ax_pain.plot([date.fromisoformat(p["date"]) for p in pain], [p["worst"] for p in pain], "o-",
                     color="#cb181d", lw=1.5, ms=4)
        for rise in doc["pain_rises"]:
            d = date.fromisoformat(rise["date"])
            if in_range(d):
                ax_pain.annotate(f"rise to {rise['to']}", (d, rise["to"]), xytext=(0, 8),
                                 textcoords="offset points", ha="center", fontsize=8, color="#99000d")
    else:
        ax_pain.text(0.5, 0.5, "no pain diary entries in this period (hipcheck diary add)",
                     transform=ax_pain.transAxes, ha="center", va="center", color="#777777")
    ax_pain.axhline(doc["pain_during_max"], color="#999999", ls=":", lw=0.8)
    ax_pain.set_ylim(-0.5, 10.5)
    ax_pain.set_ylabel("pain 0-10")
    ax_pain.set_title(f"Pain, worst of during / after / next morning (shaded: {look} days before a rise)",
                      loc="left", fontsize=10)
    ax_pain.set_xlim(start - timedelta(days=2), end + timedelta(days=2))
    ax_pain.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax_pain.xaxis.get_major_locator()))
    for ax in axes:
        ax.grid(axis="y", color="#eeeeee")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=110)
    plt.close(fig)
    return buf.getvalue()


def write_chart(doc: dict, path: Path) -> Path:
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise InputError(f"--chart {path}: use a .png or .svg file name")
    atomic_write(Path(path), chart_bytes(doc, fmt))
    return Path(path)


def render_html(doc: dict, source_titles: dict[str, str] | None = None) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    chart = base64.b64encode(chart_bytes(doc, "png")).decode("ascii")
    titles = source_titles
    if titles is None:
        from ..load.thresholds import load_thresholds

        titles = load_thresholds().source_titles
    return env.get_template("load_report.html.j2").render(
        doc=doc, chart=chart, titles=titles, labels=FLAG_LABELS, weeks=doc["weeks"][-12:],
        findings=list(reversed(doc["findings"])))


def write_html(doc: dict, path: Path) -> Path:
    atomic_write(Path(path), render_html(doc).encode("utf-8"))
    return Path(path)
