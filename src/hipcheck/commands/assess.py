"""`hipcheck assess`: is it serious, what is likely causing it, and what to do now."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.prompt import Prompt

from ..assess import DONT_KNOW, AdaptiveSession, FullSession
from ..contracts import intake_fields
from ..errors import InputError
from ..services import assess as service
from .common import OutputFormat, console, console_err, print_json

_BANNER = {"emergency": "bold white on red", "urgent": "bold black on dark_orange",
           "routine": "bold black on yellow", "self_care": "bold black on green"}
_DONT_KNOW = {"?", "dk", "don't know", "dont know", "not sure", "skip"}


def assess(
    file: Path = typer.Argument(None, help="An intake file (hipcheck.intake/v1, JSON or YAML). "
                                           "Leave out with --interactive or --full."),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
    athlete: str = typer.Option(None, "--athlete", help="Store the intake and assessment for this athlete."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not store anything."),
    interactive: bool = typer.Option(False, "--interactive", help="Answer questions instead of giving a file: "
                                     "red-flag questions first, then the most useful ones."),
    full: bool = typer.Option(False, "--full", help="Answer the complete fixed questionnaire."),
) -> None:
    """Assess hip pain: the triage level first, then likely causes with the evidence for and against.

    Example: `hipcheck assess intake.yaml`, or `hipcheck assess --interactive`.
    """
    if athlete is not None and no_store:
        raise InputError("--athlete and --no-store contradict each other: use one of them")
    if file is not None and (interactive or full):
        raise InputError("give an intake file or --interactive/--full, not both")
    if file is None:
        if not (interactive or full):
            raise InputError("give an intake file (see `hipcheck assess --help`), or use --interactive")
        intake = _ask(full)
        result = service.assess_intake(intake, athlete=athlete, store=not no_store)
    else:
        result = service.assess_file(file, athlete=athlete, store=not no_store)
    if result.note:
        console_err.print(f"[yellow]{result.note}[/]", highlight=False, soft_wrap=True)
    if fmt is OutputFormat.json:
        print_json(result.document)
        return
    render(result.document)
    if result.stored_for:
        console.print(f"[dim]Saved for {result.stored_for}.[/]")


# ---- text output ---------------------------------------------------------------------------------
def render(doc: dict) -> None:
    t = doc["triage"]
    console.print(Panel(f"{t['headline']}\n\n{t['advice']}", title=f"TRIAGE: {t['level'].replace('_', ' ').upper()}",
                        style=_BANNER[t["level"]]))
    for flag in t["red_flags"]:
        state = "red flag" if flag["status"] == "present" else "possible red flag (unanswered questions)"
        console.print(f"  [bold]![/] {flag['name']} - {state}, {flag['level']}", highlight=False)
    console.rule("Likely causes (not a diagnosis)")
    for i, d in enumerate(doc["differential"], 1):
        mnm = " [red](must not be missed)[/]" if d["must_not_miss"] else ""
        console.print(f"[bold]{i}. {d['name']}[/] ({d['condition']}) {d['probability']:.0%}{mnm}", highlight=False)
        for s in d["for"][:4]:
            console.print(f"     + {s}", highlight=False)
        for s in d["against"][:3]:
            console.print(f"     - {s}", highlight=False)
    for m in doc["must_not_miss"]:
        console.print(f"[red]Warning:[/] {m['warning']}", highlight=False)
    console.rule("What to do now")
    for s in doc["what_to_do"]:
        console.print(f"  • {s}", highlight=False)
    console.rule("When to see a doctor")
    for s in doc["when_to_see_doctor"]:
        console.print(f"  • {s}", highlight=False)
    serious = [f["name"].lower() for f in t["unanswered_red_flags"] if f["level"] in ("emergency", "urgent")]
    if serious:
        console.print("  [yellow]Not yet ruled out (questions unanswered):[/] " + "; ".join(serious),
                      highlight=False)
    console.rule("Contributing factors")
    if not doc["contributing_factors"]:
        console.print("  none identified from your answers")
    for c in doc["contributing_factors"]:
        console.print(f"  • {c['text']} [dim]({c['source']})[/]", highlight=False)
    if doc["next_best_questions_detail"]:
        console.rule("Most useful next questions")
        for q in doc["next_best_questions_detail"]:
            console.print(f"  • {q['question']} [dim]({q['field']})[/]", highlight=False)
    console.rule("Sources")
    for s in doc["sources"]:
        console.print(escape(f"  [{s['id']}] {s['title']} - {s['where']}"), highlight=False)
    console.print(f"\n[dim]{doc['disclaimer']}[/]")


# ---- questions -----------------------------------------------------------------------------------
def _ask(full: bool) -> dict:
    a = service.assessor()
    session = FullSession(a) if full else AdaptiveSession(a)
    questions = {q.field: q for q in a.kb.assess_model.questions}
    tests = {t.intake_field: t for t in a.kb.self_tests.values()}
    screen = a.kb.assess_model.red_flag_screen
    console.print("Answer each question; type ? if you don't know.", highlight=False)
    while (path := session.next_field()) is not None:
        n = len(session.asked) + 1
        if path in screen:
            progress = f"[{n}] Safety check {screen.index(path) + 1} of {len(screen)}"
        else:
            probs = session.assessment().probabilities
            top = max(probs, key=probs.get)
            progress = f"[{n}] Leading so far: {a.kb.conditions[top].lay_name} ({probs[top]:.0%})"
        console.print(f"\n[dim]{progress}[/]", highlight=False)
        if path in tests:
            _explain(tests[path])
        session.answer(path, _prompt(questions[path]))
    console.print(f"\n[dim]Done: {session.stop_reason}.[/]\n", highlight=False)
    return session.intake


def _explain(test) -> None:
    console.print(f"[bold]Self-test: {test.name}[/] - {test.purpose}", highlight=False)
    for i, step in enumerate(test.steps, 1):
        console.print(f"  {i}. {step}", highlight=False)
    for s in test.safety:
        console.print(f"  [yellow]Safety:[/] {s}", highlight=False)


def _prompt(q):
    spec = intake_fields()[q.field]
    if q.options:
        opts = list(q.options)
        for i, o in enumerate(opts, 1):
            console.print(f"  {i}. {q.options[o]}", highlight=False)
    while True:
        try:
            raw = Prompt.ask(q.text, console=console).strip().lower()
        except EOFError:
            raise InputError("input ended before the questions were finished") from None
        if raw in _DONT_KNOW:
            return DONT_KNOW
        try:
            return _parse(raw, spec, list(q.options))
        except ValueError as exc:
            console.print(f"[red]{exc}[/] (type ? for don't know)", highlight=False)


def _parse(raw: str, spec, opts: list[str]):
    if spec.kind == "boolean":
        if raw in ("y", "yes"):
            return True
        if raw in ("n", "no"):
            return False
        raise ValueError("answer y or n")
    if spec.kind in ("integer", "number"):
        try:
            value = int(raw) if spec.kind == "integer" else float(raw)
        except ValueError:
            raise ValueError("type a number") from None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # "3" is 3, as in a file
        if not spec.minimum <= value <= spec.maximum:
            raise ValueError(f"give a number from {spec.minimum:g} to {spec.maximum:g}")
        return value
    picks = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]

    def pick(p: str) -> str:
        if p.isdigit() and 1 <= int(p) <= len(opts):
            return opts[int(p) - 1]
        if p in opts:
            return p
        raise ValueError(f"'{p}' is not one of the numbered choices")
    if spec.kind == "list":
        if raw in ("none", "0", "-"):
            return []
        return list(dict.fromkeys(pick(p) for p in picks))
    if len(picks) != 1:
        raise ValueError("pick one number")
    value = pick(picks[0])
    return DONT_KNOW if value == "not_done" else value
