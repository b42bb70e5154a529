"""Shared CLI plumbing: consoles, output formats and the error guard."""
from __future__ import annotations

import enum
import json
import sys
import traceback
from datetime import date
from typing import Any, Callable

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import HipcheckError, InputError

console = Console()
console_err = Console(stderr=True)


def progress_bar(labels: dict[str, str]):
    """A Rich progress bar on stderr (hidden when stderr is not a terminal) and its (stage, done, total)
    callback; each stage gets its own line, labelled from `labels`."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console_err, transient=True, disable=not console_err.is_terminal)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return bar, update


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date option (`--date 2025-03-14`), or None when not given; a bad value names the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} '{value}' is not a date: use YYYY-MM-DD, e.g. 2025-03-14") from None


def print_json(doc: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colour codes."""
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def run_guarded(fn: Callable[[], Any], debug: bool) -> int:
    """Run the CLI; a user error becomes one line on stderr and exit code 2, never a traceback."""
    try:
        result = fn()
        return int(result) if isinstance(result, int) else 0
    except HipcheckError as exc:
        if debug:
            traceback.print_exc()
        console_err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        console_err.print("aborted")
        return 130
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        show() if show else console_err.print(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        console_err.print("interrupted")
        return 130
    except Exception as exc:  # an unexpected bug: still one line unless --debug
        if debug:
            traceback.print_exc()
        else:
            console_err.print(f"[bold red]internal error:[/] {type(exc).__name__}: {exc} "
                              "(run again with --debug for the traceback, and please report it)",
                              highlight=False, soft_wrap=True)
        return 1
