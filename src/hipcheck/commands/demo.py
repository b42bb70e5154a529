"""`hipcheck demo`: walk the built-in sample runner through assessment, training load and pain diary."""
from __future__ import annotations

import typer

from ..services import demo as service
from .common import OutputFormat, console, print_json


def demo(fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json")) -> None:
    """Create the sample runner "Demo Runner" and show what hipcheck makes of her answers and training.

    Uses the same services as `assess`, `load import`, `diary add`, `load report` and `load plan`,
    on your database (HIPCHECK_HOME or HIPCHECK_DATABASE_URL). Running it again refreshes her data.
    """
    with console.status("Assessing the sample runner and importing her training log..."):
        result = service.run_demo()
    if fmt is OutputFormat.json:
        print_json({"athlete": result.athlete, "assessment": result.assessment,
                    "import": result.import_summary, "load_report": result.load_report,
                    "progression": result.progression, "plan": result.plan})
        return
    from .assess import render
    from .load import print_plan, print_report
    from .plan import render as render_plan

    console.rule(f"[bold]hipcheck demo: {result.athlete}[/]")
    console.print("A 38-year-old desk-bound runner with an outer-hip ache after adding a long hilly run. "
                  "Her answers: src/hipcheck/samples/demo_intake.yaml.\n", highlight=False)
    render(result.assessment)
    console.rule("[bold]Training load and pain diary[/]")
    s = result.import_summary
    console.print(f"Imported her training log: {s['imported']} file(s) new, {s['skipped']} already there.",
                  highlight=False)
    print_report(result.load_report)
    console.rule("[bold]What the next weeks should look like[/]")
    print_plan(result.progression)
    console.rule("[bold]Her prevention and rehab plan[/]")
    render_plan(result.plan)
    console.print("\nNext: `hipcheck load report --html report.html` for the chart, "
                  "`hipcheck plan --pdf plan.pdf` for the handout, `hipcheck assess --interactive` for your own answers.", highlight=False)
