"""`hipcheck athlete`: add and list athletes."""
from __future__ import annotations

import enum
from typing import Optional

import typer
from rich.table import Table

from ..services import athletes
from .common import OutputFormat, console, print_json

app = typer.Typer(help="Add and list the athletes (runners) whose data hipcheck keeps.", no_args_is_help=True)


class Sex(str, enum.Enum):
    female = "female"
    male = "male"
    other = "other"


@app.command("add")
def add(name: str = typer.Argument(..., help="The athlete's name, unique (at most 100 characters)."),
        sex: Optional[Sex] = typer.Option(None, "--sex", help="female, male or other"),
        birth_year: Optional[int] = typer.Option(None, "--birth-year", metavar="YYYY",
                                                 help="Year of birth (ages 8 to 100)."),
        fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Add an athlete, so assessments, training and plans can be kept for them."""
    info = athletes.add_athlete(name, sex=sex.value if sex else None, birth_year=birth_year)
    if fmt is OutputFormat.json:
        print_json(info.to_dict())
    else:
        console.print(f"added athlete [bold]{info.name}[/] (id {info.id})", highlight=False)


@app.command("list")
def list_(fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """List every athlete."""
    rows = athletes.list_athletes()
    if fmt is OutputFormat.json:
        print_json([a.to_dict() for a in rows])
        return
    if not rows:
        console.print("no athletes yet: add one with `hipcheck athlete add NAME`", highlight=False)
        return
    table = Table(title="Athletes")
    for col in ("id", "name", "sex", "birth year", "added"):
        table.add_column(col)
    for a in rows:
        table.add_row(str(a.id), a.name, a.sex or "-", str(a.birth_year) if a.birth_year else "-",
                      a.created_at.strftime("%Y-%m-%d"))
    console.print(table)
