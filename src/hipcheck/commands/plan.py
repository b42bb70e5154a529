"""`hipcheck plan`: a personal prevention and rehab programme - build it, print it, put it in the calendar,
log the sessions and follow progress."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from ..errors import InputError
from ..services import plan as service
from .common import OutputFormat, console, console_err, parse_date, print_json

app = typer.Typer(help="Your plan: phases, exercises with dosage, running changes, return to running, "
                       "when to get help; the PDF handout, calendar and FHIR export; logging and progress.")

_BANNER = {"emergency": "bold white on red", "urgent": "bold black on dark_orange",
           "routine": "bold black on yellow", "self_care": "bold black on green"}
_ACTION = {"progress": "[green]progress[/]", "hold": "[yellow]hold[/]", "regress": "[red]step back[/]",
           "start": "[cyan]start[/]"}


@app.callback(invoke_without_command=True)
def plan(ctx: typer.Context,
         athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
         intake: Path = typer.Option(None, "--intake", help="Assess this intake file first (JSON or YAML), "
                                     "then build the plan from it."),
         fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
         pdf: Path = typer.Option(None, "--pdf", help="Write the A4 handout (PDF) here."),
         html: Path = typer.Option(None, "--html", help="Write the plan as an HTML page here."),
         ics: Path = typer.Option(None, "--ics", help="Write the sessions and reminders as an .ics calendar."),
         fhir: Path = typer.Option(None, "--fhir", help="Write a FHIR R4 bundle (JSON) here."),
         weeks: int = typer.Option(4, "--weeks", help="Weeks the calendar covers (1-12)."),
         start: str = typer.Option(None, "--start", help="First calendar day (YYYY-MM-DD); default: today.")):
    """Build your plan from the latest assessment (and training and gait findings when there are any).

    Example: `hipcheck plan --intake intake.yaml --pdf plan.pdf --ics plan.ics`.
    """
    if ctx.invoked_subcommand is not None:
        return
    if not 1 <= weeks <= 12:
        raise InputError(f"--weeks must be between 1 and 12 (got {weeks})")
    first = parse_date(start, "--start")
    result = service.build_plan(athlete=athlete, intake=intake)
    if result.note:
        console_err.print(f"[yellow]{escape(result.note)}[/]", highlight=False, soft_wrap=True)
    written = service.write_outputs(result, pdf=pdf, html=html, ics=ics, fhir=fhir, start=first, weeks=weeks)
    if fmt is OutputFormat.json:
        print_json(result.document)
    else:
        render(result.document)
        if result.stored_for:
            console.print(f"[dim]Saved as plan #{result.plan_id} for {escape(result.stored_for)}.[/]", highlight=False)
    for kind, path in written.items():
        console_err.print(f"[green]✓[/] {kind}: {escape(path)}", highlight=False)


def render(doc: dict) -> None:
    t = doc["triage"]
    title = "PROTECT YOUR HIP" if doc["protect_only"] else "YOUR HIP PLAN"
    console.print(Panel(f"{escape(t['headline'] or '')}\n\n{escape(t['advice'] or '')}",
                        title=f"{title} - {t['level'].replace('_', ' ').upper()}", style=_BANNER.get(t["level"], "")))
    if doc["protect_only"]:
        for i, p in enumerate(doc["protect"], 1):
            console.print(f"[bold]{i}. {escape(p['title'])}[/]\n   {escape(p['text'])}", highlight=False)
        console.print(f"[dim]No exercises: {escape('; '.join(doc['why_protect']))}.[/]", highlight=False)
    else:
        lc = doc.get("likely_cause")
        if lc:
            prob = f" ({lc['probability']:.0%})" if lc.get("probability") is not None else ""
            console.print(f"Most likely cause (not a diagnosis): [bold]{escape(lc['name'])}[/]{prob}", highlight=False)
        phase = next(p for p in doc["phases"] if p["id"] == doc["current_phase"])
        console.rule(f"Now: {escape(phase['title'])}")
        console.print(escape(phase["text"]), highlight=False)
        cards = {c["id"]: c for c in doc["exercises"]}
        table = Table(show_header=True, header_style="bold")
        table.add_column("exercise")
        table.add_column("id", style="dim")
        table.add_column("dosage")
        for eid in phase["exercises"]:
            table.add_row(escape(cards[eid]["name"]), eid, escape(cards[eid]["dosage_text"]))
        console.print(table)
        console.print("Move on when:", highlight=False)
        for x in phase["exit"]:
            console.print(f"  - {escape(x)}", highlight=False)
        run = doc["running"]
        console.rule("Running")
        console.print(escape(run["summary"]), highlight=False)
        if run["cadence"]:
            c = run["cadence"]
            target = (f" (about {c['target_spm'][0]}-{c['target_spm'][1]} steps/min)" if c.get("target_spm") else "")
            console.print(f"  • Step rate +{c['raise_min_pct']:g}-{c['raise_max_pct']:g} %{target}: "
                          f"{escape(c['text'])}", highlight=False)
        for ch in run["changes"]:
            console.print(f"  • {escape(ch['text'])}", highlight=False)
        console.print(f"  Return to running: walk-run ladder in {len(run['return_to_run']['steps'])} steps, "
                      f"{run['return_to_run']['session_min']:g}-minute sessions.", highlight=False)
        console.print(f"[dim]{escape(doc['progression']['text'])}[/]", highlight=False)
    console.rule("When to get help")
    for h in doc["when_to_get_help"]:
        console.print(f"[bold]{escape(h['title'])}:[/] {escape('; '.join(h['points']))}", highlight=False)
    console.print(f"\n[dim]{escape(doc['disclaimer'])}[/]", highlight=False)


@app.command("log")
def log(day: str = typer.Option(None, "--date", help="Day of the session (YYYY-MM-DD); default today."),
        exercise: str = typer.Option(..., "--exercise", help="Exercise id from your plan, e.g. glute_bridge."),
        sets: int = typer.Option(..., "--sets", help="Sets you completed."),
        pain: int = typer.Option(None, "--pain", help="Pain during the exercise, 0-10."),
        athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
        fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Log one exercise session; record the next morning's pain with `hipcheck diary add`."""
    when = parse_date(day, "--date") or service.today_local()
    doc = service.log_session(when, exercise, sets, pain, athlete)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    lg = doc["logged"]
    pain_txt = f", pain {lg['pain']}/10" if lg["pain"] is not None else ""
    console.print(f"[green]✓[/] {lg['date']}: {escape(lg['exercise'])}, {lg['sets']} sets{pain_txt}", highlight=False)
    if doc["advice"]:
        a = doc["advice"]
        console.print(f"  next: {_ACTION[a['action']]} - {escape(a['reason'])}", highlight=False)
    console.print(f"  tomorrow morning: hipcheck diary add --date {lg['date']} --pain-next-morning N", highlight=False)
    _escalation(doc["escalation"])


