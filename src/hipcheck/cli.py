"""The `hipcheck` command: a thin shell over the services. Each command group lives in commands/."""
from __future__ import annotations

import sys

import typer

from .commands import athlete, demo, kb
from .commands import diary, load
from .commands import assess as assess_cmd
from .commands import risk
from .commands import gait, posture
from .commands import plan as plan_cmd
from .commands import serve as serve_cmd
from .commands.common import run_guarded

app = typer.Typer(
    name="hipcheck",
    help="Hip pain after running: is it serious, what is likely causing it, and what to do.\n\n"
         "Start with `hipcheck kb check` to see the knowledge base is sound, add yourself with "
         "`hipcheck athlete add NAME`, then assess, import training and track a plan.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(kb.app, name="kb")
app.add_typer(risk.app, name="risk")
app.add_typer(athlete.app, name="athlete")
app.add_typer(load.app, name="load")
app.add_typer(diary.app, name="diary")
app.command("assess")(assess_cmd.assess)
app.add_typer(gait.app, name="gait")
app.add_typer(posture.app, name="posture")
app.add_typer(plan_cmd.app, name="plan")
app.command("serve")(serve_cmd.serve)
app.command("demo")(demo.demo)


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show the full traceback on errors.")):
    """Global options."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the app, turning user errors into one clear line and exit code 2."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    code = run_guarded(lambda: app(args=argv, prog_name="hipcheck", standalone_mode=False), debug)
    sys.exit(code)


if __name__ == "__main__":
    main()
