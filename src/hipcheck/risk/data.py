"""Loading the Lövdal, den Hartigh & Azzopardi (2021) training-log data set (sources `lovdal_2021`,
`lovdal_2021_dataset`).

Two CSV files, one row per (athlete, event day):
- day file: 7 day-slots x 10 daily features; the unsuffixed block is the OLDEST day, `.6` the day
  before the event day (checked: row(t).5 == row(t-1).6 on every consecutive pair);
- week file: 3 week-slots x 22 weekly aggregates; the unsuffixed block is the MOST RECENT week.
The arrays returned here put slots in time order, oldest first, in both approaches, so that slot -1 is
always the period just before the event day. The file's own `rel total kms` columns are dropped (they
explode when a week has 0 km) and recomputed by the feature builder.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError

ENV_DATA = "HIPCHECK_INJURY_DATA"
DAY_FILE = "day_approach_maskedID_timeseries.csv"
WEEK_FILE = "week_approach_maskedID_timeseries.csv"

DAY_FEATURES = (
    "nr. sessions",
    "total km",
    "km Z3-4",
    "km Z5-T1-T2",
    "km sprinting",
    "strength training",
    "hours alternative",
    "perceived exertion",
    "perceived trainingSuccess",
    "perceived recovery",
)
WEEK_FEATURES = (
    "nr. sessions",
    "nr. rest days",
    "total kms",
    "max km one day",
    "total km Z3-Z4-Z5-T1-T2",
    "nr. tough sessions (effort in Z5, T1 or T2)",
    "nr. days with interval session",
    "total km Z3-4",
    "max km Z3-4 one day",
    "total km Z5-T1-T2",
    "max km Z5-T1-T2 one day",
    "total hours alternative training",
    "nr. strength trainings",
    "avg exertion",
    "min exertion",
    "max exertion",
    "avg training success",
    "min training success",
    "max training success",
    "avg recovery",
    "min recovery",
    "max recovery",
)
# Short names used in feature names and reports (same order as above).
DAY_SHORT = (
    "sessions",
    "km",
    "km_z34",
    "km_z5",
    "km_sprint",
    "strength",
    "alt_hours",
    "exertion",
    "success",
    "recovery",
)
WEEK_SHORT = (
    "sessions",
    "rest_days",
    "km",
    "max_km_day",
    "km_z345",
    "tough_sessions",
    "interval_days",
    "km_z34",
    "max_km_z34_day",
    "km_z5",
    "max_km_z5_day",
    "alt_hours",
    "strength",
    "exertion_avg",
    "exertion_min",
    "exertion_max",
    "success_avg",
    "success_min",
    "success_max",
    "recovery_avg",
    "recovery_min",
    "recovery_max",
)
DAY_SLOTS, WEEK_SLOTS = 7, 3
NO_SESSION = -0.01  # the files' code for "no session that day" in the perceived scores
PERCEIVED_DAY = (7, 8, 9)  # indices of the perceived scores in DAY_FEATURES


@dataclass(frozen=True)
class Cohort:
    """One approach's rows: windows[i, slot, feature] with slots oldest first."""

    approach: str  # "day" or "week"
    windows: np.ndarray  # float64 (n, slots, features)
    athlete: np.ndarray  # int (n,)
    date: np.ndarray  # int day index of the event day (n,)
    injury: np.ndarray  # int 0/1 (n,)
    sha256: str

    @property
    def slot_days(self) -> int:
        return 1 if self.approach == "day" else 7

    @property
    def window_days(self) -> int:
        return self.windows.shape[1] * self.slot_days

    def first_logged_day(self) -> dict[int, int]:
        """Each athlete's first logged day: the earliest event day minus the window length.

        This defines "most recently joined" for the hold-out (the published test set was the
        athletes who joined the team last)."""
        out: dict[int, int] = {}
        for a in np.unique(self.athlete):
            out[int(a)] = int(self.date[self.athlete == a].min()) - self.window_days
        return out

    def subset(self, mask: np.ndarray) -> Cohort:
        return Cohort(
            self.approach,
            self.windows[mask],
            self.athlete[mask],
            self.date[mask],
            self.injury[mask],
            self.sha256,
        )


def data_dir(explicit: str | Path | None = None) -> Path:
    """The folder holding the two CSV files: `explicit`, $HIPCHECK_INJURY_DATA, or ../shared/data/...

    The data is third-party (source lovdal_2021_dataset, reported CC0) and is never copied into the package.
    """
    candidates: list[Path] = []
    if explicit:
        candidates.append(Path(explicit))
    elif os.environ.get(ENV_DATA):
        candidates.append(Path(os.environ[ENV_DATA]))
    else:
        repo = Path(__file__).resolve().parents[3]
        for root in (Path.cwd(), repo):
            candidates.append(root.parent / "shared" / "data" / "injury-dataset")
            candidates.append(root / "shared" / "data" / "injury-dataset")
    for c in candidates:
        if (c / DAY_FILE).is_file() and (c / WEEK_FILE).is_file():
            return c
    raise InputError(
        f"the Lövdal injury data set was not found in {', '.join(map(str, candidates))}: "
        f"pass --data DIR or set {ENV_DATA} to the folder holding {DAY_FILE} and {WEEK_FILE}"
    )


def load_cohort(approach: str, directory: str | Path | None = None) -> Cohort:
    """Read one approach's CSV into a Cohort, checking its header against the published layout."""
    if approach not in ("day", "week"):
        raise InputError(f"approach must be 'day' or 'week', not {approach!r}")
    path = data_dir(directory) / (DAY_FILE if approach == "day" else WEEK_FILE)
    raw = path.read_bytes()
    rows = list(csv.reader(raw.decode("utf-8").splitlines(keepends=True)))
    header, body = [_norm(h) for h in rows[0]], [r for r in rows[1:] if r]
    names, slots = (DAY_FEATURES, DAY_SLOTS) if approach == "day" else (WEEK_FEATURES, WEEK_SLOTS)
    # Suffix order in the file: day ("" oldest ... ".6" newest); week ("" newest ... ".2" oldest).
    suffixes = [""] + [f".{k}" for k in range(1, slots)]
    cols = []
    for suffix in suffixes:
        cols.append([_col(header, _norm(n) + suffix, path) for n in names])
    if approach == "week":
        cols.reverse()
    idx_athlete, idx_injury, idx_date = (_col(header, n, path) for n in ("Athlete ID", "injury", "Date"))
    try:
        table = np.asarray(body, dtype=np.float64)
    except ValueError as exc:
        raise InputError(
            f"{path}: a value is not a number ({exc}); the file should hold numbers only"
        ) from exc
    if table.ndim != 2 or table.shape[1] != len(header):
        raise InputError(f"{path}: rows do not all have {len(header)} columns")
    windows = np.stack([table[:, c] for c in cols], axis=1)
    order = np.lexsort((table[:, idx_date], table[:, idx_athlete]))
    return Cohort(
        approach,
        windows[order],
        table[order, idx_athlete].astype(int),
        table[order, idx_date].astype(int),
        table[order, idx_injury].astype(int),
        hashlib.sha256(raw).hexdigest(),
    )


def _norm(name: str) -> str:
    return " ".join(name.split())


def _col(header: list[str], name: str, path: Path) -> int:
    try:
        return header.index(name)
    except ValueError:
        raise InputError(f"{path}: column {name!r} is missing; is this the Lövdal {path.name}?") from None