@app.command("status")
def status(athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
           fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Adherence per week, each exercise's next step by the pain rule, the phase check, and escalation."""
    doc = service.plan_status(athlete)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    _escalation(doc["escalation"])
    if doc["protect_only"]:
        console.print(Panel(escape(doc["triage"]["headline"] or ""), title="PROTECT YOUR HIP",
                            style=_BANNER.get(doc["triage"]["level"], "")))
        console.print("This plan has no exercises until a clinician has examined the hip.")
        return
    console.rule(f"Plan #{doc['plan_id']} for {escape(doc['athlete'])}: {escape(doc['phase_title'] or '')}")
    t = Table(title="Adherence (sets done / prescribed)")
    for col in ("week of", "done", "prescribed", "%"):
        t.add_column(col)
    for w in doc["adherence"]:
        t.add_row(w["week_start"], str(w["done_sets"]), str(w["prescribed_sets"]),
                  "-" if w["pct"] is None else f"{w['pct']} %")
    console.print(t)
    t = Table(title="Next step for each exercise")
    for col in ("exercise", "next", "why"):
        t.add_column(col)
    for a in doc["exercises"]:
        t.add_row(escape(a["name"]), _ACTION[a["action"]], escape(a["reason"]))
    console.print(t)
    pc = doc["phase_check"]
    if pc["ready"]:
        console.print(f"[green]Pain criteria for leaving this phase are met.[/] If the other criteria are met "
                      f"too ({escape('; '.join(pc['exit_criteria']))}), move on: hipcheck plan advance", highlight=False)
    else:
        console.print(f"Phase check: stay in {pc['phase']} - {escape('; '.join(pc['reasons']))}", highlight=False)


def _escalation(esc: dict) -> None:
    if not esc or not esc.get("escalate"):
        return
    lines = ["[bold]" + escape("; ".join(esc["reasons"])).capitalize() + ".[/]"]
    r = esc.get("reassessment")
    if r:
        lines.append(escape(r.get("message", "")))
        if r.get("done"):
            lines.append(escape(r.get("advice") or ""))
    title = "RE-ASSESSED: READ THIS" if r else "WARNING: READ THIS"
    console.print(Panel("\n".join(lines), title=title, style="bold white on red"))


@app.command("advance")
def advance(athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
            fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Move to the next phase, when the pain criteria of this one are met and nothing has escalated."""
    doc = service.advance_phase(athlete)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    console.print(f"[green]✓[/] Now in: [bold]{escape(doc['title'])}[/] - exercises: {', '.join(doc['exercises'])}",
                  highlight=False)
    console.print("Re-export the calendar and handout: hipcheck plan --ics plan.ics --pdf plan.pdf")


@app.command("recheck")
def recheck(answer: list[str] = typer.Option(..., "--answer", help="A changed answer, FIELD=VALUE, e.g. "
                                             "signs.unrelenting_night_pain=yes; repeat for several."),
            athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
            fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Answer warning-sign questions again; you are re-assessed and, if a red flag now fires, the plan only
    protects the hip until a clinician has seen you."""
    answers = dict(service.parse_answer(a) for a in answer)
    doc = service.recheck(answers, athlete)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    style = "bold white on red" if doc["new_red_flags"] else "bold"
    console.print(Panel(escape(doc["message"]) + "\n\n" + escape(doc["triage"]["advice"] or ""),
                        title=f"RE-ASSESSED: {doc['triage']['level'].replace('_', ' ').upper()}", style=style))
