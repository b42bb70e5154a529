"""Render the plan document as an HTML page (templates/plan.html + plan.css). The same template, with
`for_print`, is the A4 handout that plan_pdf turns into a PDF.

Exercise illustrations come from the knowledge base (data/illustrations/*.svg) and are embedded as data
URIs, so the page is one self-contained file."""
from __future__ import annotations

import base64
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..knowledge.loader import KnowledgeBase
from .load_report import atomic_write

TEMPLATES = Path(__file__).parent / "templates"
LEVEL_LABEL = {"emergency": "Emergency", "urgent": "Urgent", "routine": "See a clinician soon",
               "self_care": "Self-care"}
PHASE_SHORT = {"settle": "Settle", "rebuild": "Rebuild", "return": "Return to running", "maintain": "Maintain"}


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _svg_uri(kb: KnowledgeBase, exercise_id: str) -> str | None:
    try:
        data = kb.illustration_path(exercise_id).read_bytes()
    except (KeyError, OSError):
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def context(doc: dict, kb: KnowledgeBase, for_print: bool) -> dict:
    """What the template needs besides the document: numbered sources, illustrations, labels."""
    numbers = {s["id"]: i for i, s in enumerate(doc.get("sources", []), 1)}

    def cite(ids) -> str:
        if isinstance(ids, str):
            ids = [ids]
        nums = sorted({numbers[i] for i in ids or [] if i in numbers})
        return "[" + ", ".join(map(str, nums)) + "]" if nums else ""

    cards = {c["id"]: c for c in doc.get("exercises", [])}
    current = next((p for p in doc.get("phases", []) if p["id"] == doc.get("current_phase")), None)
    return {
        "doc": doc, "for_print": for_print, "cite": cite, "cards": cards, "current": current,
        "current_index": ([p["id"] for p in doc.get("phases", [])].index(current["id"]) + 1) if current else None,
        "illustrations": {eid: _svg_uri(kb, eid) for eid in cards},
        "level_label": LEVEL_LABEL.get((doc.get("triage") or {}).get("level"), ""),
        "phase_short": PHASE_SHORT,
        "css": (TEMPLATES / "plan.css").read_text(encoding="utf-8"),
        "created": date.fromisoformat(doc["created"]).strftime("%d %B %Y").lstrip("0"),
    }


def render_html(doc: dict, kb: KnowledgeBase, for_print: bool = False) -> str:
    return _env().get_template("plan.html").render(**context(doc, kb, for_print))


def write_html(doc: dict, kb: KnowledgeBase, path: Path) -> Path:
    atomic_write(Path(path), render_html(doc, kb).encode("utf-8"))
    return Path(path)
