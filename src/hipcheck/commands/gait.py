"""`hipcheck gait`: running gait from a phone video (or keypoints made elsewhere)."""
from __future__ import annotations

import enum
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..services import gait as service
from .common import OutputFormat, console, console_err, print_json, progress_bar

app = typer.Typer(help="Running gait from a phone video: cadence, contact time, overstride, pelvic drop "
                       "and what they point at. Needs the gait extra (make install includes it; or pip install 'hipcheck\\[gait]').",
                  no_args_is_help=True)

STAGES = {"pose": "finding the runner", "video": "drawing the video", "videos": "analysing videos"}


class View(str, enum.Enum):
    side = "side"
    rear = "rear"
    front = "front"


def report_store(outcome: service.StoreOutcome, what: str) -> None:
    if outcome.message:
        console_err.print(outcome.message, highlight=False, soft_wrap=True)
    elif outcome.stored_ids:
        console_err.print(f"stored the {what} for {outcome.athlete} (id {', '.join(map(str, outcome.stored_ids))})",
                          highlight=False)


def _fmt(entry: dict, side: str) -> str:
    s = entry.get(side) or {}
    if "pattern" in s:
        return s.get("pattern") or "-"
    if s.get("mean") is None:
        return "-"
    return f"{s['mean']:.1f}" + (f" ± {s['sd']:.1f}" if s.get("sd") is not None else "") + f" (n={s['n']})"


def print_text(doc: dict) -> None:
    head = f"[bold]{doc['view']} view[/], {doc['frames']} frames at {doc['fps']:g} fps: cadence " \
           f"[bold]{doc['cadence_spm']}[/] steps/min, {doc['steps']['left']} left and {doc['steps']['right']} " \
           "right steps"
    console.print(head, highlight=False)
    table = Table(title="Per side (mean ± sd)")
    for col in ("metric", "unit", "left", "right"):
        table.add_column(col)
    for name, entry in doc["metrics"].items():
        if name in ("cadence_spm", "crossover_share"):
            continue
        low = " [yellow](low validity)[/]" if entry.get("validity") == "low" else ""
        table.add_row(name + low, entry.get("unit", ""), _fmt(entry, "left"), _fmt(entry, "right"))
    console.print(table)
    if doc["findings"]:
        console.print("[bold]Findings[/] (likely contributors, not a diagnosis):")
        for f in doc["findings"]:
            console.print(f"  • [bold]{f['id']}[/] ({f['strength']}): {escape(f['evidence'])}", highlight=False,
                          soft_wrap=True)
    else:
        console.print("No findings beyond measurement error.")
    for q in doc["quality"]:
        if q["level"] != "info":
            console.print(f"  [yellow]{q['level']}[/]: {escape(q['message'])}", highlight=False, soft_wrap=True)
    for key, path in (doc.get("outputs") or {}).items():
        console.print(f"  wrote {key}: {escape(str(path))}", highlight=False, soft_wrap=True)


@app.command("analyze")
def analyze(
    videos: list[Path] | None = typer.Argument(None, help="Running video(s), side or rear view (MP4, MOV)."),
    keypoints: Path | None = typer.Option(None, "--keypoints", help="Keypoints made elsewhere instead of the "
                                             "pose model: OpenPose BODY_25 folder, Sports2D/Pose2Sim .trc, GaitLab "
                                             "pose JSON or hipcheck keypoints JSON."),
    view: View | None = typer.Option(None, "--view", help="side, rear (filmed from behind) or front (the runner comes towards the camera). "
                                   "Default: side or rear, detected; a front view cannot be told from a rear one, "
                                   "so say so or left and right are swapped."),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
    out: Path | None = typer.Option(None, "--out", help="Folder for gait.json, steps.csv, annotated.mp4, "
                                       "key-frame PNGs and keypoints.json."),
    athlete: str | None = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not keep the result in the database."),
    fps: float | None = typer.Option(None, "--fps", help="Frame rate, for keypoint files that lack it."),
    roll: float | None = typer.Option(None, "--roll", help="Camera roll in degrees, if known (default: "
                                         "measured)."),
    baseline: Path | None = typer.Option(None, "--baseline", help="posture.json from `hipcheck posture "
                                            "analyze` (default: the athlete's last one)."),
    leg_length_cm: float | None = typer.Option(None, "--leg-length-cm", min=40, max=130,
                                                  help="Hip-to-ankle length, to give bounce in cm."),
) -> None:
    """Analyse running gait: VIDEO, or --keypoints FILE (with the VIDEO too, for the picture)."""
    bar, update = progress_bar(STAGES)
    with bar:
        docs, outcome = service.analyze_gait([str(v) for v in videos or []],
                                             str(keypoints) if keypoints else None,
                                             view.value if view else None, str(out) if out else None, athlete,
                                             not no_store, fps, roll, str(baseline) if baseline else None,
                                             leg_length_cm, update)
    if fmt is OutputFormat.json:
        print_json(docs[0] if len(docs) == 1 else docs)
    else:
        for doc in docs:
            print_text(doc)
    report_store(outcome, "gait analysis")
