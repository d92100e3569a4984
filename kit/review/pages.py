"""The kit's HTML: one Jinja environment with autoescape, so no text a user typed (a
value, a file name) or a role template gave (a label, a unit, a help text) reaches a
page or a widget unescaped, and no HTML is spelled in code strings.

The templates are shipped files beside the code that shows them: here, the review
pages (``official.html.j2`` and ``report.html.j2`` are shown inside the report
notebook, ``kit_review.html.j2`` is the nbconvert template of one official's page,
``index.html.j2`` the batch's table of contents, ``ui.html.j2`` the review notebook's
pieces); in kit/form, ``form.html.j2`` the form's pieces.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent
_FORM = TEMPLATES.parent / "form"

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATES), str(_FORM)]),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True)


def render_page(template: str, /, **context: object) -> str:
    """Render one of the shipped HTML templates; every value is HTML-escaped."""
    return _ENV.get_template(template).render(**context)


def render_piece(template: str, macro: str, /, **context: object) -> str:
    """One macro of a shipped template (a widget's small piece of HTML), values escaped."""
    return str(getattr(_ENV.get_template(template).module, macro)(**context))
