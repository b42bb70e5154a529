"""`hipcheck diary`: record how the hip felt, day by day (0-10 during, after, next morning)."""
from __future__ import annotations

from datetime import date

import typer
from pydantic import ValidationError
from rich.table import Table

from ..diary.models import PainEntry
from ..errors import InputError
from ..services import diary as service
from .common import OutputFormat, console, parse_date, print_json

app = typer.Typer(help="Pain diary: 0-10 pain during, after and the next morning, linked to that day's runs.",
                  no_args_is_help=True)


@app.command("add")
def add(day: str = typer.Option(None, "--date", help="Day (YYYY-MM-DD); default today."),
        pain_during: int = typer.Option(None, "--pain-during", help="Pain while running, 0-10."),
        pain_after: int = typer.Option(None, "--pain-after", help="Pain after running, 0-10."),
        pain_next_morning: int = typer.Option(None, "--pain-next-morning",
                                              help="Pain the next morning, 0-10."),
        location: str = typer.Option(None, "--location", help="Where it hurts, e.g. outer_hip, groin."),
        note: str = typer.Option(None, "--note", help="Anything else worth remembering."),
        athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
        fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Record one day's pain; a second entry for the same date updates it."""
    when = parse_date(day, "--date") or date.today()
    try:
        entry = PainEntry(date=when, pain_during=pain_during, pain_after=pain_after,
                          pain_next_morning=pain_next_morning, location=location, note=note)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = "--" + str(err["loc"][0]).replace("_", "-") if err["loc"] else "entry"
        raise InputError(f"{field}: {err['msg']}") from None
    doc = service.add_entry(entry, athlete)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    e = doc["entry"]
    verb = "recorded" if doc["created"] else "updated"
    scores = ", ".join(f"{k.replace('pain_', '').replace('_', ' ')} {e[k]}/10"
                       for k in ("pain_during", "pain_after", "pain_next_morning") if e[k] is not None)
    console.print(f"[green]✓[/] {verb} {e['date']} for {doc['athlete']}: {scores}", highlight=False)
    runs = doc["runs_that_day"]
    console.print(f"  linked runs that day: {', '.join(str(r['distance_km']) + ' km' for r in runs)}"
                  if runs else "  no run imported for that day (yet)", highlight=False)


@app.command("list")
def list_(since: str = typer.Option(None, "--since", help="First day to show (YYYY-MM-DD)."),
          athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
          fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Show the diary with each day's runs."""
    doc = service.list_entries(athlete, parse_date(since, "--since"))
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    table = Table(title=f"Pain diary: {doc['athlete']}")
    for col in ("date", "during", "after", "next morning", "where", "runs that day", "note"):
        table.add_column(col)
    for e in doc["entries"]:
        runs = ", ".join(f"{r['distance_km']} km" for r in e["runs_that_day"])
        table.add_row(e["date"], *(str(e[k]) if e[k] is not None else "-" for k in
                                   ("pain_during", "pain_after", "pain_next_morning")),
                      e["location"] or "", runs, e["note"] or "")
    console.print(table)
