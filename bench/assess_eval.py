#!/usr/bin/env python3
"""Evaluate `hipcheck assess` on the runner vignettes.

1. Runs the shared scorer (../shared/tools/score_assess.py) over the cases, through the real CLI,
   and prints its per-case rows and metrics (top-1/top-3, exact triage, under-triage, missed
   emergencies).
2. Measures the adaptive questionnaire in-process: each case's intake answers the questions as an
   oracle ("don't know" for absent fields). For each case it counts the questions asked until the
   leading cause equals the full-intake leading cause and stays there, and divides by the number of
   questions in the full questionnaire. Prints the average ratio (target: below 0.5).

Usage: python bench/assess_eval.py [CASES_DIR] [--quiet] [--skip-scorer]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def run_scorer(cases: Path, quiet: bool) -> dict:
    hipcheck = Path(sys.executable).parent / "hipcheck"
    cmd = f"{hipcheck} assess {{file}} --format json --no-store"
    args = [sys.executable, str(SHARED / "tools" / "score_assess.py"), str(cases), "--cmd", cmd]
    out = subprocess.run(args + (["--quiet"] if quiet else []), capture_output=True, text=True, check=True)
    print(out.stdout, end="")
    return json.loads(out.stdout.strip().splitlines()[-1])


def adaptive(cases: Path, quiet: bool) -> dict:
    from hipcheck.assess import AdaptiveSession, Assessor
    from hipcheck.assess.session import replay

    assessor = Assessor()
    full_length = len(assessor.kb.assess_model.questions)
    ratios, reached = [], 0
    for f in sorted(cases.glob("*.json")):
        case = json.loads(f.read_text())
        target = assessor.assess(case["intake"], with_questions=False).top
        session = AdaptiveSession(assessor)
        tops = replay(session, case["intake"])
        # first question after which the leading cause equals the full-intake one and stays there
        settled = next((i + 1 for i in range(len(tops)) if all(t == target for t in tops[i:])), None)
        asked = settled if settled is not None else full_length
        reached += settled is not None
        ratios.append(asked / full_length)
        if not quiet:
            print(f"{case['id']:>6}  target {target:22} asked {len(tops):3}  settled after {asked:3}  "
                  f"ratio {asked / full_length:.2f}  stop: {session.stop_reason}")
    metrics = {"cases": len(ratios), "full_questionnaire": full_length,
               "reached_full_intake_answer": reached,
               "mean_question_ratio": round(sum(ratios) / len(ratios), 3)}
    print(json.dumps(metrics))
    return metrics


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="?", default=str(SHARED / "vignettes" / "dev"))
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--skip-scorer", action="store_true")
    a = ap.parse_args()
    cases = Path(a.cases)
    if not a.skip_scorer:
        print("== scorer (CLI, JSON output) ==")
        run_scorer(cases, a.quiet)
    print("== adaptive questionnaire (oracle replay) ==")
    adaptive(cases, a.quiet)


if __name__ == "__main__":
    main()
