"""`hipcheck risk`: the injury-risk pattern model, measured against the published record, and applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from ..errors import InputError
from ..services import risk as service
from .common import OutputFormat, console, console_err, print_json, progress_bar

app = typer.Typer(
    help="Injury-risk pattern from training logs (Lövdal 2021 cohort): evaluate it, "
    "or score your last 7 days.",
    no_args_is_help=True,
)
FIT_STAGES = {
    "day": "day approach: model fits",
    "week": "week approach: model fits",
    "shipped": "shipped configuration: model fits",
}


@app.command("evaluate")
def evaluate(
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
    out: Path = typer.Option(
        None, "--out", help="Folder for the reliability plot (default: HIPCHECK_HOME/risk)."
    ),
    data: Path = typer.Option(
        None,
        "--data",
        help="Folder with the Lövdal CSV files (default: "
        "$HIPCHECK_INJURY_DATA or ../shared/data/injury-dataset).",
    ),
    fast: bool = typer.Option(
        False,
        "--fast",
        help="Small models, 3 folds, one seed: a quick check that it runs, not the real numbers.",
    ),
    approach: list[str] = typer.Option(["day", "week"], "--approach", help="day and/or week"),
) -> None:
    """Reproduce the published protocol on the day and week approaches: ROC-AUC, PR-AUC and calibration
    under athlete-grouped CV and on the 10 most recently joined athletes. Takes several minutes."""
    bad = [a for a in approach if a not in ("day", "week")]
    if bad:
        raise InputError(f"--approach {bad[0]!r}: use day or week")
    if fmt is OutputFormat.text:
        console_err.print(
            "training and scoring every split; this takes a few minutes (--fast for a quick run)"
        )
    bar, update = progress_bar(FIT_STAGES)
    with bar:
        doc = service.evaluate(data, out, fast, tuple(dict.fromkeys(approach)), progress=update)
    if fmt is OutputFormat.json:
        print_json(doc)
        return
    table = Table(title="Injury prediction on the Lövdal 2021 cohort (ROC-AUC; PR-AUC chance ≈ injury rate)")
    for col in (
        "approach",
        "model",
        "grouped CV AUC",
        "hold-out AUC",
        "CV PR-AUC",
        "hold-out PR-AUC",
        "CV Brier (ref)",
        "published AUC",
    ):
        table.add_column(col)
    for a in approach:
        sec = doc[a]
        for name, m in sec["models"].items():
            table.add_row(
                a,
                name,
                f"{m['auc_grouped_cv']:.3f} ± {m['auc_grouped_cv_sd']:.3f}",
                f"{m['auc_holdout']:.3f}",
                f"{m['pr_auc_grouped_cv']:.4f}",
                f"{m['pr_auc_holdout']:.4f}",
                f"{m['brier_grouped_cv']:.5f} ({m['brier_reference_grouped_cv']:.5f})",
                f"{doc['published'][a]:.3f}" if name == "ours" else "",
            )
    console.print(table)
    console.print(
        f"PR-AUC chance: day {doc.get('day', {}).get('pr_auc_chance', '-')}, "
        f"week {doc.get('week', {}).get('pr_auc_chance', '-')}. Reliability plot: {doc['reliability_plot']}",
        highlight=False,
        soft_wrap=True,
    )
    if fast:
        console.print(
            "[yellow]fast mode: small models and 3 folds; run without --fast for the real numbers[/]"
        )


@app.command("show")
def show(
    athlete: str = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
    as_of: str = typer.Option(
        None, "--as-of", help="Last day of the 7-day window, YYYY-MM-DD (default: the last logged day)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
) -> None:
    """Score your last 7 days against the cohort: percentile, drivers and what it does not mean."""
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise InputError(f"--as-of '{as_of}' is not a date: use YYYY-MM-DD, e.g. 2025-03-14") from None
    result = service.athlete_risk(athlete, day)
    if fmt is OutputFormat.json:
        print_json(result.to_json())
        return
    console.rule(f"Training-load risk pattern, {result.window_start} to {result.as_of_date}")
    if result.percentile_vs_cohort is not None:
        console.print(
            f"[bold]{result.percentile_vs_cohort:.0f}th percentile[/] of the cohort's days "
            f"(model probability {result.probability:.2%} for the next day; cohort average "
            f"{result.cohort_injury_rate:.2%})",
            highlight=False,
        )
        for name, c in result.drivers[:5]:
            console.print(f"  {'▲' if c > 0 else '▼'} {name} ({c:+.2f})", highlight=False)
    console.print(result.wording, highlight=False, soft_wrap=True)
