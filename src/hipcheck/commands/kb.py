"""`hipcheck kb`: check and browse the knowledge base."""
from __future__ import annotations

import typer
from rich.table import Table

from .. import knowledge
from ..errors import InputError
from .common import OutputFormat, console, print_json

app = typer.Typer(help="Check and browse the knowledge base (conditions, red flags, exercises, sources).",
                  no_args_is_help=True)


@app.command("check")
def check(fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> int:
    """Load every knowledge-base file, cross-check all references, and report counts and errors.

    Exits 1 if anything is broken.
    """
    kb, errors = knowledge.load()
    doc = knowledge.summary(kb, errors)
    if fmt is OutputFormat.json:
        print_json(doc)
    else:
        table = Table(title="Knowledge base", show_header=False)
        for key, value in doc.items():
            if key != "errors":
                table.add_row(key.replace("_", " "), str(value))
        console.print(table)
        for err in errors:
            console.print(f"[red]✗[/] {err}", highlight=False)
        console.print("[green]✓ knowledge base is sound[/]" if not errors
                      else f"[red]{len(errors)} problem(s) found[/]")
    return 1 if errors else 0


@app.command("show")
def show(ref: str = typer.Argument(..., help="An id such as `gtps`, or kind:id such as `exercise:clamshell`."),
         fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Show one knowledge-base record: a condition, red flag, risk factor, self-test, exercise or source."""
    kb = knowledge.get_knowledge()
    matches = _find(kb, ref)
    if not matches:
        raise InputError(f"no knowledge-base record '{ref}': use an id such as 'gtps' or kind:id such as "
                         "'exercise:clamshell'; `hipcheck kb list KIND` lists the ids")
    if len(matches) > 1:
        raise InputError(f"'{ref}' is ambiguous: use one of {', '.join(k + ':' + ref for k, _ in matches)}")
    kind, rec = matches[0]
    data = rec.model_dump(mode="json", by_alias=True, exclude_none=True)
    if fmt is OutputFormat.json:
        print_json({"kind": kind, **data})
        return
    console.rule(f"[bold]{kind}: {rec.id}")
    for key, value in data.items():
        if key == "id":
            continue
        if isinstance(value, list):
            console.print(f"[bold]{key}[/]:")
            for v in value:
                console.print(f"  • {v}", highlight=False)
        else:
            console.print(f"[bold]{key}[/]: {value}", highlight=False)


@app.command("list")
def list_(kind: str = typer.Argument(..., help="condition, red_flag, risk_factor, self_test, exercise, source "
                                     "or threshold."),
          fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """List the ids and names of one kind of record, e.g. `hipcheck kb list exercise`."""
    from ..knowledge.loader import REF_KINDS

    if kind not in REF_KINDS:
        raise InputError(f"unknown kind '{kind}': use one of {', '.join(REF_KINDS)}")
    records = knowledge.get_knowledge().collection(kind)
    rows = [(rid, getattr(r, "name", None) or getattr(r, "lay_name", None) or getattr(r, "title", ""))
            for rid, r in records.items()]
    if fmt is OutputFormat.json:
        print_json([{"id": rid, "name": name} for rid, name in rows])
        return
    table = Table(title=f"{kind} ({len(rows)})")
    table.add_column("id")
    table.add_column("name")
    for rid, name in rows:
        table.add_row(rid, name)
    console.print(table)


def _find(kb: knowledge.KnowledgeBase, ref: str) -> list[tuple[str, object]]:
    from ..knowledge.loader import REF_KINDS
    if ":" in ref:
        try:
            return [(ref.split(":", 1)[0], kb.get(ref))]
        except KeyError:
            return []
    return [(k, kb.collection(k)[ref]) for k in REF_KINDS if ref in kb.collection(k)]
