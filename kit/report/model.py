"""The rendered report: what every output (Word, notebook, review page, PDF) is made from.

A role template plus one official's values render to a :class:`Report`; nothing
downstream sees template syntax or raw parameter files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading1", "heading2", "paragraph"]


@dataclass(frozen=True)
class Block:
    """One paragraph of the report body.

    ``heading`` is the part set in a heading font (numbered, e.g. 「一、加强理论学习」);
    ``text`` is body text (仿宋).  A run-in heading has both: 「三、以…为契机，加强…建设。」
    followed by its paragraph text in the same paragraph.  Plain paragraphs and
    enumerated items (「一是…」) have ``heading == ""``.
    """

    kind: BlockKind
    heading: str
    text: str

    @property
    def full(self) -> str:
        return self.heading + self.text


@dataclass(frozen=True)
class Report:
    """One official's report, numbered and filled in, ready for output."""

    title: str  # 「2023年度述职报告（镇党建办主任）」
    byline: str  # 「东山镇党建办主任　李明」; "" when the template has none
    blocks: tuple[Block, ...]
    role: str = ""
    name: str = ""
    unit: str = ""
    year: int = 0
    rank: int = 100  # role rank from the template (smaller comes first in the 汇编)
    order: int | None = None  # explicit 排序 from the parameter file
    meta: dict = field(default_factory=dict, compare=False)

    def paragraphs(self) -> list[str]:
        """Title, byline (if any) and every body paragraph as plain text."""
        head = [self.title] + ([self.byline] if self.byline else [])
        return head + [b.full for b in self.blocks]
