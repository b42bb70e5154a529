#!/usr/bin/env python3
"""Benchmark: our injury-risk AUCs next to the published Lövdal et al. (2021) ones, in one run.

    .venv/bin/python bench/risk_model.py [--fast] [--data DIR] [--out DIR] [--json FILE]

Runs `hipcheck risk evaluate` (both approaches, both protocols, three models) and prints one table.
Full run: 5-fold athlete-grouped CV x 3 seeds plus the hold-out, several minutes on one core.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile

from hipcheck.services.risk import evaluate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="smoke run: 30 athletes, small models")
    ap.add_argument("--data", help="folder with the Lövdal CSV files")
    ap.add_argument("--out", help="folder for the reliability plot (default: a temporary folder)")
    ap.add_argument("--json", help="also write the full evaluation document here")
    args = ap.parse_args(argv)
    out = args.out or tempfile.mkdtemp(prefix="hipcheck-risk-bench-")
    doc = evaluate(args.data, out, fast=args.fast)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(doc, fh, indent=2)
    head = (
        f"{'approach':8} {'model':16} {'CV AUC':>15} {'hold-out AUC':>12} {'CV PR-AUC':>10} "
        f"{'HO PR-AUC':>10} {'CV Brier':>9} {'published':>9}"
    )
    print(head)
    print("-" * len(head))
    for approach in ("day", "week"):
        sec = doc[approach]
        for name, m in sec["models"].items():
            pub = f"{doc['published'][approach]:.3f}" if name == "ours" else ""
            print(
                f"{approach:8} {name:16} {m['auc_grouped_cv']:.3f} ± {m['auc_grouped_cv_sd']:.3f}   "
                f"{m['auc_holdout']:12.3f} {m['pr_auc_grouped_cv']:10.4f} {m['pr_auc_holdout']:10.4f} "
                f"{m['brier_grouped_cv']:9.5f} {pub:>9}"
            )
        print(
            f"{'':8} PR-AUC chance {sec['pr_auc_chance']:.4f}; Brier of always predicting the rate "
            f"{sec['brier_reference_grouped_cv']:.5f}; "
            f"hold-out has {sec['n_holdout_injury_rows']} injury rows"
        )
    shipped = doc["day"]["shipped_model"]
    print(
        "shipped day model (trained with masked inputs): "
        f"CV AUC {shipped['auc_grouped_cv_full_inputs']:.3f}, "
        f"hold-out {shipped['auc_holdout_full_inputs']:.3f}; with distance and sessions only: CV "
        f"{shipped['auc_grouped_cv_km_only']:.3f}, hold-out {shipped['auc_holdout_km_only']:.3f}"
    )
    print(
        f"reliability plot: {doc['reliability_plot']}  ({doc['seconds']:.0f} s"
        f"{', FAST MODE: not the real numbers' if args.fast else ''})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
