"""Review pages: what reviewers read after ``kit build`` (HTML without code, in Chinese).

The HTML lives in shipped Jinja files beside this module, not in code strings:
``official.html.j2`` and ``report.html.j2`` are shown inside the report notebook,
``kit_review.html.j2`` is the nbconvert template of one official's page and
``index.html.j2`` the batch's table of contents.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)


def render_page(template: str, /, **context: object) -> str:
    """Render one of the shipped HTML templates; every value is HTML-escaped."""
    return _ENV.get_template(template).render(**context)
