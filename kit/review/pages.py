"""The kit's HTML: one Jinja environment with autoescape, so no text a user typed (a
value, a file name) or a role template gave (a label, a unit, a help text) reaches a
page or a widget unescaped, and no HTML is spelled in code strings.

The templates are shipped files beside the code that shows them: here, the review
pages (``official.html.j2`` and ``report.html.j2`` are shown inside the report
notebook, ``kit_review.html.j2`` is the nbconvert template of one official's page,
``index.html.j2`` the batch's table of contents, ``ui.html.j2`` the review notebook's
pieces); in kit/form, ``form.html.j2`` the form's pieces.


The HTML lives in shipped Jinja files beside this module, not in code strings:
``official.html.j2`` and ``report.html.j2`` are shown inside the report notebook,
``kit_review.html.j2`` is the nbconvert template of one official's page and
``index.html.j2`` the batch's table of contents.

One part of an official's page is not the notebook's: the 提示 that come from the other
officials (``peer.html.j2``, :mod:`kit.review.flags`).  The page is written with an empty
block between two markers, and the batch fills it in afterwards (:func:`write_peer_flags`),
so another official's change rewrites this block, never re-executes the notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2

from kit.iorw import atomic_write_text

TEMPLATES = Path(__file__).resolve().parent
_FORM = TEMPLATES.parent / "form"
# Comments no value can spell: every value on a page is HTML-escaped (「<」 → 「&lt;」).
PEER_START, PEER_END = "<!-- kit:peer -->", "<!-- /kit:peer -->"

_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATES), str(_FORM)]),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True)


def render_page(template: str, /, **context: object) -> str:
    """Render one of the shipped HTML templates; every value is HTML-escaped."""
    return _ENV.get_template(template).render(**context)


def render_piece(template: str, macro: str, /, **context: object) -> str:
    """One macro of a shipped template (a widget's small piece of HTML), values escaped."""
    return str(getattr(_ENV.get_template(template).module, macro)(**context))


def peer_block(flags: Sequence[str]) -> str:
    """The block of 提示 against the other officials, with its markers."""
    inner = render_page("peer.html.j2", flags=flags) if flags else ""
    return f"{PEER_START}{inner}{PEER_END}"


def write_peer_flags(page: Path, flags: Sequence[str]) -> bool:
    """Put ``flags`` in the page's block (the page rewritten atomically, only when it
    changes).  False when the page has no block (not one of an executed notebook)."""
    text = page.read_text("utf-8")
    start = text.find(PEER_START)
    end = text.find(PEER_END, start)
    if start < 0 or end < 0:
        return False
    new = text[:start] + peer_block(flags) + text[end + len(PEER_END):]
    if new != text:
        atomic_write_text(page, new)
    return True
