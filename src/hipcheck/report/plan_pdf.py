"""The plan as an A4 PDF handout: the print version of templates/plan.html rendered by WeasyPrint
(needs Debian's Pango: scripts/sysdeps.sh). Page 1 carries the triage headline, the likely cause, the current
phase's exercises with illustrations and dosage, and the week; then when to get help, the phases, running,
every exercise card, education and the sources."""
from __future__ import annotations

from pathlib import Path

from ..errors import HipcheckError
from ..knowledge.loader import KnowledgeBase
from .load_report import atomic_write
from .plan_html import TEMPLATES, render_html


def pdf_bytes(doc: dict, kb: KnowledgeBase) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint is there but Pango is not
        raise HipcheckError(f"cannot make a PDF ({exc.__class__.__name__}: {str(exc).splitlines()[0]}): install "
                            "the report extra (pip install 'hipcheck[report]') and the Pango libraries "
                            "(scripts/sysdeps.sh)") from None
    html = render_html(doc, kb, for_print=True)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def write_pdf(doc: dict, kb: KnowledgeBase, path: Path) -> Path:
    atomic_write(Path(path), pdf_bytes(doc, kb))
    return Path(path)
