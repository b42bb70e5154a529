#!/usr/bin/env python3
"""Retrain the shipped injury-risk model from the Lövdal day file, deterministically.

    .venv/bin/python scripts/train_risk_model.py [--data DIR] [--out PATH] [--seed 0]

Measures the shipped configuration first (athlete-grouped 5-fold CV and the hold-out of the 10 latest-
joined athletes, on full inputs and on distance-and-sessions-only inputs), stores those numbers in the
model file, then fits on all 74 athletes and writes src/hipcheck/risk/model/day_risk_v1.json.gz.
Same data + same seed = byte-identical file (single-threaded deterministic LightGBM, gzip mtime 0).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

from hipcheck.risk.data import load_cohort
from hipcheck.risk.shipped import MODEL_PATH, evaluate_shipped_config, train_shipped_model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder with the Lövdal CSV files")
    ap.add_argument("--out", default=str(MODEL_PATH), help="where to write the model file")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    started = time.monotonic()
    cohort = load_cohort("day", args.data)
    print(
        f"day file: {len(cohort.injury)} rows, {int(cohort.injury.sum())} injury rows, "
        f"sha256 {cohort.sha256[:16]}"
    )
    scores = evaluate_shipped_config(cohort, seed=args.seed)
    for k, v in scores.items():
        print(f"  {k}: {v}")
    meta = {"auc_grouped_cv": scores["auc_grouped_cv_full_inputs"], **scores}
    model = train_shipped_model(cohort, seed=args.seed, meta=meta)
    path = model.save(Path(args.out))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(
        f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, sha256 {digest[:16]}) in "
        f"{time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
