"""`hipcheck posture`: standing posture from one photo."""
from __future__ import annotations

import enum
from pathlib import Path

import typer
from rich.markup import escape

from ..services import gait as service
from .common import OutputFormat, console, print_json
from .gait import report_store

app = typer.Typer(help="Standing posture from a front or back photo: pelvic and shoulder tilt, trunk shift, "
                       "an apparent leg-length flag. Needs the gait extra (make install includes it; or pip install 'hipcheck\\[gait]').",
                  no_args_is_help=True)


class Facing(str, enum.Enum):
    front = "front"
    back = "back"


@app.command("analyze")
def analyze(
    photo: Path | None = typer.Argument(None, help="A photo of you standing, whole body, facing the camera "
                                           "or with your back to it."),
    keypoints: Path | None = typer.Option(None, "--keypoints", help="Keypoints of a standing pose instead of "
                                             "the pose model (several frames: the median pose)."),
    facing: Facing | None = typer.Option(None, "--facing", help="front or back (default: from the pose "
                                            "model's left/right labels)."),
    fmt: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text or json"),
    out: Path | None = typer.Option(None, "--out", help="Folder for posture.json and posture.png."),
    athlete: str | None = typer.Option(None, "--athlete", help="Athlete name (default: the only one)."),
    no_store: bool = typer.Option(False, "--no-store", help="Do not keep the result in the database."),
    roll: float | None = typer.Option(None, "--roll", help="Camera roll in degrees, if known."),
) -> None:
    """Measure standing posture; later rear-view gait analyses subtract its pelvic tilt."""
    doc, outcome = service.analyze_posture(str(photo) if photo else None, str(keypoints) if keypoints else None,
                                           facing.value if facing else None, str(out) if out else None,
                                           athlete, not no_store, roll)
    if fmt is OutputFormat.json:
        print_json(doc)
    else:
        m = doc["metrics"]
        console.print(f"seen from the [bold]{doc['facing']}[/]; camera roll {m['roll']['deg']:+.1f}° corrected",
                      highlight=False)
        console.print(f"pelvis: {abs(m['pelvic_tilt_deg']):.1f}° lower on the {m['pelvis_lower_side']}; "
                      f"shoulders: {abs(m['shoulder_tilt_deg']):.1f}° lower on the {m['shoulder_lower_side']}; "
                      f"trunk shifted {abs(m['trunk_shift_deg']):.1f}° to the {m['trunk_shift_side']}",
                      highlight=False)
        for f in doc["findings"]:
            console.print(f"  • [bold]{f['id']}[/] ({f['strength']}): {escape(f['evidence'])}", highlight=False,
                          soft_wrap=True)
        for q in doc["quality"]:
            if q["level"] != "info":
                console.print(f"  [yellow]{q['level']}[/]: {escape(q['message'])}", highlight=False, soft_wrap=True)
        for key, path in (doc.get("outputs") or {}).items():
            console.print(f"  wrote {key}: {escape(str(path))}", highlight=False)
    report_store(outcome, "posture analysis")
