"""`hipcheck load`: import training files, see the training-error flags, plan a safe progression."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .common import OutputFormat, console, console_err, parse_date, print_json

app = typer.Typer(help="Training history: import watch files, find training errors, plan a safe progression.",
                  no_args_is_help=True)

STYLE = {"imported": "green", "salvaged": "yellow", "skipped": "dim", "merged": "cyan", "failed": "red"}


@app.command("import")
def import_(paths: list[Path] = typer.Argument(..., help="FIT, GPX, TCX or CSV files, folders, ZIPs or a "
                                                        "Strava export (zip or folder)."),
            athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
            fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Import activities. Files already imported are skipped, duplicates from other sources are merged,
    cut-off files keep what was recorded, and broken files are listed with the reason."""
    with Progress(TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console_err, transient=True, disable=not console_err.is_terminal) as bar:
        task = bar.add_task("import", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        from ..services import load as service  # imported on use: keeps CLI start-up fast
        summary = service.import_paths([str(p) for p in paths], athlete, progress)
    doc = summary.to_json()
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    for f in summary.files:
        if f.status != "imported" and f.reason and f.reason != "already imported":
            console.print(f"[{STYLE[f.status]}]{f.status:8}[/] {f.file}: {f.reason}", highlight=False,
                          soft_wrap=True)
    table = Table(title=f"Import for {summary.athlete}", show_header=False)
    for status in ("imported", "salvaged", "merged", "skipped"):
        table.add_row(f"[{STYLE[status]}]{status}[/]", str(summary.count(status)))
    table.add_row("[red]failed[/]", str(len(doc["failed"])))
    console.print(table)


@app.command("report")
def report(since: str = typer.Option(None, "--since", help="First day to show (YYYY-MM-DD)."),
           html: Path = typer.Option(None, "--html", help="Write an HTML page (with the chart) here."),
           chart: Path = typer.Option(None, "--chart", help="Write the chart alone here (.png or .svg)."),
           athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
           fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Weekly distance, run spikes, training-error flags and pain on one time axis."""
    from ..services import load as service  # imported on use: keeps CLI start-up fast
    doc = service.build_load_report(athlete, parse_date(since, "--since"))
    from ..report.load_report import write_chart, write_html

    if chart:
        write_chart(doc, chart)
    if html:
        write_html(doc, html)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    print_report(doc)
    for path in (chart, html):
        if path:
            console.print(f"[green]✓[/] wrote {path}", highlight=False)


def print_report(doc: dict) -> None:
    """The load report in the terminal: totals, recent weeks, flags, pain rises and caveats."""
    t = doc["totals"]
    console.print(f"[bold]{doc['athlete']}[/]: {t['runs']} runs, {t['run_km']} km "
                  f"({t['first_day']} to {t['last_day']}), {t['cross_training_sessions']} cross-training "
                  "sessions", highlight=False)
    last = max([t["last_day"] or ""] + [p["date"] for p in doc["pain"]])
    shown = [w for w in doc["weeks"] if w["week_start"] <= last][-8:]
    weeks = Table(title="Last 8 weeks with data")
    for col in ("week", "km", "runs", "longest km", "change %", "ACWR (context)", "monotony"):
        weeks.add_column(col, justify="right")
    for w in shown:
        weeks.add_row(w["week_start"], f"{w['run_km']:.1f}", str(w["runs"]), f"{w['longest_run_km']:.1f}",
                      "-" if w["change_pct"] is None else f"{w['change_pct']:+.0f}",
                      "-" if w["acwr_uncoupled_context"] is None else f"{w['acwr_uncoupled_context']:.2f}",
                      "-" if w["monotony"] is None else f"{w['monotony']:.1f}")
    console.print(weeks)
    flags = doc["findings"]
    console.print(f"[bold]Training-error flags[/] ({len(flags)}):" if flags else "No training-error flags.")
    for f in flags[-15:]:
        console.print(f"  [yellow]{f['id']}[/] ({f['source']}): {f['evidence']}", highlight=False,
                      soft_wrap=True)
    for r in doc["pain_rises"]:
        before = ", ".join(f"{x['kind']} {x['date']}" for x in r["flags_before"]) or "no flag"
        console.print(f"[red]pain rise[/] {r['date']}: {r['from']} -> {r['to']}/10; before it: {before}",
                      highlight=False)
    risk = doc.get("risk")
    if risk:
        if risk.get("percentile_vs_cohort") is not None:
            drivers = ", ".join(f"{d['input']} {'▲' if d['contribution'] > 0 else '▼'}"
                                for d in risk["drivers"][:3])
            console.print(f"[bold]Training pattern[/]: {risk['percentile_vs_cohort']:.0f}th percentile of a "
                          f"cohort of competitive runners' days ({risk['window_start']} to {risk['as_of_date']})"
                          + (f"; drivers: {drivers}" if drivers else ""), highlight=False)
        console.print(f"[dim]{risk['wording']} ({risk['source']})[/]", highlight=False)
    for c in doc["caveats"]:
        console.print(f"[dim]{c}[/]", highlight=False)


@app.command("plan")
def plan(weeks: int = typer.Option(6, "--weeks", help="How many weeks to plan (4-8)."),
         athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
         fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Weekly distance and longest-run caps for the next weeks, or a walk-run ladder while pain says so."""
    from ..services import load as service  # imported on use: keeps CLI start-up fast
    doc = service.build_progression_plan(athlete, weeks)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    print_plan(doc)


def print_plan(doc: dict) -> None:
    """The progression plan in the terminal: weekly caps or the walk-run ladder, with each rule's source."""
    title = "Walk-run return to running" if doc["mode"] == "return_to_run" else "Safe progression"
    console.print(f"[bold]{title}[/] for {doc['athlete']} ({doc['reason']})", highlight=False)
    table = Table()
    if doc["mode"] == "return_to_run":
        for col in ("week", "from", "step", "run min", "walk min", "sessions", "how"):
            table.add_column(col)
        for w in doc["weeks"]:
            table.add_row(str(w["week"]), w["week_start"], str(w["ladder_step"]), f"{w['run_min']:g}",
                          f"{w['walk_min']:g}", str(w["sessions"]), w["note"])
    else:
        for col in ("week", "from", "max km this week", "longest run max km", "condition"):
            table.add_column(col)
        for w in doc["weeks"]:
            table.add_row(str(w["week"]), w["week_start"], f"{w['max_week_km']:.1f}",
                          f"{w['max_run_km']:.1f}", w["note"])
    console.print(table)
    for rule in doc["rules"]:
        console.print(f"• {rule['text']} [dim]({', '.join(rule['sources'])})[/]", highlight=False,
                      soft_wrap=True)
