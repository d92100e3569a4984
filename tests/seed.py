"""The seed sample (tests/fixtures/seed.txt), read one way for every test that needs it.

The seed is a downloaded 汇编 of two reports; the shipped templates were made from it."""

from __future__ import annotations

import re

from tests.conftest import SEED

TITLES = {"镇党建办主任": "2023年度述职报告（镇党建办主任）", "镇委书记": "2023年度述职报告（镇委书记）"}


def sample_paragraphs(text: str, title: str) -> list[str]:
    """The paragraphs of one report of a sample as a reader sees them: from its title
    line to the next report's title, indentation and paywall markers removed."""
    lines = [re.sub(r"##paid(begin|end)##", "", ln).strip(" \u3000") for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    start = lines.index(title)
    out = [title]
    for ln in lines[start + 1:]:
        if re.fullmatch(r"\d{4}年度述.*报告（.+）", ln) or "www." in ln:
            break
        out.append(ln)
    return out


def seed_reports() -> dict[str, list[str]]:
    """The seed's two reports as lists of paragraphs (title first), by role."""
    text = SEED.read_text("utf-8")
    return {role: sample_paragraphs(text, title) for role, title in TITLES.items()}


def as_the_kit_renders_it(role: str, paragraphs: list[str]) -> list[str]:
    """The sample with exactly the changes the kit (and kit import) makes on purpose."""
    out = []
    for p in paragraphs:
        # 1. The run-in item becomes an item of its own (its clause ends with 。).
        if "增收渠道，三是" in p:
            head, tail = p.split("增收渠道，三是", 1)
            out += [head + "增收渠道。", "三是" + tail]
            continue
        # 2. The sample mixes 「乡党委」 into a 镇 report; the kit prints the unit's kind.
        if role == "镇党建办主任" and p.startswith("2023年，在县委、县政府和乡党委"):
            p = p.replace("和乡党委", "和镇党委", 1)
        out.append(p)
    return out
